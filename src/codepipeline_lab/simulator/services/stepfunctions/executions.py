"""Step Functions executions for the simulator: state machines are created in moto
(create_state_machine, describe_state_machine …); StartExecution, DescribeExecution,
ListExecutions and StopExecution are answered here, and executions run on the virtual clock.

moto can interpret state machines itself (its ``stepfunctions.execute_state_machine`` setting),
but it runs them on threads of the real clock, so a Wait state would take real seconds and
results would depend on timing; this small interpreter keeps executions on the Lab's clock.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.errors import AwsError, _error
from codepipeline_lab.simulator.identity.calls import ApiCall
from codepipeline_lab.simulator.identity.sessions import AssumeRoleError
from codepipeline_lab.simulator.services.stepfunctions import states
from codepipeline_lab.simulator.services.stepfunctions.paths import StatesError

StateMachineDoesNotExist = _error("StateMachineDoesNotExist")
ExecutionDoesNotExist = _error("ExecutionDoesNotExist")
ExecutionAlreadyExists = _error("ExecutionAlreadyExists")
InvalidExecutionInput = _error("InvalidExecutionInput")
InvalidName = _error("InvalidName")
InvalidArn = _error("InvalidArn")

MAX_TRANSITIONS = 10_000          # our guard against a Choice loop without a Wait
_NAME = re.compile(r"^[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]{1,80}$")
_EXPRESS_NAME = re.compile(r"^[0-9A-Za-z_-]{1,80}$")
RUNNING, SUCCEEDED, FAILED, ABORTED = "RUNNING", "SUCCEEDED", "FAILED", "ABORTED"


@dataclass
class Execution:
    arn: str
    name: str
    machine: api.StateMachine
    input: str
    start: datetime
    status: str = RUNNING
    stop: datetime | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    state: str = ""                   # the state that runs next
    data: object = None               # its input
    transitions: int = 0
    pending: object = None            # the scheduler entry of the next step
    watchers: list = field(default_factory=list)     # called once when the execution ends

    def describe(self) -> dict:
        answer = {"executionArn": self.arn, "stateMachineArn": self.machine.arn, "name": self.name, "status": self.status,
                  "startDate": self.start, "input": self.input, "inputDetails": {"included": True}}
        if self.stop is not None:
            answer["stopDate"] = self.stop
        if self.output is not None:
            answer.update(output=self.output, outputDetails={"included": True})
        if self.error:
            answer["error"] = self.error
        if self.cause:
            answer["cause"] = self.cause
        return answer


class StepFunctions:
    def __init__(self, account) -> None:
        self.account = account
        self.executions: dict[str, Execution] = {}

    # -- starting --------------------------------------------------------------------------------
    def machine(self, arn: str) -> api.StateMachine:
        found = api.state_machine(self.account.account_id, arn or "")
        if found is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        return found

    def start(self, machine_arn: str, name: str | None, text: str | None) -> Execution:
        machine = self.machine(machine_arn)
        name = name or self.account.lab.ids.uuid()
        if not (_EXPRESS_NAME if machine.type == "EXPRESS" else _NAME).match(name):
            raise InvalidName(f"Invalid Name: '{name}'")
        text = "{}" if text is None else text
        try:
            data = json.loads(text)
        except ValueError:
            raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{text}'") from None
        region, account = machine.arn.split(":")[3], machine.arn.split(":")[4]
        arn = (f"arn:aws:states:{region}:{account}:express:{machine.name}:{name}:{self.account.lab.ids.uuid()}"
               if machine.type == "EXPRESS" else f"arn:aws:states:{region}:{account}:execution:{machine.name}:{name}")
        if arn in self.executions:
            raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
        lab = self.account.lab
        execution = Execution(arn, name, machine, text, lab.scheduler.now, data=data)
        self.executions[arn] = execution
        try:
            definition = json.loads(machine.definition)
            execution.state = definition["StartAt"]
        except (ValueError, KeyError, TypeError):
            self._end(execution, FAILED, error="States.Runtime", cause="The state machine's definition is not JSON with StartAt and States")
            return execution
        # The first state runs on the next turn of the clock: StartExecution answers first, as in AWS.
        execution.pending = lab.scheduler.after(timedelta(0), lambda: self._drive(execution, definition))
        return execution

    def get(self, arn: str) -> Execution:
        if not arn or not arn.startswith("arn:aws:states:"):
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        found = self.executions.get(arn)
        if found is None:
            raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
        return found

    def stop(self, arn: str, error: str | None, cause: str | None) -> Execution:
        execution = self.get(arn)
        if execution.status == RUNNING:
            if execution.pending is not None:
                execution.pending.cancel()
            self._end(execution, ABORTED, error=error, cause=cause)
        return execution

    # -- running ---------------------------------------------------------------------------------
    def _drive(self, execution: Execution, definition: dict) -> None:
        """Run states until the execution ends or waits on the clock."""
        execution.pending = None
        scheduler = self.account.lab.scheduler
        while execution.status == RUNNING:
            if not execution.state:                       # a Wait state that was the last one
                self._end(execution, SUCCEEDED, output=execution.data)
                return
            state = (definition.get("States") or {}).get(execution.state)
            execution.transitions += 1
            try:
                if state is None:
                    raise StatesError("States.Runtime", f"The state machine has no state named '{execution.state}'")
                if execution.transitions > MAX_TRANSITIONS:
                    raise StatesError("States.Runtime", f"More than {MAX_TRANSITIONS} state transitions (the simulator's limit)")
                step = states.run(execution.state, state, execution.data, self._context(execution), scheduler.now,
                                  lambda function, payload: self._invoke(execution, function, payload))
            except StatesError as problem:
                self._end(execution, FAILED, error=problem.error, cause=problem.cause)
                return
            if isinstance(step, states.End):
                self._end(execution, SUCCEEDED, output=step.data)
                return
            execution.state, execution.data = step.state, step.data
            if step.delay:
                execution.pending = scheduler.after(step.delay, lambda: self._drive(execution, definition))
                return

    def _context(self, execution: Execution) -> dict:
        return {"Execution": {"Id": execution.arn, "Name": execution.name, "Input": json.loads(execution.input),
                              "StartTime": execution.start.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                              "RoleArn": execution.machine.role_arn},
                "StateMachine": {"Id": execution.machine.arn, "Name": execution.machine.name},
                "State": {"Name": execution.state}}

    def _end(self, execution: Execution, status: str, output=None, error=None, cause=None) -> None:
        execution.status, execution.stop = status, self.account.lab.scheduler.now
        if status == SUCCEEDED:
            execution.output = json.dumps(output, separators=(",", ":"))
        execution.error, execution.cause = error or None, cause or None
        for watcher in execution.watchers:
            watcher(execution)

    # -- Lambda tasks, as the state machine's role ------------------------------------------------
    def _invoke(self, execution: Execution, function_name: str, payload):
        region = execution.machine.arn.split(":")[3]
        service = self.account.lambda_service
        try:
            function = service.function(region, function_name)
        except AwsError as missing:
            raise StatesError("Lambda.ResourceNotFoundException", str(missing)) from None
        try:
            self._authorize_invoke(execution, region, function.arn)
        except (AwsError, AssumeRoleError) as denied:
            raise StatesError("Lambda.AWSLambdaException", str(denied)) from None
        invocation = service.run(function, payload)
        if invocation.error:
            error = invocation.error
            cause = {"errorMessage": error.get("errorMessage"), "errorType": error.get("errorType"),
                     "stackTrace": error.get("stackTrace", [])}
            raise StatesError(error.get("errorType") or "Lambda.Unknown", json.dumps(cause))
        try:
            return json.loads(invocation.payload or b"null")
        except ValueError:
            raise StatesError("States.Runtime", f"Lambda function {function.name} returned a result that is not JSON") from None

    def _authorize_invoke(self, execution: Execution, region: str, function_arn: str) -> None:
        """Step Functions calls lambda:InvokeFunction with a session of the state machine's role."""
        account = self.account
        session = account.sessions.for_service(execution.machine.role_arn, "states.amazonaws.com", region,
                                               session_name=lambda: execution.name[:64])
        principal = account.authorizer.principal(session.access_key_id, account.account_id)
        call = ApiCall("lambda", "Invoke", region, function_arn.split(":")[4], principal,
                       {"functionName": function_arn}, [function_arn])
        account.authorizer.authorize(call, "lambda:InvokeFunction")


def stepfunctions_operations(account) -> dict:
    service = account.stepfunctions

    def start_execution(params, ctx):
        execution = service.start(params.get("stateMachineArn"), params.get("name"), params.get("input"))
        return {"executionArn": execution.arn, "startDate": execution.start}

    def describe_execution(params, ctx):
        return service.get(params.get("executionArn")).describe()

    def list_executions(params, ctx):
        machine = service.machine(params.get("stateMachineArn"))
        wanted = params.get("statusFilter")
        found = [e for e in service.executions.values() if e.machine.arn == machine.arn and (not wanted or e.status == wanted)]
        found.sort(key=lambda e: (e.start, e.arn), reverse=True)
        summaries = []
        for e in found:
            summary = {"executionArn": e.arn, "stateMachineArn": machine.arn, "name": e.name, "status": e.status, "startDate": e.start}
            if e.stop is not None:
                summary["stopDate"] = e.stop
            summaries.append(summary)
        return {"executions": summaries}

    def stop_execution(params, ctx):
        execution = service.stop(params.get("executionArn"), params.get("error"), params.get("cause"))
        return {"stopDate": execution.stop}

    return {"start_execution": start_execution, "describe_execution": describe_execution,
            "list_executions": list_executions, "stop_execution": stop_execution}
