"""Rule/AWS/DeploymentWindow: passes when the virtual clock is inside the window that Cron
describes, in TimeZone (default UTC). Outside the window the rule waits for it to open (a timer:
``lab.advance()`` carries the clock there), unless the rule's timeoutInMinutes ends it first."""

from __future__ import annotations

from datetime import timedelta, timezone

from codepipeline_lab.simulator.rules.base import Rule, register
from codepipeline_lab.simulator.rules.cron import Cron, CronError, time_zone


@register
class DeploymentWindowRule(Rule):
    provider = "DeploymentWindow"
    duration = timedelta(seconds=1)

    def run(self, job) -> None:
        try:
            cron, zone = Cron(job.configuration["Cron"]), time_zone(job.configuration.get("TimeZone"))
        except CronError as problem:
            job.fail(f"The deployment window cannot be read: {problem}", "ConfigurationError")
            return
        now = job.lab.scheduler.now
        local = now.astimezone(zone)
        if cron.matches(local):
            job.succeed(f"{local:%Y-%m-%d %H:%M} ({zone}) is inside the deployment window {cron.expression}")
            return
        opens = cron.next_match(local)
        if opens is None:
            job.fail(f"The deployment window {cron.expression} does not open in the next two years", "ConfigurationError")
            return
        delay = opens.astimezone(timezone.utc) - now
        job.run_record.summary = f"Waiting for the deployment window {cron.expression} ({zone}) to open at {opens:%Y-%m-%d %H:%M}"
        job.later(delay, lambda: job.succeed(f"The deployment window {cron.expression} opened at {opens:%Y-%m-%d %H:%M} ({zone})"),
                  work=False)
