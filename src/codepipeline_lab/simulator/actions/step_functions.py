"""Invoke/AWS/StepFunctions: start an execution of a state machine with a literal input or a
file of the input artifact; a Standard execution is followed with DescribeExecution until it
ends, an Express one succeeds once started (facts §J4). Calls are the action role's:
states:DescribeStateMachine, states:StartExecution, states:DescribeExecution."""

from __future__ import annotations

import json
from datetime import timedelta

from botocore.exceptions import ClientError

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.identity.failures import as_denial, role_cannot_access

FIRST_LOOK = timedelta(seconds=5)        # our choice: the first DescribeExecution, then twice as long each time
LONGEST_WAIT = timedelta(minutes=5)      # ... up to this interval
ACTION_TIMEOUT = timedelta(days=7)       # facts §J4
OUTPUT_FILE = "output.json"              # our choice of name for the output artifact's one file
INPUT_TYPES = ("Literal", "FilePath")


class InputProblem(Exception):
    """The execution's input cannot be built from the configuration (the message says why)."""


@register
class StepFunctionsInvoke(Provider):
    category = "Invoke"
    provider = "StepFunctions"
    duration = timedelta(seconds=1)

    def denied_message(self, job, denial) -> str:
        return role_cannot_access(f"the AWS Step Functions state machine {job.configuration['StateMachineArn']}", denial)

    def run(self, job) -> None:
        arn = job.configuration["StateMachineArn"]
        try:
            text = execution_input(job)
        except InputProblem as problem:
            job.fail(str(problem), "ConfigurationError")
            return
        sfn = job.client("stepfunctions")
        prefix = job.configuration.get("ExecutionNamePrefix")
        name = f"{prefix}-{job.id}" if prefix else job.id
        try:
            machine = sfn.describe_state_machine(stateMachineArn=arn)
            started = sfn.start_execution(stateMachineArn=arn, name=name, input=text)
        except ClientError as failure:
            if as_denial(failure):
                raise
            error = failure.response["Error"]
            kind = "ConfigurationError" if error.get("Code") in ("StateMachineDoesNotExist", "InvalidArn") else "JobFailed"
            job.fail(f"{error.get('Code')}: {error.get('Message')}", kind)
            return
        execution_arn = started["executionArn"]
        run = job.run_record
        run.external_execution_id = execution_arn
        run.external_execution_url = f"https://console.aws.amazon.com/states/home?region={job.region}#/executions/details/{execution_arn}"
        if machine.get("type") == "EXPRESS":
            job.succeed(summary=f"Started Express execution {name} of {machine['name']}",
                        output_variables={"StateMachineArn": arn})
            return
        run.pending = job.lab.scheduler.after(FIRST_LOOK, lambda: _look(job, execution_arn, FIRST_LOOK, job.lab.scheduler.now))


def execution_input(job) -> str:
    """The execution's input: ``Input`` itself (Literal, default ``{}``) or the content of the
    file it names in the input artifact (FilePath); it must be JSON."""
    config = job.configuration
    kind = config.get("InputType", "Literal")
    if kind not in INPUT_TYPES:
        raise InputProblem(f"InputType must be Literal or FilePath, not '{kind}'")
    if kind == "Literal":
        text, origin = config.get("Input") or "{}", "Input"
    else:
        path = config.get("Input")
        if not path:
            raise InputProblem("Input is required when InputType is FilePath: it names a file in the input artifact")
        if not job.inputs:
            raise InputProblem(f"InputType FilePath reads {path} from the input artifact, but the action has no input artifact")
        files = job.input_files()
        if path not in files:
            raise InputProblem(f"The file {path} named by Input is not in the input artifact {job.inputs[0].name}")
        text, origin = files[path].decode("utf-8", errors="replace"), f"The file {path}"
    try:
        json.loads(text)
    except ValueError as problem:
        raise InputProblem(f"{origin} is not valid JSON ({problem}); a state machine's input must be a JSON text") from None
    return text


def _look(job, execution_arn: str, waited: timedelta, started) -> None:
    """DescribeExecution as the action's role until the execution ends (or the action times out)."""
    job.run_record.pending = None
    if job.ended:
        return
    execution = job.client("stepfunctions").describe_execution(executionArn=execution_arn)
    status = execution["status"]
    if status == "RUNNING":
        if job.lab.scheduler.now - started >= ACTION_TIMEOUT:
            job.fail(f"Execution {execution['name']} did not finish within 7 days; the action timed out", "JobFailed")
            return
        wait = min(waited * 2, LONGEST_WAIT)
        job.run_record.pending = job.lab.scheduler.after(wait, lambda: _look(job, execution_arn, wait, started))
        return
    if status != "SUCCEEDED":
        details = ": ".join(part for part in (execution.get("error"), execution.get("cause")) if part)
        job.fail(f"Execution {execution['name']} {status}" + (f": {details}" if details else ""), "JobFailed",
                 external_execution_id=execution_arn)
        return
    for output in job.output_names[:1]:
        job.write_output(output, {OUTPUT_FILE: execution.get("output", "null").encode()})
    job.succeed(summary=f"Execution {execution['name']} SUCCEEDED", external_execution_id=execution_arn,
                output_variables={"StateMachineArn": execution["stateMachineArn"], "ExecutionArn": execution_arn})
