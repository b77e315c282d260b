"""Where boto3 calls reach the simulator: the one module that knows moto's internals.

moto answers a request by calling the method of the service's response class that is named
after the operation. Setting such methods while a Lab runs makes *every* boto3 client in the
process — the Lab's, a learner's plain ``boto3.client(...)``, a Lambda handler's — reach the
simulator, with botocore parsing the answers exactly as it parses AWS's.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from moto.core.responses import ActionResult

from codepipeline_lab.simulator.errors import AwsError, ValidationException

Handler = Callable[[dict, "RequestContext"], dict | None]

_installed: list[tuple[type, str, Any]] = []


@dataclass(frozen=True)
class RequestContext:
    region: str
    account_id: str
    access_key_id: str | None


def _response_class(service: str) -> type:
    if service == "codepipeline":
        from moto.codepipeline.responses import CodePipelineResponse
        return CodePipelineResponse
    if service == "codecommit":
        from moto.codecommit.responses import CodeCommitResponse
        return CodeCommitResponse
    if service == "codebuild":
        from moto.codebuild.responses import CodeBuildResponse
        return CodeBuildResponse
    if service == "lambda":
        from moto.awslambda.responses import LambdaResponse
        return LambdaResponse
    if service == "events":
        from moto.events.responses import EventsHandler
        return EventsHandler
    if service == "codedeploy":
        from moto.codedeploy.responses import CodeDeployResponse
        return CodeDeployResponse
    raise ValueError(f"the simulator has no adapter for {service}")


def _method(handler: Handler) -> Callable:
    def method(self):
        try:
            params = json.loads(self.body) if self.body else {}
        except (TypeError, ValueError):
            params = {}
        context = RequestContext(self.region, self.current_account, self.get_access_key())
        result = handler(params, context)
        return ActionResult(result or {})
    return method


def _lambda_invoke_method(handler: Handler) -> Callable:
    """Lambda's Invoke is REST-JSON with a raw payload: the function name is in the path, the
    payload is the body, and the answer is the function's own bytes with headers beside them."""
    from urllib.parse import unquote

    def method(self):
        params = {"FunctionName": unquote(self.path.rsplit("/", 2)[-2]), "Qualifier": self._get_param("qualifier"),
                  "Payload": self.body or b"", "InvocationType": self.headers.get("X-Amz-Invocation-Type") or "RequestResponse",
                  "LogType": self.headers.get("X-Amz-Log-Type")}
        context = RequestContext(self.region, self.current_account, self.get_access_key())
        result = handler(params, context)
        headers = {"content-type": "application/json", "x-amz-executed-version": result.get("ExecutedVersion", "$LATEST")}
        if result.get("FunctionError"):
            headers["x-amz-function-error"] = result["FunctionError"]
        if result.get("LogResult"):
            headers["x-amz-log-result"] = result["LogResult"]
        return result["StatusCode"], headers, result.get("Payload", b"")
    return method


# Operations whose wire format is not a JSON document of parameters.
_ADAPTERS = {("lambda", "invoke"): _lambda_invoke_method}


def install(account) -> None:
    """Route the operations the simulator implements to ``account``'s handlers."""
    # AccessDeniedException is common to every AWS service but absent from some service models;
    # moto serializes it correctly and only warns about the model.
    warnings.filterwarnings("ignore", message=r"Exception\(AccessDeniedException\)")
    uninstall()
    for (service, operation), handler in account.handlers().items():
        cls = _response_class(service)
        _installed.append((cls, operation, cls.__dict__.get(operation)))
        setattr(cls, operation, _ADAPTERS.get((service, operation), _method)(handler))


def uninstall() -> None:
    while _installed:
        cls, operation, original = _installed.pop()
        if original is None:
            delattr(cls, operation)
        else:
            setattr(cls, operation, original)


__all__ = ["install", "uninstall", "RequestContext", "AwsError", "ValidationException"]


# -- reading moto's own state (kept here: the only module that knows moto's internals) ------

def role_trust_policy(account_id: str, role_arn: str) -> str | None:
    """The trust policy of an IAM role in moto's account, or None when there is no such role."""
    from moto.iam.models import iam_backends
    backend = iam_backends[account_id]["global"]
    for role in backend.roles.values():
        if role.arn == role_arn:
            return role.assume_role_policy_document
    return None


@dataclass
class EventRule:
    name: str
    enabled: bool
    pattern: object
    targets: list[dict]

    def matches(self, event: dict) -> bool:
        return self.pattern is not None and self.pattern.matches_event(event)


def event_rules(account_id: str, region: str, bus: str = "default") -> list[EventRule]:
    """The rules of an event bus in moto's EventBridge, with moto's own pattern matcher."""
    from moto.events.models import events_backends
    event_bus = events_backends[account_id][region].event_buses.get(bus)
    if event_bus is None:
        return []
    return [EventRule(rule.name, rule.state == "ENABLED", rule.event_pattern, list(rule.targets))
            for rule in event_bus.rules.values() if rule.event_pattern.get_pattern()]


def user_of_access_key(account_id: str, access_key_id: str | None) -> str | None:
    """The IAM user name that owns an access key in moto's account (None for the Lab's own key)."""
    from moto.iam.models import iam_backends
    if not access_key_id:
        return None
    for user in iam_backends[account_id]["global"].users.values():
        if any(key.access_key_id == access_key_id for key in user.access_keys):
            return user.name
    return None


def user_policies(account_id: str, user_name: str) -> list[dict]:
    """Every policy document that applies to a user: inline, attached, and through groups."""
    from moto.iam.models import iam_backends
    backend = iam_backends[account_id]["global"]
    user = backend.users[user_name]
    documents = list(user.policies.values())
    attached = list(user.managed_policies.values())
    for group in backend.get_groups_for_user(user_name):
        documents += list(group.policies.values())
        attached += list(group.managed_policies.values())
    documents += [v.document for p in attached for v in p.versions if v.version_id == p.default_version_id]
    return [json.loads(d) if isinstance(d, str) else d for d in documents]


def write_log_events(account_id: str, region: str, group: str, stream: str, events: list[tuple[datetime, str]]) -> None:
    """Append events to a CloudWatch Logs stream (creating group and stream) at virtual times.

    moto's PutLogEvents drops events older than 14 days of the real clock and stamps the real
    ingestion time; the simulator's events carry virtual times, so they are stored directly.
    """
    from moto.logs.models import logs_backends
    backend = logs_backends[account_id][region]
    if group not in backend.groups:
        backend.create_log_group(group, tags={})
    log_group = backend.groups[group]
    if stream not in log_group.streams:
        log_group.create_log_stream(stream)
    log_stream = log_group.streams[stream]
    first = len(log_stream.events)
    log_stream.put_log_events([{"timestamp": _millis(when), "message": message} for when, message in events])
    for event in log_stream.events[first:]:
        event.ingestion_time = event.timestamp
    if events:
        log_stream.last_ingestion_time = events[-1][0].astimezone(timezone.utc).replace(tzinfo=None)   # moto keeps naive UTC


def _millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


@dataclass
class LambdaFunction:
    name: str
    arn: str
    region: str
    runtime: str | None
    handler: str | None
    code: bytes
    environment: dict
    timeout: int
    memory_size: int


def lambda_function(account_id: str, region: str, name_or_arn: str) -> LambdaFunction | None:
    """A function of moto's Lambda with its zip, or None when there is no such function."""
    from moto.awslambda.utils import get_backend   # the Docker-free backend under the Lab's mock config
    if name_or_arn.startswith("arn:"):
        region = name_or_arn.split(":")[3]
    backend = get_backend(account_id, region)
    name = name_or_arn.split(":")[6] if name_or_arn.startswith("arn:") else name_or_arn
    try:
        function = backend.get_function(name, None)
    except Exception:  # moto raises its own UnknownFunctionException
        return None
    return LambdaFunction(function.function_name, function.function_arn, region, function.run_time, function.handler,
                          getattr(function, "code_bytes", b"") or b"", dict(function.environment_vars or {}),
                          int(function.timeout or 3), int(function.memory_size or 128))
