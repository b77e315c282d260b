"""Invoke/AWS/Lambda: invoke the function with the CodePipeline job event; the function answers
with PutJobSuccessResult or PutJobFailureResult within the reply window (facts §D)."""

from __future__ import annotations

from datetime import timedelta

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.errors import AwsError
from codepipeline_lab.simulator.identity.failures import role_cannot_access

REPLY_WINDOW = timedelta(minutes=20)
RECALL_DELAY = timedelta(seconds=1)     # before a function is invoked again with a continuationToken


@register
class LambdaInvoke(Provider):
    category = "Invoke"
    provider = "Lambda"
    duration = timedelta(seconds=1)

    def run(self, job) -> None:
        account = job.engine.account
        try:
            function = account.lambda_service.function(job.region, job.configuration["FunctionName"])
        except AwsError as missing:
            job.fail(str(missing), "ConfigurationError")
            return
        job.require("lambda", "InvokeFunction", function.arn, {"functionName": function.name})
        invoke(job, function, None)

    def denied_message(self, job, denial) -> str:
        return role_cannot_access(f"the AWS Lambda function {job.configuration['FunctionName']}", denial)


def invoke(job, function, continuation_token: str | None) -> None:
    account = job.engine.account
    record = account.jobs.create(job, "lambda", continuation_token)
    record.on_continue = lambda rec, token: _again(job, function, token)
    record.timer = job.lab.scheduler.after(REPLY_WINDOW, lambda: _no_answer(job, record, function.name), work=False)
    event = {"CodePipeline.job": {"id": record.id, "accountId": account.account_id, "data": record.data}}
    # CodePipeline invokes the function asynchronously: a handler that raises (or cannot be
    # imported) ends nothing. Its error goes to /aws/lambda/<name> and the action waits for
    # PutJobSuccessResult/PutJobFailureResult until the reply window ends (facts §J8).
    account.lambda_service.run(function, event)


def _again(job, function, token: str) -> None:
    job.run_record.pending = job.lab.scheduler.after(RECALL_DELAY, lambda: _recall(job, function, token))


def _recall(job, function, token: str) -> None:
    job.run_record.pending = None
    if not job.ended:
        invoke(job, function, token)


def _no_answer(job, record, name: str) -> None:
    if job.ended or record.status != "InProgress":
        return
    record.status = "TimedOut"
    minutes = int(REPLY_WINDOW.total_seconds() // 60)
    job.fail(f"Lambda function {name} did not report a result for job {record.id} within {minutes} minutes: "
             "the function must call PutJobSuccessResult or PutJobFailureResult "
             f"(an error it raised is in its CloudWatch Logs, /aws/lambda/{name})", "JobFailed")

