"""Approval/AWS/Manual: wait for PutApprovalResult, optionally notify an SNS topic (facts §E)."""

from __future__ import annotations

import json
from datetime import timedelta

from botocore.exceptions import ClientError

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.identity.failures import as_denial, role_cannot_access

DEFAULT_TIMEOUT = timedelta(days=7)


@register
class ManualApproval(Provider):
    category = "Approval"
    provider = "Manual"
    duration = timedelta(0)

    def run(self, job) -> None:
        token = job.lab.ids.uuid()
        run = job.run_record
        run.token = run.external_execution_id = token
        minutes = job.action.get("timeoutInMinutes")
        timeout = timedelta(minutes=minutes) if minutes else DEFAULT_TIMEOUT
        expires = job.lab.scheduler.now + timeout
        run.timeout_entry = job.lab.scheduler.at(expires, lambda: self._expire(job, timeout), work=False)
        job.engine.account.approvals[token] = job
        topic = job.configuration.get("NotificationArn")
        if topic:
            self._notify(job, topic, token, expires)

    def denied_message(self, job, denial) -> str:
        return role_cannot_access(f"the Amazon SNS topic {job.configuration.get('NotificationArn')}", denial)

    def _expire(self, job, timeout: timedelta) -> None:
        if not job.ended:
            job.run_record.token = None
            days = timeout.days if timeout.days and not timeout.seconds else None
            length = f"{days} days" if days else f"{int(timeout.total_seconds() // 60)} minutes"
            job.fail(f"The approval request expired: no response within {length}.", "JobFailed")

    def _notify(self, job, topic: str, token: str, expires) -> None:
        region, pipeline = job.execution.region, job.pipeline_name
        console = f"https://console.aws.amazon.com/codepipeline/home?region={region}#/view/{pipeline}"
        message = {
            "region": region,
            "consoleLink": console,
            "approval": {
                "pipelineName": pipeline, "stageName": job.stage_name, "actionName": job.action["name"],
                "token": token, "expires": expires.strftime("%Y-%m-%dT%H:%MZ"),
                "externalEntityLink": job.configuration.get("ExternalEntityLink"),
                "approvalReviewLink": f"{console}/{job.stage_name}/{job.action['name']}/approve/{token}",
                "customData": job.configuration.get("CustomData"),
            },
        }
        subject = f"APPROVAL NEEDED: AWS CodePipeline {pipeline} for action {job.action['name']}"
        try:
            job.client("sns", topic.split(":")[3]).publish(TopicArn=topic, Subject=subject[:100], Message=json.dumps(message))
        except ClientError as problem:
            if as_denial(problem):
                raise
            job.fail(f"Could not publish the approval request to {topic}: {problem.response['Error']['Message']}", "JobFailed")
