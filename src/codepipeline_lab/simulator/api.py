"""Where boto3 calls reach the simulator: the one module that knows moto's internals.

moto answers a request by calling the method of the service's response class that is named
after the operation. Setting such methods while a Lab runs makes *every* boto3 client in the
process — the Lab's, a learner's plain ``boto3.client(...)``, a Lambda handler's — reach the
simulator, with botocore parsing the answers exactly as it parses AWS's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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


def install(account) -> None:
    """Route the operations the simulator implements to ``account``'s handlers."""
    uninstall()
    for (service, operation), handler in account.handlers().items():
        cls = _response_class(service)
        _installed.append((cls, operation, cls.__dict__.get(operation)))
        setattr(cls, operation, _method(handler))


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
    documents += [p.default_version.document for p in attached]
    return [json.loads(d) if isinstance(d, str) else d for d in documents]
