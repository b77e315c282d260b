"""Rule/AWS/LambdaInvoke: the function runs in-process (as the Lambda service runs it); the rule
passes when the function returns and fails when it raises (an error from the function fails the
rule, facts §K2). The event the function receives is ours (AWS does not document it)."""

from __future__ import annotations

import json
from datetime import timedelta

from codepipeline_lab.simulator.errors import AwsError
from codepipeline_lab.simulator.rules.authorize import require
from codepipeline_lab.simulator.rules.base import Rule, register


@register
class LambdaInvokeRule(Rule):
    provider = "LambdaInvoke"
    duration = timedelta(seconds=1)

    def run(self, job) -> None:
        account = job.engine.account
        try:
            function = account.lambda_service.function(job.region, job.configuration["FunctionName"])
        except AwsError as missing:
            job.fail(str(missing), "ConfigurationError")
            return
        require(job, "lambda", "InvokeFunction", function.arn, {"functionName": function.name})
        event = {"CodePipeline.rule": {
            "pipelineName": job.execution.pipeline_name, "pipelineExecutionId": job.execution.id,
            "stageName": job.run_record.stage_name, "ruleName": job.rule["name"],
            "ruleExecutionId": job.run_record.rule_execution_id,
            "userParameters": job.configuration.get("UserParameters", ""),
            "inputArtifacts": [{"name": ref.name, "location": {"type": "S3", "s3Location": {"bucketName": ref.bucket, "objectKey": ref.key}}}
                               for ref in _inputs(job)]}}
        invocation = account.lambda_service.run(function, event)
        request = f"{function.name}"
        if invocation.error:
            message = invocation.error.get("errorMessage") or invocation.error.get("errorType") or "the function failed"
            job.fail(f"Lambda function {request} returned an error: {message}", "JobFailed")
            return
        answer = invocation.payload.decode() if isinstance(invocation.payload, bytes) else json.dumps(invocation.payload)
        job.succeed(f"Lambda function {request} returned {answer[:200]}")


def _inputs(job):
    names = [a["name"] for a in job.rule.get("inputArtifacts", [])]
    return [job.execution.artifacts[n] for n in names if n in job.execution.artifacts]
