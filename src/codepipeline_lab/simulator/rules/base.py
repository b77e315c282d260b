"""What every rule provider gets (a RuleJob) and gives back (the rule succeeded or failed).

A rule is to a stage condition what an action is to a stage: after the rule's simulated
``duration`` the engine calls ``rule.run(job)``; the rule checks something with boto3 calls as
the rule's role (its roleArn, else the pipeline's role) and ends with ``job.succeed(...)`` or
``job.fail(...)``. A rule that waits on the outside world (an alarm changing state, a deployment
window opening) schedules a timer and ends later.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

RULES: dict[str, "Rule"] = {}


class Rule:
    provider = ""
    duration = timedelta(seconds=2)

    def run(self, job: "RuleJob") -> None:
        raise NotImplementedError


def register(rule_class: type[Rule]) -> type[Rule]:
    RULES[rule_class.provider] = rule_class()
    return rule_class


def rule_for(provider: str) -> Rule | None:
    return RULES.get(provider)


class RuleJob:
    """One run of one rule, as a rule provider sees it."""

    def __init__(self, engine, execution, run, on_end: Callable[["RuleJob"], None]) -> None:
        self.engine = engine
        self.lab = engine.lab
        self.execution = execution
        self.run_record = run
        self.configuration = run.resolved_configuration
        self.session = None
        self._on_end = on_end

    @property
    def rule(self) -> dict:
        return self.run_record.declaration

    @property
    def region(self) -> str:
        return self.run_record.region

    @property
    def ended(self) -> bool:
        return self.run_record.ended

    @property
    def credentials(self):
        return self.session.credentials if self.session is not None else None

    def client(self, service: str):
        """A boto3 client acting as the rule's role."""
        return self.lab.client(service, region_name=self.region, credentials=self.credentials)

    def later(self, delay: timedelta, callback: Callable[[], None], *, work: bool) -> None:
        """Call back after ``delay`` unless the rule has ended (``work=False``: a wait on the outside world)."""
        def fire():
            if not self.ended:
                callback()
        self.run_record.pending.append(self.lab.scheduler.after(delay, fire, work=work))

    def succeed(self, summary: str | None = None, external_execution_id: str | None = None) -> None:
        self._end("Succeeded", summary, None, external_execution_id)

    def fail(self, message: str, code: str = "JobFailed", external_execution_id: str | None = None) -> None:
        self._end("Failed", message, {"code": code, "message": message}, external_execution_id)

    def _end(self, status: str, summary, error, external_execution_id) -> None:
        run = self.run_record
        if run.ended:
            return
        run.ended = True
        for entry in run.pending:
            entry.cancel()
        run.pending.clear()
        run.status, run.summary, run.error = status, summary, error
        run.external_execution_id = external_execution_id or run.external_execution_id
        run.last_update = self.lab.scheduler.now
        self._on_end(self)
