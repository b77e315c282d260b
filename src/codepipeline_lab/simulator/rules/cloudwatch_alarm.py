"""Rule/AWS/CloudWatchAlarm: the rule fails while an alarm it watches is in one of AlarmStates
(default ALARM); OK and INSUFFICIENT_DATA let it pass (facts §K2). With WaitTime (minutes) the
rule waits that long for the alarm to leave those states before it fails."""

from __future__ import annotations

from datetime import timedelta

from codepipeline_lab.simulator.rules.base import Rule, register

RECHECK = timedelta(minutes=1)


def _list(text: str | None, default: list[str]) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()] or default


@register
class CloudWatchAlarmRule(Rule):
    provider = "CloudWatchAlarm"
    duration = timedelta(seconds=2)

    def run(self, job) -> None:
        wait = int(job.configuration.get("WaitTime") or 0)
        self._check(job, job.lab.scheduler.now + timedelta(minutes=wait))

    def _check(self, job, deadline) -> None:
        names = _list(job.configuration.get("AlarmName"), [])
        watched = _list(job.configuration.get("AlarmStates"), ["ALARM"])
        found = job.client("cloudwatch").describe_alarms(AlarmNames=names)
        alarms = {a["AlarmName"]: a["StateValue"] for a in found["MetricAlarms"] + found.get("CompositeAlarms", [])}
        missing = [n for n in names if n not in alarms]
        if missing:
            job.fail(f"CloudWatch alarm {', '.join(missing)} was not found in {job.region}", "ConfigurationError")
            return
        firing = [f"{name} is {alarms[name]}" for name in names if alarms[name] in watched]
        now = job.lab.scheduler.now
        if not firing:
            job.succeed("; ".join(f"Alarm {name} is {alarms[name]}" for name in names))
        elif now >= deadline:
            job.fail(f"Alarm {'; '.join(firing)}", "JobFailed")
        else:
            job.later(min(RECHECK, deadline - now), lambda: self._check(job, deadline), work=False)
