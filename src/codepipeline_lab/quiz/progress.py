"""The learner's progress file: one JSON line per checked quiz answer or finished practice exam.

Location: $CODEPIPELINE_LAB_HOME/progress.jsonl, else ~/.codepipeline-lab/progress.jsonl.
Reset: delete the file, or call ``reset_progress()``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

HOME_ENV = "CODEPIPELINE_LAB_HOME"


def progress_path() -> Path:
    home = os.environ.get(HOME_ENV)
    return (Path(home) if home else Path.home() / ".codepipeline-lab") / "progress.jsonl"


def record(entry: dict) -> Path:
    path = progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), **entry}
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(stamped, sort_keys=True) + "\n")
    return path


def read_progress() -> list[dict]:
    path = progress_path()
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a crash is skipped, not fatal
    return entries


def reset_progress() -> bool:
    """Delete the progress file; return whether there was one."""
    path = progress_path()
    if path.exists():
        path.unlink()
        return True
    return False


def topic_scores(entries: list[dict]) -> dict[str, list[int]]:
    """topic -> [right, total] over first quiz attempts and all exam answers."""
    scores: dict[str, list[int]] = {}
    for entry in entries:
        if entry.get("kind") == "quiz" and entry.get("attempt") == 1:
            _add(scores, entry.get("topic"), int(bool(entry.get("correct"))), 1)
        elif entry.get("kind") == "exam":
            for topic, tally in (entry.get("topics") or {}).items():
                _add(scores, topic, int(tally.get("right", 0)), int(tally.get("total", 0)))
    return scores


def _add(scores: dict, topic, right: int, total: int) -> None:
    if isinstance(topic, str) and total > 0:
        pair = scores.setdefault(topic, [0, 0])
        pair[0] += right
        pair[1] += total


def weakest_topics(entries: list[dict], how_many: int = 2) -> list[str]:
    """The topics with the lowest share of right answers (ties: fewer answers first, then name)."""
    scores = topic_scores(entries)
    ranked = sorted(scores, key=lambda t: (scores[t][0] / scores[t][1], scores[t][1], t))
    return ranked[:how_many]
