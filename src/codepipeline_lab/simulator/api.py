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
    from moto.core.common_models import BaseModel  # noqa: F401  (moto's models are plain objects)
    backend = iam_backends[account_id]["global"]
    for role in backend.roles.values():
        if role.arn == role_arn:
            return role.assume_role_policy_document
    return None
