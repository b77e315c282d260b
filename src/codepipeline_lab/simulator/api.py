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

from moto.core.responses import ActionResult, BaseResponse

from codepipeline_lab.simulator.errors import AwsError, ValidationException

Handler = Callable[[dict, "RequestContext"], dict | None]

_installed: list[tuple[type, str, Any]] = []


@dataclass(frozen=True)
class RequestContext:
    region: str
    account_id: str
    access_key_id: str | None


# service -> (module, class) of moto's response class for that service
_RESPONSE_CLASSES = {
    "codepipeline": ("moto.codepipeline.responses", "CodePipelineResponse"),
    "codecommit": ("moto.codecommit.responses", "CodeCommitResponse"),
    "codebuild": ("moto.codebuild.responses", "CodeBuildResponse"),
    "lambda": ("moto.awslambda.responses", "LambdaResponse"),
    "events": ("moto.events.responses", "EventsHandler"),
    "codedeploy": ("moto.codedeploy.responses", "CodeDeployResponse"),
    "iam": ("moto.iam.responses", "IamResponse"),
    "cloudtrail": ("moto.cloudtrail.responses", "CloudTrailResponse"),
    "sts": ("moto.sts.responses", "TokenResponse"),
    "elasticbeanstalk": ("moto.elasticbeanstalk.responses", "EBResponse"),
    "stepfunctions": ("moto.stepfunctions.responses", "StepFunctionResponse"),
    # moto has no such services: the Lab's own response classes below
    "codestar-connections": ("codepipeline_lab.simulator.api", "CodeStarConnectionsResponse"),
    "codeconnections": ("codepipeline_lab.simulator.api", "CodeConnectionsResponse"),
}


def _response_class(service: str) -> type:
    import importlib
    if service not in _RESPONSE_CLASSES:
        raise ValueError(f"the simulator has no adapter for {service}")
    module, name = _RESPONSE_CLASSES[service]
    return getattr(importlib.import_module(module), name)


def moto_answers(service: str, method_name: str) -> bool:
    """Whether moto's own response class answers an operation (by its snake_case name), whatever
    the simulator has set on it; a method that only raises NotImplementedError is a stub."""
    import ast
    import inspect
    import textwrap
    cls = _response_class(service)
    originals = [original for found, name, original in _installed if found is cls and name == method_name]
    function = originals[0] if originals else cls.__dict__.get(method_name)
    if function is None:
        function = next((vars(base)[method_name] for base in cls.__mro__[1:] if method_name in vars(base)), None)
    module = getattr(function, "__module__", "") or ""
    if not inspect.isfunction(function) or not module.startswith("moto.") or module.startswith("moto.core."):
        return False
    try:
        body = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0].body
    except (OSError, TypeError, SyntaxError):
        return True
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]                                         # the docstring
    stub = (len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None
            and "NotImplementedError" in ast.unparse(body[0].exc))
    return not stub


# -- services moto does not have: CodeStar Connections and CodeConnections ------------------
# moto's botocore hook answers their URLs with a bare 404 "Not yet implemented". While a Lab
# runs, their requests (JSON-RPC, X-Amz-Target) reach these response classes instead, so the
# simulator's handlers are set on them as on moto's own classes, and moto's machinery
# (authorization, errors serialized from botocore's model) serves them.

class CodeStarConnectionsResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="codestar-connections")


class CodeConnectionsResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="codeconnections")


def _route_services_moto_lacks() -> None:
    import re
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.core.exceptions import HTTPException
    from moto.core.request import normalize_request

    routes = [(re.compile(rf"https?://{re.escape(service)}\.[^/.]+\.amazonaws\.com(\.cn)?(/|$)"), cls)
              for service, cls in (("codestar-connections", CodeStarConnectionsResponse),
                                   ("codeconnections", CodeConnectionsResponse))]
    original = BotocoreStubber.process_request

    def process_request(self, request):
        for pattern, cls in routes:
            if pattern.match(request.url):
                normalized = normalize_request(request)
                try:
                    return cls.dispatch(normalized, normalized.raw_url, normalized.headers)
                except HTTPException as answer:
                    return answer.code, answer.get_headers(), answer.get_body()
        return original(self, request)

    _patch(BotocoreStubber, "process_request", process_request)


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


def _query_method(handler: Handler) -> Callable:
    """IAM speaks the query protocol: moto's IamResponse has already parsed the form
    (``ActionNames.member.1`` …) into ``self.params`` with botocore's model, and its serializer
    writes a dict result as IAM's XML (``<SimulatePrincipalPolicyResult>`` …)."""
    def method(self):
        context = RequestContext(self.region, self.current_account, self.get_access_key())
        return ActionResult(handler(_plain(self.params), context) or {})
    return method


def _plain(value):
    """moto's parsed parameters as ordinary dicts and lists."""
    if isinstance(value, dict) or hasattr(value, "items"):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


# Operations whose wire format is not a JSON document of parameters.
_ADAPTERS = {("lambda", "invoke"): _lambda_invoke_method,
             ("iam", "simulate_principal_policy"): _query_method,
             ("iam", "simulate_custom_policy"): _query_method,
             ("elasticbeanstalk", "create_application_version"): _query_method,
             ("elasticbeanstalk", "describe_application_versions"): _query_method,
             ("elasticbeanstalk", "update_environment"): _query_method}


def install(account) -> None:
    """Route the operations the simulator implements to ``account``'s handlers."""
    # Denial codes are common to every AWS service but absent from some service models; moto
    # serializes them correctly and only warns about the model.
    warnings.filterwarnings("ignore", message=r"Exception\((AccessDeniedException|AccessDenied|AuthorizationError)\)")
    uninstall()
    _route_services_moto_lacks()
    for (service, operation), handler in account.handlers().items():
        if service in _IMPORTED_ON_FIRST_USE:
            _on_first_use(service, lambda s=service, o=operation, h=handler: _route(s, o, h))
        else:
            _route(service, operation, handler)
    install_authorizer(account.authorizer.account_of_key, account.authorizer.authorize_request)


def _route(service: str, operation: str, handler: Handler) -> None:
    cls = _response_class(service)
    _installed.append((cls, operation, cls.__dict__.get(operation)))
    setattr(cls, operation, _ADAPTERS.get((service, operation), _method)(handler))


# Services whose moto modules take seconds to import (CloudFormation pulls in API Gateway, EC2,
# Auto Scaling …): their patches wait for the first request to the service, so a Lab that never
# uses them starts in a fraction of a second.
_IMPORTED_ON_FIRST_USE = {"cloudformation": "moto.cloudformation"}
_waiting: dict[str, list[Callable[[], None]]] = {}


def _on_first_use(service: str, installer: Callable[[], None]) -> None:
    _waiting.setdefault(_IMPORTED_ON_FIRST_USE[service], []).append(installer)


def _first_use(module: str) -> None:
    """Run what waits for a moto module (called for every request, and before direct reads)."""
    for prefix in [p for p in _waiting if module.startswith(p)]:
        for installer in _waiting.pop(prefix):
            installer()


def uninstall() -> None:
    _waiting.clear()
    while _installed:
        cls, operation, original = _installed.pop()
        if original is None:
            delattr(cls, operation)
        else:
            setattr(cls, operation, original)


# -- every request: which account it reaches, and whether its caller may make it ------------

@dataclass
class Request:
    """A request as the authorizer needs it, whatever the service's wire protocol."""
    service: str            # the endpoint prefix ("s3", "codecommit", "monitoring" …)
    operation: str          # AWS's operation name ("GetObject", "GetBranch" …)
    region: str
    account_id: str         # the account the caller's key belongs to
    access_key_id: str
    params: dict
    path: str
    headers: dict
    s3_resource: str | None = None     # moto's ARN of the bucket or object, for S3


def install_authorizer(account_of_key: Callable[[str], str | None], authorize: Callable[[Request], None]) -> None:
    """Send every request through ``authorize`` (which raises AwsError to deny it) and let an
    access key name its account (the administrators of several accounts, role sessions)."""
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.responses import BaseResponse

    original_account = BaseResponse.get_current_account

    def get_current_account(self):
        return account_of_key(self.get_access_key()) or original_account(self)

    def authenticate_and_authorize(self, iam_request_cls, resource="*"):
        if _waiting:
            _first_use(type(self).__module__)
        request = _request(self, resource)
        try:
            authorize(request)
        except AwsError as denied:
            raise _denial(self, request, denied) from None

    _patch(BaseResponse, "get_current_account", get_current_account)
    _patch(ActionAuthenticatorMixin, "_authenticate_and_authorize_action", authenticate_and_authorize)


def _patch(cls, name: str, value) -> None:
    _installed.append((cls, name, cls.__dict__.get(name)))
    setattr(cls, name, value)


def _request(response, resource: str) -> Request:
    service = getattr(response, "service_name", None) or type(response).__module__.split(".")[1]
    is_s3 = service == "s3"
    return Request(service=service, operation=response._get_action() or "", region=response.region,
                   account_id=response.current_account, access_key_id=response.get_access_key(),
                   params={} if is_s3 else _params(response), path=response.path or "",
                   headers={k.lower(): v for k, v in dict(response.headers or {}).items()},
                   s3_resource=resource if is_s3 else None)


def _params(response) -> dict:
    body = response.body
    if body:
        try:
            parsed = json.loads(body)
            if isinstance(parsed, dict):
                return parsed
        except (TypeError, ValueError):
            pass
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in (response.querystring or {}).items()}


class _Denied(Exception):
    """A serialized error answer: raised from moto's authorization step, sent as it is."""


def _denial(response, request: Request, denied: AwsError) -> Exception:
    if request.service == "s3":
        from moto.s3.exceptions import S3ClientError
        return S3ClientError(denied.code, str(denied.message if hasattr(denied, "message") else denied))
    from werkzeug.exceptions import HTTPException

    status, headers, body = response.serialized(ActionResult(denied))

    class Answer(HTTPException):
        code = status
        description = body

        def get_headers(self, *args, **kwargs):
            return list(headers.items())

    return Answer()


def access_key_owner(access_key_id: str) -> str | None:
    """The account of an IAM user's key or a role session's key, from moto's IAM."""
    from moto.iam.models import iam_backends
    for account_id, partitions in list(iam_backends.items()):
        if access_key_id in partitions["global"].access_keys:
            return account_id
    return None


@dataclass(frozen=True)
class KeyHolder:
    kind: str                   # "user" | "session"
    account_id: str
    arn: str                    # the user's ARN, or the session's assumed-role ARN
    principal_id: str           # AIDA… of the user, or AROA…:<session>
    user_name: str | None = None
    role_arn: str | None = None
    role_id: str | None = None
    session_name: str | None = None


def key_holder(access_key_id: str) -> KeyHolder | None:
    """Who owns an access key in moto: an IAM user, or a session of an assumed role."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends
    account_id = access_key_owner(access_key_id)
    if account_id is None:
        return None
    backend = iam_backends[account_id]["global"]
    key = backend.access_keys[access_key_id]
    if key.user_name:
        user = backend.users.get(key.user_name)
        return KeyHolder("user", account_id, user.arn, user.id, user_name=user.name) if user else None
    for session in sts_backends[account_id]["aws"].assumed_roles:
        if session.access_key_id == access_key_id:
            found = role(account_id, session.role_arn)
            role_id = found.role_id if found else "AROA" + "0" * 17
            return KeyHolder("session", account_id, session.arn, f"{role_id}:{session.session_name}",
                             role_arn=session.role_arn, role_id=role_id, session_name=session.session_name)
    return None


def assume_role(role_arn: str, session_name: str, region: str) -> tuple[str, str, str]:
    """Credentials of a new session of ``role_arn`` (moto's STS keeps them, so the session's
    calls reach the role's account and sts.get_caller_identity answers with its ARN)."""
    from moto.sts.models import sts_backends
    account_id = role_arn.split(":")[4]
    session = sts_backends[account_id]["aws"].assume_role(
        region_name=region, role_session_name=session_name, role_arn=role_arn, policy=None, duration=3600, external_id=None)
    return session.access_key_id, session.secret_access_key, session.session_token


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


@dataclass(frozen=True)
class RoleInfo:
    arn: str
    name: str
    role_id: str
    account_id: str
    trust_policy: str


def role(account_id: str, role_arn: str) -> RoleInfo | None:
    """An IAM role of moto's account by ARN, or None when there is no such role."""
    from moto.iam.models import iam_backends
    if account_id not in iam_backends:
        return None
    for found in iam_backends[account_id]["global"].roles.values():
        if found.arn == role_arn:
            return RoleInfo(found.arn, found.name, found.id, account_id, found.assume_role_policy_document)
    return None


def _managed_documents(attached) -> list:
    from codepipeline_lab.simulator.identity.policy import PolicySource
    sources = []
    for policy in attached:
        version = next(v for v in policy.versions if v.version_id == policy.default_version_id)
        kind = "aws-managed" if ":aws:policy/" in policy.arn else "user-managed"
        sources.append(PolicySource(policy.arn, kind, _text(version.document)))
    return sources


def _text(document) -> str:
    return document if isinstance(document, str) else json.dumps(document)


def identity_policies(account_id: str, principal_arn: str) -> list | None:
    """Every identity policy of a user (inline, attached, and through its groups) or of a role,
    as PolicySources; None when the account has no such user or role."""
    from moto.iam.models import iam_backends
    from codepipeline_lab.simulator.identity.policy import PolicySource
    backend = iam_backends[account_id]["global"]
    for found in backend.roles.values():
        if found.arn == principal_arn:
            return ([PolicySource(name, "role", _text(doc)) for name, doc in found.policies.items()]
                    + _managed_documents(found.managed_policies.values()))
    for user in backend.users.values():
        if user.arn == principal_arn:
            sources = [PolicySource(name, "user", _text(doc)) for name, doc in user.policies.items()]
            attached = list(user.managed_policies.values())
            for group in backend.get_groups_for_user(user.name):
                sources += [PolicySource(name, "group", _text(doc)) for name, doc in group.policies.items()]
                attached += list(group.managed_policies.values())
            return sources + _managed_documents(attached)
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
    role: str = ""


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
                          int(function.timeout or 3), int(function.memory_size or 128), function.role or "")


# -- resource-based policies, read where AWS evaluates them ----------------------------------

def bucket_owner(bucket: str) -> str | None:
    from moto.s3.models import s3_backends
    owner = s3_backends.bucket_accounts.get(bucket)
    return owner[1] if owner else None


def bucket_policy(bucket: str) -> str | None:
    from moto.s3.models import s3_backends
    owner = bucket_owner(bucket)
    if owner is None:
        return None
    found = s3_backends[owner]["aws"].buckets.get(bucket)
    policy = getattr(found, "policy", None)
    return policy.decode() if isinstance(policy, bytes) else policy


def object_kms_key(bucket: str, key: str) -> str | None:
    """The KMS key an object was encrypted with (SSE-KMS with a named key), or None."""
    from moto.s3.models import s3_backends
    owner = bucket_owner(bucket)
    found = s3_backends[owner]["aws"].buckets.get(bucket) if owner else None
    stored = found.keys.get(key) if found is not None else None
    return getattr(stored, "kms_key_id", None) if stored is not None else None


@dataclass(frozen=True)
class KmsKey:
    arn: str
    policy: str


def kms_key(key_arn: str) -> KmsKey | None:
    """A KMS key by ARN (key/<id> or alias/<name>), in its own account and region."""
    from moto.kms.models import kms_backends
    _, _, _, region, account_id, resource = key_arn.split(":", 5)
    backend = kms_backends[account_id][region]
    try:
        found = backend.keys[backend.any_id_to_key_id(key_arn)]
    except Exception:   # moto raises its own NotFound types; None means "no such key" here
        return None
    return KmsKey(found.arn, found.policy)


def topic_policy(topic_arn: str) -> str | None:
    from moto.sns.models import sns_backends
    _, _, _, region, account_id, _ = topic_arn.split(":", 5)
    topic = sns_backends[account_id][region].topics.get(topic_arn)
    return topic.policy if topic is not None else None


def function_policy(function_arn: str) -> str | None:
    from moto.awslambda.utils import get_backend
    _, _, _, region, account_id, _, name = function_arn.split(":")[:7]
    try:
        return get_backend(account_id, region).get_policy(name, None)
    except Exception:   # moto raises when a function has no policy
        return None


# -- CloudTrail trails: moto stores them; the audit trail reads their configuration ----------

@dataclass(frozen=True)
class TrailConfig:
    name: str
    arn: str
    home_region: str
    bucket: str
    key_prefix: str | None
    is_multi_region: bool
    include_global_service_events: bool
    is_logging: bool
    event_selectors: list
    advanced_event_selectors: list


def _trail_config(trail) -> TrailConfig:
    return TrailConfig(trail.trail_name, trail.arn, trail.region_name, trail.bucket_name, trail.s3_key_prefix or None,
                       bool(trail.is_multi_region), bool(trail.include_global_service_events), trail.status.is_logging,
                       list(trail.event_selectors), list(trail.advanced_event_selectors))


def _moto_trails(account_id: str) -> list:
    from moto.cloudtrail.models import cloudtrail_backends
    found = []
    for _region, backend in sorted(cloudtrail_backends[account_id].items()):
        found += sorted(backend.trails.values(), key=lambda t: t.trail_name)
    return found


def trails(account_id: str) -> list[TrailConfig]:
    """Every trail of the account in every region, in a stable order."""
    return [_trail_config(t) for t in _moto_trails(account_id)]


def set_trail_logging(account_id: str, trail_arn: str, logging: bool) -> None:
    """Turn a trail's logging on or off in moto (StartLogging/StopLogging)."""
    for trail in _moto_trails(account_id):
        if trail.arn == trail_arn:
            trail.start_logging() if logging else trail.stop_logging()


def write_s3_object(account_id: str, bucket: str, key: str, body: bytes, when: datetime) -> bool:
    """Put an object straight into moto's S3, dated by the virtual clock; False when there is no
    such bucket. A service writing its own files (trail delivery) must not appear as a caller's
    request, nor set off S3 notifications."""
    from moto.s3.models import s3_backends
    backend = s3_backends[account_id]["aws"]
    try:
        backend.get_bucket(bucket)
    except Exception:  # moto raises its own MissingBucket
        return False
    stored = backend.put_object(bucket, key, body, disable_notification=True)
    stored.last_modified = when.astimezone(timezone.utc).replace(tzinfo=None)   # moto keeps naive UTC
    return True


# -- the account over HTTP (moto's own server application, in this process) ------------------

def account_http_server(host: str, port: int):
    """A werkzeug server answering AWS requests from moto's state (and the simulator's handlers,
    which are set on the same classes); quiet, as a notebook's output must stay clean. A request
    for a service moto does not simulate gets a clear client error instead of a 500."""
    from werkzeug.serving import make_server
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args, **kwargs) -> None:
            pass

    class LabDispatcher(DomainDispatcherApplication):
        def get_backend_for_host(self, host):
            for backend, pattern in self.backend_url_patterns:       # as moto, without its print
                if host and pattern.match(f"http://{host}"):
                    return backend
            return host if host == "moto_api" or host in _moto_modules() else None

        def __call__(self, environ, start_response):
            try:
                self.get_application(environ)
            except Exception:        # moto found no backend: the Lab does not simulate this service
                return _not_simulated(environ, start_response)
            return super().__call__(environ, start_response)

    return make_server(host, port, LabDispatcher(create_backend_app), threaded=True, request_handler=QuietHandler)


def _moto_modules():
    from moto import backends
    return backends.list_of_moto_modules()


def _not_simulated(environ, start_response):
    """AWS-style error for a service the Lab does not serve: JSON with x-amzn-ErrorType (read by
    every JSON protocol) and XML for query and REST-XML clients; 400, so clients do not retry."""
    host = environ.get("HTTP_HOST", "")
    service = _service_of(environ) or host
    message = (f"The CodePipeline Lab does not simulate the service '{service}': the Lab answers only the services "
               "moto simulates, and nothing outside the Lab is reached (see docs/simulation-notes.md).")
    if _protocol_of(service) not in ("query", "ec2", "rest-xml"):
        body = json.dumps({"__type": "NotImplemented", "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "NotImplemented")]
    else:
        body = (f"<ErrorResponse><Error><Code>NotImplemented</Code><Message>{message}</Message></Error>"
                "<RequestId>lab</RequestId></ErrorResponse>").encode()
        headers = [("Content-Type", "text/xml")]
    start_response("400 Bad Request", headers + [("Content-Length", str(len(body)))])
    return [body]


def _protocol_of(service: str) -> str | None:
    import botocore.session
    try:
        return botocore.session.get_session().get_service_model(service).protocol
    except Exception:            # an unknown name: answer in JSON, which most services speak
        return None


def _service_of(environ) -> str | None:
    """The service named in the request's signature (Credential=<key>/<date>/<region>/<service>/…)."""
    import re
    match = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else None


# -- Elastic Beanstalk: applications and environments stay in moto ---------------------------

@dataclass(frozen=True)
class BeanstalkEnvironment:
    application: str
    name: str
    arn: str
    environment_id: str
    version_label: str | None
    status: str


def beanstalk_application_exists(account_id: str, region: str, application: str) -> bool:
    from moto.elasticbeanstalk.models import eb_backends
    return application in eb_backends[account_id][region].applications


def beanstalk_environment(account_id: str, region: str, application: str | None, name: str) -> BeanstalkEnvironment | None:
    """An environment of moto's Elastic Beanstalk (of any application when ``application`` is
    None), or None when there is no such one."""
    from moto.elasticbeanstalk.models import eb_backends
    for app in eb_backends[account_id][region].applications.values():
        found = app.environments.get(name) if application in (None, app.application_name) else None
        if found is not None:
            label = found.version_label if isinstance(found.version_label, str) else None   # moto's placeholder is the int 1
            return BeanstalkEnvironment(app.application_name, name, found.environment_arn, found.environment_id, label, found.status)
    return None


def set_beanstalk_environment(account_id: str, region: str, application: str, name: str, when: datetime,
                              version_label: str | None = None, status: str | None = None) -> None:
    """Record an UpdateEnvironment in moto's environment, so that describe_environments shows it."""
    from moto.elasticbeanstalk.models import eb_backends
    found = eb_backends[account_id][region].applications[application].environments[name]
    if version_label is not None:
        found.version_label = version_label
    if status is not None:
        found.status = status
    found.date_updated = when.astimezone(timezone.utc).replace(tzinfo=None)   # moto keeps naive UTC


# -- Step Functions: state machines stay in moto; the simulator runs their executions --------

@dataclass(frozen=True)
class StateMachine:
    arn: str
    name: str
    definition: str
    role_arn: str
    type: str               # "STANDARD" | "EXPRESS"


def state_machine(account_id: str, arn: str) -> StateMachine | None:
    """A state machine of moto's Step Functions by ARN, or None when there is no such one."""
    from moto.stepfunctions.models import stepfunctions_backends
    parts = arn.split(":")
    if len(parts) < 7 or parts[5] != "stateMachine":
        return None
    try:
        found = stepfunctions_backends[account_id][parts[3]].describe_state_machine(arn)
    except Exception:   # moto raises its own StateMachineDoesNotExist
        return None
    return StateMachine(found.arn, found.name, found.definition, found.roleArn, found.type or "STANDARD")


# -- ECS: a service's deployments as UpdateService starts them and a rollout ends them -------
# moto keeps the deployment made by CreateService as PRIMARY for ever, with the first task
# definition; ECS makes a new PRIMARY for the new task definition and drains the old one.

def _moto_ecs_service(account_id: str, region: str, cluster: str, service: str):
    from moto.ecs.models import ecs_backends
    return ecs_backends[account_id][region]._get_service(cluster, service)


def _moto_time(when: datetime) -> datetime:
    return when.astimezone(timezone.utc).replace(tzinfo=None)   # moto keeps naive UTC


def ecs_start_deployment(account_id: str, region: str, cluster: str, service: str, deployment_id: str,
                         when: datetime) -> None:
    """A new PRIMARY deployment (rolloutState IN_PROGRESS) of the service's current task
    definition; the deployments before it become ACTIVE, as after ECS's UpdateService."""
    found = _moto_ecs_service(account_id, region, cluster, service)
    for deployment in found.deployments:
        if deployment.get("status") == "PRIMARY":
            deployment["status"] = "ACTIVE"
            deployment["updatedAt"] = _moto_time(when)
    template = found.deployments[0] if found.deployments else {}
    found.deployments.insert(0, {
        **{k: template[k] for k in ("launchType", "platformVersion", "platformFamily", "networkConfiguration") if k in template},
        "id": deployment_id, "status": "PRIMARY", "taskDefinition": found.task_definition,
        "desiredCount": found.desired_count, "pendingCount": found.desired_count, "runningCount": 0, "failedTasks": 0,
        "createdAt": _moto_time(when), "updatedAt": _moto_time(when),
        "rolloutState": "IN_PROGRESS", "rolloutStateReason": f"ECS deployment {deployment_id} in progress."})


def ecs_complete_deployment(account_id: str, region: str, cluster: str, service: str, deployment_id: str,
                            when: datetime) -> bool:
    """The deployment ``deployment_id`` COMPLETED with all its tasks running, the older ones
    drained and gone; False if the service no longer has that deployment."""
    found = _moto_ecs_service(account_id, region, cluster, service)
    chosen = next((d for d in found.deployments if d.get("id") == deployment_id), None)
    if chosen is None:
        return False
    chosen.update(status="PRIMARY", runningCount=chosen["desiredCount"], pendingCount=0, updatedAt=_moto_time(when),
                  rolloutState="COMPLETED", rolloutStateReason=f"ECS deployment {deployment_id} completed.")
    found.deployments[:] = [chosen]
    found.running_count, found.pending_count = chosen["desiredCount"], 0
    return True


# -- Elastic Load Balancing (v2): load balancers as configured, for the HTTP stand-in ---------

@dataclass(frozen=True)
class ListenerRule:
    arn: str
    priority: int | None            # None for the listener's default rule
    conditions: list                # as given to CreateRule (Field, Values, *Config)
    actions: list                   # as given (Type, FixedResponseConfig, RedirectConfig, ForwardConfig …)


@dataclass(frozen=True)
class LoadBalancerListener:
    arn: str
    port: int
    protocol: str
    rules: list[ListenerRule]       # by priority, the default rule last


@dataclass(frozen=True)
class LoadBalancer:
    name: str
    arn: str
    dns_name: str
    type: str                       # application | network | gateway
    scheme: str | None
    account_id: str
    region: str
    listeners: list[LoadBalancerListener]


@dataclass(frozen=True)
class TargetGroup:
    arn: str
    name: str
    account_id: str
    region: str
    target_type: str                # instance | ip | lambda | alb
    port: int | None
    targets: list[tuple[str, int | None, str]]    # (id, port, health state) in registration order
    attributes: dict
    tags: dict


def _elbv2_backends():
    """Every elbv2 backend moto has made, in a stable order (reading creates none)."""
    from moto.elbv2.models import elbv2_backends
    for account_id, regions in sorted(dict.items(elbv2_backends)):
        for region, backend in sorted(dict.items(regions)):
            yield account_id, region, backend


def _listener_rules(listener) -> list[ListenerRule]:
    import copy
    rules = [ListenerRule(rule.arn, None if rule.is_default else int(rule.priority), copy.deepcopy(list(rule.conditions or [])),
                          [copy.deepcopy(action.data) for action in rule.actions]) for rule in listener.rules.values()]
    return sorted(rules, key=lambda rule: (rule.priority is None, rule.priority or 0))


def load_balancer_by_dns_name(dns_name: str) -> LoadBalancer | None:
    """The load balancer (any account, any region of the Lab) whose DNSName this is, or None."""
    wanted = dns_name.lower().rstrip(".")
    for account_id, region, backend in _elbv2_backends():
        for found in backend.load_balancers.values():
            if (found.dns_name or "").lower() == wanted:
                listeners = [LoadBalancerListener(listener.arn, int(listener.port), (listener.protocol or "").upper(),
                                                  _listener_rules(listener))
                             for listener in found.listeners.values()]
                return LoadBalancer(found.name, found.arn, found.dns_name, found.type, found.scheme, account_id, region, listeners)
    return None


def _target_health(group, backend, target: dict) -> str:
    """moto's health state, except that an instance which is not running is unhealthy."""
    state = group.health_for(target, backend.ec2_backend).status
    if state == "healthy" and target["Id"].startswith("i-"):
        instance = backend.ec2_backend.get_instance_by_id(target["Id"])
        if instance is not None and instance.state != "running":
            return "unhealthy"
    return state


def elbv2_target_group(target_group_arn: str) -> TargetGroup | None:
    """A target group by ARN with its registered targets, attributes and tags, or None."""
    for account_id, region, backend in _elbv2_backends():
        group = backend.target_groups.get(target_group_arn)
        if group is not None:
            targets = [(target["Id"], target.get("Port"), _target_health(group, backend, target)) for target in group.targets.values()]
            return TargetGroup(group.arn, group.name, account_id, region, group.target_type, group.port, targets,
                               dict(group.attributes), dict(backend.tagging_service.get_tag_dict_for_resource(group.arn)))
    return None


# -- changes that start pipelines: S3 objects and notifications, ECR images (simulator/triggers) --

@dataclass(frozen=True)
class S3ObjectState:
    """The newest version of an object, read from moto without a request (nothing is audited)."""
    bucket: str
    key: str
    version_id: str | None      # None when the bucket has never been versioned
    etag: str
    size: int


def s3_object_state(bucket: str, key: str) -> S3ObjectState | None:
    from moto.s3.models import s3_backends
    owner = bucket_owner(bucket)
    if owner is None:
        return None
    try:
        found = s3_backends[owner]["aws"].get_object(bucket, key)
    except Exception:  # moto raises its own MissingBucket
        return None
    if found is None or getattr(found, "is_delete_marker", False):
        return None
    version = found.version_id if found.version_id not in (None, "null") else None
    return S3ObjectState(bucket, key, version, found.etag.strip('"'), found.size)


@dataclass(frozen=True)
class S3Notification:
    """One S3 event notification as moto raises it after storing a change."""
    account_id: str
    region: str
    bucket: str
    bucket_arn: str
    event_name: str             # e.g. "s3:ObjectCreated:Put"
    detail_type: str            # EventBridge's name for it, e.g. "Object Created"
    key: str
    size: int
    etag: str
    version_id: str | None


def route_s3_eventbridge_notifications(callback: Callable[[S3Notification], None]) -> None:
    """While the Lab runs, S3's notifications to EventBridge (for buckets with
    ``EventBridgeConfiguration``) reach ``callback`` instead of moto's own rule delivery, which
    would deliver to SQS targets a second time and drop pipeline targets. moto calls this after
    the object is stored, so the version id is the new object's. Idempotent."""
    import moto.s3.notifications as notifications
    if getattr(notifications._send_event_bridge_message, "lab_route", False):
        return

    def send(account_id, bucket, event_name, key) -> None:
        version = key.version_id if key.version_id not in (None, "null") else None
        try:
            detail_type = notifications._detail_type(event_name)
        except ValueError:
            return
        callback(S3Notification(account_id, bucket.region_name, bucket.name, bucket.arn, event_name, detail_type,
                                key.name, key.size, key.etag.strip('"'), version))

    send.lab_route = True
    _patch(notifications, "_send_event_bridge_message", send)


@dataclass(frozen=True)
class EcrImage:
    registry_id: str
    repository: str
    repository_arn: str
    digest: str
    tags: tuple[str, ...]
    size: int | None


def ecr_image(account_id: str, region: str, repository: str, tag: str) -> EcrImage | None:
    """The image of a repository that carries ``tag``, read from moto's ECR (no request)."""
    from moto.ecr.models import ecr_backends
    try:
        repo = ecr_backends[account_id][region].repositories.get(repository)
    except KeyError:
        return None
    if repo is None:
        return None
    for image in reversed(list(repo.images)):
        if tag in (image.image_tags or []):
            return EcrImage(image.registry_id, repository, repo.arn, image.image_digest, tuple(image.image_tags),
                            image.image_size_in_bytes)
    return None


# -- CloudFormation: failed resources roll their stack back; CloudFormation's request checks --

class _ResourceFailed(Exception):
    """A resource of a stack could not be created (its CREATE_FAILED event is recorded)."""

    def __init__(self, logical_id: str, reason: str) -> None:
        super().__init__(reason)
        self.logical_id, self.reason = logical_id, reason


def install_cloudformation(now: Callable[[], datetime]) -> None:
    """See ``_install_cloudformation``: it waits for the first CloudFormation request."""
    _on_first_use("cloudformation", lambda: _install_cloudformation(now))


def _install_cloudformation(now: Callable[[], datetime]) -> None:
    """While a Lab runs, moto's CloudFormation fails as CloudFormation does: a resource that
    cannot be created is a CREATE_FAILED event and its stack rolls back (ROLLBACK_COMPLETE, or
    UPDATE_ROLLBACK_COMPLETE for an update, also through change sets); a stack whose resources
    cannot be deleted (a non-empty bucket) is DELETE_FAILED; resources get their own stack
    events; requests are checked first (``services/cloudformation/request_rules.py``); change
    sets of a stack awaiting review can be replaced; stack times follow the virtual clock."""
    from moto.cloudformation import models, parsing, responses

    from codepipeline_lab.simulator.services.cloudformation import request_rules

    _patch(models, "utcnow", lambda: now().astimezone(timezone.utc).replace(tzinfo=None))
    _patch(parsing, "parse_and_create_resource", _cfn_creating(parsing.parse_and_create_resource))
    _patch(parsing.ResourceMap, "_delete_resource", _cfn_deleting(parsing.ResourceMap._delete_resource))
    _patch(models.Stack, "update", _cfn_stack_update(models.Stack.update))
    backend = models.CloudFormationBackend
    for name, wrap in (("create_stack", _cfn_create_stack), ("delete_stack", _cfn_delete_stack),
                       ("create_change_set", _cfn_create_change_set), ("execute_change_set", _cfn_execute_change_set),
                       ("describe_change_set", _cfn_describe_change_set), ("delete_change_set", _cfn_delete_change_set)):
        _patch(backend, name, wrap(getattr(backend, name)))
    response = responses.CloudFormationResponse
    for name, operation in (("create_stack", "CreateStack"), ("update_stack", "UpdateStack"), ("create_change_set", "CreateChangeSet")):
        _patch(response, name, _cfn_checked(getattr(response, name), operation, request_rules.check))


def _cfn_checked(original, operation: str, check):
    def method(self):
        params = {key: self._get_param(key) for key in ("StackName", "Capabilities", "Parameters", "ChangeSetType")}
        body = None
        if not self._get_bool_param("UsePreviousTemplate", False):
            body = self._get_param("TemplateBody")
            if not body and self._get_param("TemplateURL"):
                body = self._get_stack_from_s3_url(self._get_param("TemplateURL"))
        check(operation, params, body)
        return original(self)
    return method


def _cfn_stack_of(resource_map):
    """The moto Stack that owns ``resource_map`` (None while the stack is being constructed)."""
    found = getattr(resource_map, "_lab_stack", None)
    if found is not None:
        return found
    from moto.cloudformation.models import cloudformation_backends
    backend = cloudformation_backends[resource_map._account_id][resource_map._region_name]
    for stack in [*backend.stacks.values(), *backend.deleted_stacks.values()]:
        if stack.resource_map is resource_map:
            resource_map._lab_stack = stack
            return stack
    return None


def _cfn_event(stack, logical_id: str, physical_id: str, kind: str, status: str, reason: str | None = None) -> None:
    from moto.cloudformation.models import Event
    last = next((e for e in reversed(stack.events) if e.logical_resource_id == logical_id), None)
    if last is not None and (last.resource_status, last.resource_status_reason) == (status, reason) and status.endswith("FAILED"):
        return                                   # moto retries a failed delete: one event is enough
    event = Event(stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical_id,
                  physical_resource_id=physical_id or "", resource_type=kind, resource_status=status,
                  resource_status_reason=reason, resource_properties=None)
    event.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(event)


def _cfn_physical_id(resource) -> str:
    try:
        return str(resource.physical_resource_id or "")
    except Exception:
        return ""


def _cfn_reason(problem: Exception, resource_json: dict) -> str:
    code = getattr(problem, "code", None) or getattr(problem, "error_type", None) or type(problem).__name__
    message = getattr(problem, "message", None) or str(problem)
    if code in ("BucketAlreadyExists", "BucketAlreadyOwnedByYou"):
        return f"{(resource_json.get('Properties') or {}).get('BucketName')} already exists"
    handler = "AlreadyExists" if "AlreadyExists" in str(code) or "already exists" in message.lower() else "InvalidRequest"
    return f'Resource handler returned message: "{message}" (HandlerErrorCode: {handler})'


def _cfn_creating(original):
    def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
        stack = _cfn_stack_of(resources_map)
        if stack is None:
            return original(logical_id, resource_json, resources_map, account_id, region_name)
        kind = resource_json.get("Type", "")
        try:
            resource = original(logical_id, resource_json, resources_map, account_id, region_name)
        except _ResourceFailed:
            raise
        except Exception as problem:
            reason = _cfn_reason(problem, resource_json)
            _cfn_event(stack, logical_id, "", kind, "CREATE_IN_PROGRESS")
            _cfn_event(stack, logical_id, "", kind, "CREATE_FAILED", reason)
            raise _ResourceFailed(logical_id, reason) from None
        if resource is not None:
            _cfn_event(stack, logical_id, "", kind, "CREATE_IN_PROGRESS")
            _cfn_event(stack, logical_id, _cfn_physical_id(resource), kind, "CREATE_COMPLETE")
        return resource
    return parse_and_create_resource


def _cfn_deleting(original):
    def _delete_resource(self, parsed_resource, resource_json):
        stack = _cfn_stack_of(self)
        logical, kind = getattr(parsed_resource, "logical_resource_id", ""), resource_json.get("Type", "")
        physical = _cfn_physical_id(parsed_resource)
        try:
            if kind == "AWS::S3::Bucket" and len(getattr(parsed_resource, "keys", None) or {}):
                raise ValueError("The bucket you tried to delete is not empty")
            original(self, parsed_resource, resource_json)
        except Exception as problem:
            if stack is not None:
                _cfn_event(stack, logical, physical, kind, "DELETE_FAILED", _cfn_reason(problem, resource_json)
                           if not isinstance(problem, ValueError) else str(problem))
            raise
        if stack is not None:
            _cfn_event(stack, logical, physical, kind, "DELETE_IN_PROGRESS")
            _cfn_event(stack, logical, physical, kind, "DELETE_COMPLETE")
    return _delete_resource


def _cfn_keep_only_existing(stack) -> None:
    """After a rollback the stack's map holds only resources that still exist, so that reading
    its resources or outputs never creates one lazily (moto's maps create on first read)."""
    from moto.cloudformation.parsing import OutputMap
    resource_map = stack.resource_map
    resource_map._resource_json_map = {k: v for k, v in resource_map._resource_json_map.items() if k in resource_map._parsed_resources}
    stack.output_map = OutputMap(resource_map, {}, stack.stack_id)


def _cfn_roll_back_creation(backend, stack, failed_logical_id: str | None, reason: str) -> None:
    import warnings as _warnings
    failed = f"The following resource(s) failed to create: [{failed_logical_id}]. " if failed_logical_id else f"{reason}. "
    stack.status = "ROLLBACK_IN_PROGRESS"
    stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=failed + "Rollback requested by user.")
    final = "ROLLBACK_COMPLETE"
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            stack.resource_map.delete()
    except Exception:
        final = "ROLLBACK_FAILED"
    _cfn_keep_only_existing(stack)
    for name, export in list(backend.exports.items()):
        if export.exporting_stack_id == stack.stack_id:
            backend.exports.pop(name)
    stack.status = final
    stack._add_stack_event(final)


def _cfn_roll_back_update(stack, old_template, old_dict: dict, old_parameters: dict, problem: Exception) -> None:
    import warnings as _warnings
    if isinstance(problem, _ResourceFailed):
        reason = f"The following resource(s) failed to create: [{problem.logical_id}]. "
    else:
        reason = f"The following resource(s) failed to update: {getattr(problem, 'message', None) or problem}. "
    stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
    final = "UPDATE_ROLLBACK_COMPLETE"
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            stack.resource_map.update(old_dict, old_parameters)
    except Exception:
        final = "UPDATE_ROLLBACK_FAILED"
    stack.template, stack.template_dict = old_template, old_dict
    stack.output_map = stack._create_output_map()
    stack.status = final
    stack._add_stack_event(final)


def _cfn_stack_update(original):
    def update(self, template, role_arn=None, parameters=None, tags=None):
        from moto.cloudformation.exceptions import CloudFormationError
        old = (self.template, self.template_dict, dict(self.resource_map.input_parameters))
        try:
            original(self, template, role_arn=role_arn, parameters=parameters, tags=tags)
        except CloudFormationError:
            raise
        except Exception as problem:
            _cfn_roll_back_update(self, *old, problem)
    return update


def _cfn_create_stack(original):
    def create_stack(self, name, template, parameters, *args, **kwargs):
        try:
            return original(self, name, template, parameters, *args, **kwargs)
        except _ResourceFailed as failed:
            stack = next(s for s in self.stacks.values() if s.name == name)
            _cfn_roll_back_creation(self, stack, failed.logical_id, failed.reason)
            return stack
    return create_stack


def _cfn_delete_stack(original):
    def delete_stack(self, name_or_stack_id):
        stack = self.stacks.get(name_or_stack_id) or next((s for s in self.stacks.values() if s.name == name_or_stack_id), None)
        if stack is None:
            return original(self, name_or_stack_id)
        try:
            return original(self, name_or_stack_id)
        except Exception:
            self.stacks[stack.stack_id] = stack
            self.deleted_stacks.pop(stack.stack_id, None)
            resource_map = stack.resource_map
            left = [k for k in resource_map._resource_json_map if k in resource_map._parsed_resources
                    and resource_map._resource_json_map[k].get("DeletionPolicy") != "Retain"]
            stack.status = "DELETE_FAILED"
            stack._add_stack_event("DELETE_FAILED", resource_status_reason=f"The following resource(s) failed to delete: [{', '.join(left)}]. ")
    return delete_stack


_CFN_ERRORS: list = []


def _cfn_errors():
    """CloudFormation's ChangeSetNotFound and InvalidChangeSetStatus (moto lacks them)."""
    if _CFN_ERRORS:
        return _CFN_ERRORS
    from moto.cloudformation.exceptions import CloudFormationError

    class ChangeSetNotFound(CloudFormationError):
        code = "ChangeSetNotFound"

    class InvalidChangeSetStatus(CloudFormationError):
        code = "InvalidChangeSetStatus"

    _CFN_ERRORS.extend((ChangeSetNotFound, InvalidChangeSetStatus))
    return _CFN_ERRORS


def _cfn_find_change_set(backend, name: str, stack_name: str | None = None):
    if name in backend.change_sets:
        return backend.change_sets[name]
    for change_set in backend.change_sets.values():
        if change_set.change_set_name == name and (not stack_name or stack_name in (change_set.stack_name, change_set.stack_id)):
            return change_set
    raise _cfn_errors()[0](f"ChangeSet [{name}] does not exist")


def _cfn_describe_change_set(original):
    def describe_change_set(self, change_set_name):
        return _cfn_find_change_set(self, change_set_name)
    return describe_change_set


def _cfn_delete_change_set(original):
    def delete_change_set(self, change_set_name):
        change_set = _cfn_find_change_set(self, change_set_name)
        del self.change_sets[change_set.change_set_id]
    return delete_change_set


def _cfn_create_change_set(original):
    def create_change_set(self, **request):
        name, change_set_type = request["stack_name"], request["change_set_type"]
        existing = next((s for s in self.stacks.values() if s.name == name), None)
        if change_set_type != "CREATE" or existing is None:
            return original(self, **request)
        if existing.status != "REVIEW_IN_PROGRESS":
            from moto.cloudformation.exceptions import ValidationError
            raise ValidationError(name, f"Stack [{name}] already exists and cannot be created again with the changeSet [{request['change_set_name']}].")
        # A stack still awaiting review takes a new CREATE change set (moto would make a second stack).
        existing.template = "{}"                 # moto compares templates as text
        try:
            change_set_id, stack_id = original(self, **{**request, "change_set_type": "UPDATE"})
        finally:
            existing.template, existing.template_dict = {}, {}
        self.change_sets[change_set_id].change_set_type = "CREATE"
        return change_set_id, stack_id
    return create_change_set


def _cfn_execute_change_set(original):
    def execute_change_set(self, change_set_name, stack_name=None):
        change_set = _cfn_find_change_set(self, change_set_name, stack_name)
        if change_set.execution_status != "AVAILABLE":
            raise _cfn_errors()[1](f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current status of [{change_set.status}]")
        stack = self.stacks[change_set.stack_id]
        old = (stack.template, stack.template_dict, dict(stack.resource_map.input_parameters))
        try:
            original(self, change_set.change_set_id, stack_name)
        except Exception as problem:
            change_set.execution_status = "EXECUTE_FAILED"
            if change_set.change_set_type == "CREATE":
                stack.template = change_set.template
                stack._parse_template()
                logical = problem.logical_id if isinstance(problem, _ResourceFailed) else None
                _cfn_roll_back_creation(self, stack, logical, str(problem))
            else:
                _cfn_roll_back_update(stack, *old, problem)
            return
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.output_map = stack._create_output_map()
        stack.parameters = dict(stack.resource_map.input_parameters)
        stack.role_arn = change_set.role_arn or stack.role_arn
        for export in stack.exports:
            self.exports[export.name] = export
        for other in [c for c in self.change_sets.values() if c.stack_id == stack.stack_id and c is not change_set]:
            del self.change_sets[other.change_set_id]     # CloudFormation drops the stack's other change sets
    return execute_change_set


# -- CloudFormation stack sets: the sets stay in moto; instances and operations are the simulator's --
# (services/stacksets.py). Its operations speak the query protocol, parsed by moto into ``self.params``.

STACK_SET_OPERATIONS = ("create_stack_set", "create_stack_instances", "update_stack_set", "delete_stack_instances", "delete_stack_set",
                        "list_stack_instances", "describe_stack_instance", "describe_stack_set_operation",
                        "list_stack_set_operations", "list_stack_set_operation_results", "stop_stack_set_operation")
_RESPONSE_CLASSES.setdefault("cloudformation", ("moto.cloudformation.responses", "CloudFormationResponse"))
_ADAPTERS.update({("cloudformation", operation): _query_method for operation in STACK_SET_OPERATIONS})


@dataclass(frozen=True)
class StackSetRecord:
    id: str                     # "<name>:<uuid>", as CloudFormation answers StackSetId
    arn: str
    name: str
    template: str
    parameters: dict
    permission_model: str
    administration_role_arn: str
    execution_role_name: str
    description: str | None


def _moto_stack_set(account_id: str, region: str, name: str):
    from moto.cloudformation.exceptions import StackSetNotFoundException
    from moto.cloudformation.models import cloudformation_backends
    try:
        return cloudformation_backends[account_id][region].describe_stack_set(name)
    except StackSetNotFoundException:
        return None


def stack_set(account_id: str, region: str, name: str) -> StackSetRecord | None:
    """A stack set of moto's (by name or id), unless deleted."""
    found = _moto_stack_set(account_id, region, name)
    if found is None:
        return None
    return StackSetRecord(found.id, found.arn, found.name, found.template or "", dict(found.parameters or {}),
                          found.permission_model, found.administration_role_arn, found.execution_role_name,
                          found.description)


def create_stack_set(account_id: str, region: str, name: str, template: str, parameters: dict, permission_model: str,
                     administration_role_arn: str | None, execution_role_name: str | None, description: str | None,
                     tags: dict) -> StackSetRecord:
    """CreateStackSet in moto's backend (the request's checks are the simulator's)."""
    from moto.cloudformation.models import cloudformation_backends
    cloudformation_backends[account_id][region].create_stack_set(
        name=name, template=template, parameters=parameters, tags=tags, permission_model=permission_model,
        admin_role=administration_role_arn, exec_role=execution_role_name, description=description)
    return stack_set(account_id, region, name)


def template_from_s3_url(account_id: str, url: str) -> str:
    """The template a TemplateURL points at, read from moto's S3 as CloudFormation reads it."""
    from moto.cloudformation.utils import get_stack_from_s3_url
    return get_stack_from_s3_url(url, account_id=account_id, partition="aws")


def set_stack_set_fields(account_id: str, region: str, name: str, template: str | None = None,
                         parameters: dict | None = None, description: str | None = None,
                         administration_role_arn: str | None = None, execution_role_name: str | None = None) -> None:
    """UpdateStackSet's changes to the set itself (moto's own update would also touch its instances)."""
    found = _moto_stack_set(account_id, region, name)
    if template:
        found.template = template
        found.instances.template = template
    if parameters is not None:
        found.parameters = parameters
    if description is not None:
        found.description = description
    if administration_role_arn:
        found.administration_role_arn = administration_role_arn
    if execution_role_name:
        found.execution_role_name = execution_role_name


def mark_stack_set_deleted(account_id: str, region: str, name: str) -> None:
    found = _moto_stack_set(account_id, region, name)
    if found is not None:
        found.delete()


@dataclass(frozen=True)
class OrganizationView:
    management_account_id: str
    root_ids: tuple[str, ...]
    parents: dict               # account id or OU id -> its parent's id (an OU id or a root id)
    trusted_services: frozenset  # service principals with trusted access


def organization_of(account_id: str) -> OrganizationView | None:
    """The organization ``account_id`` belongs to (as management account or member), from moto."""
    from moto.organizations.models import organizations_backends
    management, partition = organizations_backends.master_accounts.get(account_id, (account_id, "aws"))
    if management not in organizations_backends:
        return None
    backend = organizations_backends[management][partition]
    if backend.org is None or account_id not in [a.id for a in backend.accounts]:
        return None
    parents = {a.id: a.parent_id for a in backend.accounts}
    parents.update({ou.id: ou.parent_id for ou in backend.ou if getattr(ou, "parent_id", None)})
    roots = tuple(ou.id for ou in backend.ou if ou.id.startswith("r-"))
    return OrganizationView(backend.org.master_account_id, roots, parents,
                            frozenset(s["ServicePrincipal"] for s in backend.services))
