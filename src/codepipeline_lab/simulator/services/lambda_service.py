"""Lambda for the simulator: functions created with lambda.create_function (kept by moto) run
in-process through lambda_runtime — for lambda.invoke, EventBridge targets and pipeline
actions — and write their output to CloudWatch Logs (/aws/lambda/<name>)."""

from __future__ import annotations

import base64

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.errors import _error
from codepipeline_lab.simulator.identity.sessions import AssumeRoleError
from codepipeline_lab.simulator.services import lambda_runtime

ResourceNotFoundException = _error("ResourceNotFoundException")


class LambdaService:
    def __init__(self, account) -> None:
        self.account = account

    def function(self, region: str, name_or_arn: str) -> api.LambdaFunction:
        function = api.lambda_function(self.account.account_id, region, name_or_arn)
        if function is None:
            arn = name_or_arn if name_or_arn.startswith("arn:") else f"arn:aws:lambda:{region}:{self.account.account_id}:function:{name_or_arn}"
            raise ResourceNotFoundException(f"Function not found: {arn}")
        return function

    def run(self, function: api.LambdaFunction, event) -> lambda_runtime.Invocation:
        lab = self.account.lab
        request_id = lab.ids.uuid()
        try:
            credentials = self.account.sessions.for_service(function.role, "lambda.amazonaws.com", function.region,
                                                            session_name=lambda: function.name).credentials
        except AssumeRoleError as problem:
            invocation = lambda_runtime.failure("AccessDeniedException", f"The function {function.name} cannot run: {problem}")
        else:
            invocation = lambda_runtime.invoke(function, event, request_id, credentials)
        stream = f"{lab.scheduler.now:%Y/%m/%d}/[$LATEST]{request_id.replace('-', '')}"
        api.write_log_events(self.account.account_id, function.region, f"/aws/lambda/{function.name}", stream,
                             lambda_runtime.log_lines(function, request_id, invocation, lab.scheduler.now))
        return invocation

    def invoke_async(self, arn: str, payload) -> None:
        """An asynchronous invocation (EventBridge targets): errors stay in the function's logs."""
        self.run(self.function(arn.split(":")[3], arn), payload)


def lambda_operations(account) -> dict:
    service = account.lambda_service

    def invoke(params, ctx):
        import json
        function = service.function(ctx.region, params["FunctionName"])
        raw = params.get("Payload") or b"{}"
        try:
            event = json.loads(raw)
        except ValueError:
            raise _error("InvalidRequestContentException")("Could not parse request body into json: the payload is not valid JSON") from None
        kind = params.get("InvocationType")
        if kind == "DryRun":
            return {"StatusCode": 204}
        invocation = service.run(function, event)
        if kind == "Event":
            return {"StatusCode": 202}
        answer = {"StatusCode": 200, "Payload": invocation.payload}
        if invocation.error:
            answer["FunctionError"] = "Unhandled"
        if params.get("LogType") == "Tail":
            answer["LogResult"] = base64.b64encode(invocation.output[-4096:].encode()).decode()
        return answer

    return {"invoke": invoke}
