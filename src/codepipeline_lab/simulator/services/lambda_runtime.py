"""Run a Python Lambda function in this process, as Lambda's Python runtime would: the
handler is imported from the unpacked zip, called with the event and a context object, with
the function's environment variables set; what it prints goes to its CloudWatch Logs.

Each invocation imports the code afresh from its own temporary directory and removes the
modules and the path entry afterwards, so two functions with the same module name never see
each other's code.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import shutil
import sys
import tempfile
import traceback
import zipfile

import boto3
from dataclasses import dataclass
from datetime import datetime

from codepipeline_lab.simulator.artifacts import extract

TASK_ROOT = "/var/task"


@dataclass
class Invocation:
    payload: bytes                  # the JSON answer (or Lambda's error document)
    error: dict | None              # {"errorMessage", "errorType", ...} when the function failed
    output: str                     # what the function printed


class Context:
    """The context object a Python handler receives."""

    def __init__(self, function, request_id: str) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = str(function.memory_size)
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = f"[$LATEST]{request_id.replace('-', '')}"
        self._timeout_ms = function.timeout * 1000

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout_ms     # the simulator does not count the handler's real time


def invoke(function, event, request_id: str, credentials: tuple[str, str, str] | None = None) -> Invocation:
    """Run the handler; with ``credentials`` (of the execution role) in its environment, as Lambda does."""
    if not (function.runtime or "").startswith("python"):
        return _failure("Runtime.InvalidRuntime", f"The simulator runs Python functions only; {function.name} uses {function.runtime}")
    directory = tempfile.mkdtemp(prefix="codepipeline-lab-lambda-")
    try:
        try:
            extract(function.code, directory)
        except zipfile.BadZipFile:
            return _failure("Runtime.InvalidEntrypoint", f"The deployment package of {function.name} is not a zip file")
        return _call(function, event, request_id, directory, credentials)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _call(function, event, request_id: str, directory: str, credentials=None) -> Invocation:
    module_name, _, handler_name = (function.handler or "").rpartition(".")
    module_name = module_name.replace("/", ".")
    output = io.StringIO()
    with _isolated(directory), _environment(function, directory, credentials), contextlib.redirect_stdout(output):
        try:
            module = importlib.import_module(module_name)
        except Exception as problem:
            return _failure("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {_reason(problem)}", output)
        handler = getattr(module, handler_name, None)
        if not callable(handler):
            return _failure("Runtime.HandlerNotFound", f"Handler '{handler_name}' missing on module '{module_name}'", output)
        try:
            result = handler(event, Context(function, request_id))
        except Exception as problem:
            trace = [_frame(f, directory) for f in traceback.extract_tb(problem.__traceback__) if f.filename.startswith(directory)]
            return _failure(type(problem).__name__, str(problem), output, trace)
    try:
        return Invocation(json.dumps(result).encode(), None, output.getvalue())
    except (TypeError, ValueError) as problem:
        return _failure("Runtime.MarshalError", f"Unable to marshal response: {problem}", output)


@contextlib.contextmanager
def _isolated(directory: str):
    before = set(sys.modules)
    sys.path.insert(0, directory)
    importlib.invalidate_caches()
    try:
        yield
    finally:
        if directory in sys.path:
            sys.path.remove(directory)
        for name in set(sys.modules) - before:
            if _loaded_from(sys.modules.get(name), directory):
                del sys.modules[name]


def _loaded_from(module, directory: str) -> bool:
    places = [getattr(module, "__file__", None) or ""] + list(getattr(module, "__path__", None) or [])
    return any(str(place).startswith(directory) for place in places)


@contextlib.contextmanager
def _environment(function, directory: str, credentials=None):
    values = {**{k: str(v) for k, v in function.environment.items()},
              "AWS_REGION": function.region, "AWS_DEFAULT_REGION": function.region,
              "AWS_LAMBDA_FUNCTION_NAME": function.name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
              "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size), "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
              "LAMBDA_TASK_ROOT": TASK_ROOT, "_HANDLER": function.handler or ""}
    if credentials:
        values.update(AWS_ACCESS_KEY_ID=credentials[0], AWS_SECRET_ACCESS_KEY=credentials[1], AWS_SESSION_TOKEN=credentials[2])
    saved = {name: os.environ.get(name) for name in values}
    saved_session = boto3.DEFAULT_SESSION      # boto3's default session keeps the keys it first found
    boto3.DEFAULT_SESSION = None
    os.environ.update(values)
    try:
        yield
    finally:
        boto3.DEFAULT_SESSION = saved_session
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _frame(frame, directory: str) -> str:
    path = frame.filename.replace(directory, TASK_ROOT)
    return f'  File "{path}", line {frame.lineno}, in {frame.name}\n    {frame.line}\n'


def _reason(problem: Exception) -> str:
    return str(problem) if not isinstance(problem, SyntaxError) else f"{problem.msg} ({os.path.basename(problem.filename or '')}, line {problem.lineno})"


def failure(error_type: str, message: str) -> Invocation:
    """An invocation that failed before the handler ran."""
    return _failure(error_type, message)


def _failure(error_type: str, message: str, output: io.StringIO | None = None, trace: list | None = None) -> Invocation:
    error = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": trace or []}
    return Invocation(json.dumps(error).encode(), error, output.getvalue() if output else "")


def log_lines(function, request_id: str, invocation: Invocation, when: datetime) -> list[tuple[datetime, str]]:
    lines = [(when, f"START RequestId: {request_id} Version: $LATEST")]
    lines += [(when, line) for line in invocation.output.splitlines()]
    if invocation.error:
        lines.append((when, json.dumps({k: v for k, v in invocation.error.items() if k != "requestId"})))
    lines += [(when, f"END RequestId: {request_id}")]
    return lines
