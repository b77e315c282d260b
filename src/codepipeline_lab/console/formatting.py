"""How the console writes times, durations and calls: on the virtual clock, in boto3's form."""

from __future__ import annotations

from datetime import datetime, timezone


def utc(moment: datetime | None) -> datetime | None:
    """boto3 parses timestamps into the machine's zone; the console shows them in UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def clock(moment: datetime | None) -> str:
    """``2025-01-06 09:00:22`` (UTC), or an empty string."""
    moment = utc(moment)
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def duration(seconds: float | None) -> str:
    """``45 s``, ``3 min 5 s``, ``2 h 10 min``, ``7 d 1 h``: the two largest units, zeros left out."""
    if seconds is None:
        return ""
    rest = max(0, int(round(seconds)))
    values = []
    for size, unit in ((86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")):
        value, rest = divmod(rest, size)
        values.append((value, unit))
    first = next((k for k, (value, _) in enumerate(values) if value), len(values) - 1)
    return " ".join(f"{value} {unit}" for value, unit in values[first:first + 2] if value or first == len(values) - 1)


def between(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return ""
    return duration((utc(end) - utc(start)).total_seconds())


def ago(moment: datetime | None, now: datetime) -> str:
    """How long before the virtual ``now`` — as the console writes "2 minutes ago"."""
    if moment is None:
        return ""
    seconds = (utc(now) - utc(moment)).total_seconds()
    return "just now" if seconds < 1 else f"{duration(seconds)} ago"


def call_text(service: str, operation: str, **parameters) -> str:
    """``codepipeline.retry_stage_execution(pipelineName="WebApp", ...)`` — the call as a learner would type it."""
    shown = ", ".join(f"{name}={literal(value)}" for name, value in parameters.items())
    return f"{service}.{operation}({shown})"


def literal(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)
