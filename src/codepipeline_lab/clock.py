"""The virtual clock and its queue of things that fall due: a tiny discrete-event core.

Two kinds of entries wait in the queue. *Work* is what running actions do (a build that
finishes in 90 simulated seconds); ``run()`` carries it out. *Timers* are waits on the outside
world (an approval that expires in 7 days, a Lambda reply window); they fire only when
``advance()`` moves the clock past them, or when work that comes later carries the clock past.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

# A fixed, ordinary instant, so that every Lab starts at the same virtual time.
EPOCH = datetime(2025, 1, 6, 9, 0, 0, tzinfo=timezone.utc)


@dataclass(order=True)
class Entry:
    when: datetime
    seq: int
    callback: Callable[[], None] = field(compare=False)
    work: bool = field(compare=False, default=True)
    cancelled: bool = field(compare=False, default=False)

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    def __init__(self, start: datetime = EPOCH) -> None:
        self.now = start
        self._queue: list[Entry] = []
        self._seq = 0

    def at(self, when: datetime, callback: Callable[[], None], *, work: bool = True) -> Entry:
        self._seq += 1
        entry = Entry(max(when, self.now), self._seq, callback, work)
        heapq.heappush(self._queue, entry)
        return entry

    def after(self, delay: timedelta, callback: Callable[[], None], *, work: bool = True) -> Entry:
        return self.at(self.now + delay, callback, work=work)

    def has_work(self) -> bool:
        return any(e.work and not e.cancelled for e in self._queue)

    def run(self, max_steps: int = 100_000) -> int:
        """Carry out pending work (and timers it passes) in time order; return the steps taken."""
        steps = 0
        while self.has_work():
            if steps >= max_steps:
                raise RuntimeError(f"lab.run() stopped after {max_steps} steps: is something rescheduling itself forever?")
            self._pop_and_call()
            steps += 1
        return steps

    def step(self) -> bool:
        """Carry out the next pending piece of work; False when there is none."""
        if not self.has_work():
            return False
        while True:
            entry = self._pop_and_call()
            if entry is not None and entry.work:
                return True

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError(f"advance() moves the clock forward only; got {delta}")
        target = self.now + delta
        while self._queue and self._queue[0].when <= target:
            self._pop_and_call()
        self.now = target

    def _pop_and_call(self) -> Entry | None:
        entry = heapq.heappop(self._queue)
        if entry.cancelled:
            return None
        self.now = max(self.now, entry.when)
        entry.callback()
        return entry
