"""One step of a state machine: what a state does with its input, and where the execution goes.

Supported states: Pass, Task (Lambda functions only: a function ARN as ``Resource``, or
``arn:aws:states:::lambda:invoke`` with ``Parameters.FunctionName``/``Payload``), Choice, Wait
(on the virtual clock), Succeed and Fail. Input/output processing: InputPath, Parameters,
ResultSelector, ResultPath, OutputPath. Task ``Catch`` is applied; ``Retry`` is not. Map and
Parallel states fail the execution with ``States.Runtime``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from codepipeline_lab.simulator.services.stepfunctions import choice, paths
from codepipeline_lab.simulator.services.stepfunctions.paths import StatesError

LAMBDA_INVOKE = ("arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken")


@dataclass
class Next:
    state: str
    data: object
    delay: timedelta = timedelta(0)     # a Wait state: when the next state starts


@dataclass
class End:
    data: object


# (function name or ARN, payload) -> the function's result; raises StatesError
Invoker = Callable[[str, object], object]


def run(name: str, state: dict, data, context: dict, now: datetime, invoke: Invoker) -> Next | End:
    """Run state ``name`` on ``data``; a Fail state or an uncaught error raises StatesError."""
    kind = state.get("Type")
    runner = _RUNNERS.get(kind)
    if runner is None:
        raise StatesError("States.Runtime", f"State '{name}' has Type {kind!r}, which the simulator does not interpret "
                                            "(it runs Pass, Task, Choice, Wait, Succeed and Fail states)")
    return runner(name, state, data, context, now, invoke)


def _then(state: dict, name: str, output) -> Next | End:
    if state.get("End"):
        return End(output)
    if "Next" not in state:
        raise StatesError("States.Runtime", f"State '{name}' has neither Next nor End")
    return Next(state["Next"], output)


def _pass(name, state, data, context, now, invoke):
    effective = paths.select(state, "InputPath", data, context)
    if "Parameters" in state:
        effective = paths.fill(state["Parameters"], effective, context)
    result = state["Result"] if "Result" in state else effective
    output = paths.place(result, state.get("ResultPath", "$"), data)
    return _then(state, name, paths.select(state, "OutputPath", output, context))


def _task(name, state, data, context, now, invoke):
    try:
        effective = paths.select(state, "InputPath", data, context)
        if "Parameters" in state:
            effective = paths.fill(state["Parameters"], effective, context)
        result = _call(name, state, effective, invoke)
        if "ResultSelector" in state:
            result = paths.fill(state["ResultSelector"], result, context)
        output = paths.place(result, state.get("ResultPath", "$"), data)
        return _then(state, name, paths.select(state, "OutputPath", output, context))
    except StatesError as problem:
        catcher = _catcher(state.get("Catch") or [], problem.error)
        if catcher is None:
            raise
        caught = {"Error": problem.error, "Cause": problem.cause}
        return Next(catcher["Next"], paths.place(caught, catcher.get("ResultPath", "$"), data))


def _call(name: str, state: dict, effective, invoke: Invoker):
    resource = state.get("Resource", "")
    if resource in LAMBDA_INVOKE:
        if not isinstance(effective, dict) or "FunctionName" not in effective:
            raise StatesError("States.Runtime", f"Task '{name}' calls lambda:invoke without Parameters.FunctionName")
        payload = effective.get("Payload", {})
        return {"ExecutedVersion": "$LATEST", "Payload": invoke(effective["FunctionName"], payload), "StatusCode": 200}
    if resource.startswith("arn:aws:lambda:") and ":function:" in resource:
        return invoke(resource, effective)
    raise StatesError("States.Runtime", f"Task '{name}' uses Resource {resource!r}: the simulator runs only Lambda "
                                        "tasks (a function ARN, or arn:aws:states:::lambda:invoke)")


def _catcher(catchers: list, error: str) -> dict | None:
    for catcher in catchers:
        names = catcher.get("ErrorEquals") or []
        if error in names or "States.ALL" in names or ("States.TaskFailed" in names and error != "States.Timeout"):
            return catcher
    return None


def _choice(name, state, data, context, now, invoke):
    effective = paths.select(state, "InputPath", data, context)
    output = paths.select(state, "OutputPath", effective, context)
    for rule in state.get("Choices") or []:
        if choice.matches(rule, effective, context):
            return Next(rule["Next"], output)
    if "Default" in state:
        return Next(state["Default"], output)
    raise StatesError("States.NoChoiceMatched", f"No Matches! (state '{name}' has no Default)")


def _wait(name, state, data, context, now, invoke):
    effective = paths.select(state, "InputPath", data, context)
    if "Seconds" in state or "SecondsPath" in state:
        seconds = state["Seconds"] if "Seconds" in state else paths.read(state["SecondsPath"], effective, context)
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
            raise StatesError("States.Runtime",
                              f"Wait state '{name}': the number of seconds must be a non-negative integer, not {seconds!r}")
        delay = timedelta(seconds=seconds)
    elif "Timestamp" in state or "TimestampPath" in state:
        text = state["Timestamp"] if "Timestamp" in state else paths.read(state["TimestampPath"], effective, context)
        until = choice.timestamp(text)
        if until is None or until.tzinfo is None:
            raise StatesError("States.Runtime", f"Wait state '{name}': {text!r} is not an ISO 8601 timestamp with a time zone")
        delay = max(until - now, timedelta(0))
    else:
        raise StatesError("States.Runtime", f"Wait state '{name}' needs Seconds, SecondsPath, Timestamp or TimestampPath")
    then = _then(state, name, paths.select(state, "OutputPath", effective, context))
    if isinstance(then, End):
        return Next("", then.data, delay)      # "" = end of the execution after the wait
    then.delay = delay
    return then


def _succeed(name, state, data, context, now, invoke):
    effective = paths.select(state, "InputPath", data, context)
    return End(paths.select(state, "OutputPath", effective, context))


def _fail(name, state, data, context, now, invoke):
    raise StatesError(state.get("Error", ""), state.get("Cause", ""))     # both optional in a Fail state


_RUNNERS = {"Pass": _pass, "Task": _task, "Choice": _choice, "Wait": _wait, "Succeed": _succeed, "Fail": _fail}
