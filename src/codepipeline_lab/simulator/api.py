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
}


def _response_class(service: str) -> type:
    import importlib
    if service not in _RESPONSE_CLASSES:
        raise ValueError(f"the simulator has no adapter for {service}")
    module, name = _RESPONSE_CLASSES[service]
    return getattr(importlib.import_module(module), name)


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
             ("iam", "simulate_custom_policy"): _query_method}


def install(account) -> None:
    """Route the operations the simulator implements to ``account``'s handlers."""
    # Denial codes are common to every AWS service but absent from some service models; moto
    # serializes them correctly and only warns about the model.
    warnings.filterwarnings("ignore", message=r"Exception\((AccessDeniedException|AccessDenied|AuthorizationError)\)")
    uninstall()
    for (service, operation), handler in account.handlers().items():
        cls = _response_class(service)
        _installed.append((cls, operation, cls.__dict__.get(operation)))
        setattr(cls, operation, _ADAPTERS.get((service, operation), _method)(handler))
    install_authorizer(account.authorizer.account_of_key, account.authorizer.authorize_request)


def uninstall() -> None:
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
    which are set on the same classes); quiet, as a notebook's output must stay clean."""
    from werkzeug.serving import make_server
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args, **kwargs) -> None:
            pass

    return make_server(host, port, DomainDispatcherApplication(create_backend_app), threaded=True, request_handler=QuietHandler)


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
