"""The audit trail: every call that reached the simulated account, as CloudTrail records it.

``record`` runs on every call, so it only stores the call with its virtual time; the
CloudTrail record (facts §I5) is rendered when someone looks — LookupEvents, a trail's log
file, a teaching helper — and then kept.

Event and request ids come from a stream of their own, derived once from the Lab's seeded ids
and hashed with the record's sequence number. Drawing them from the Lab's generator on every
call would shift every other id of the Lab (execution ids, artifact keys) as soon as calls are
audited; this way the same seed and the same calls still give the same ids, and a record's id
does not depend on when it was first rendered.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from codepipeline_lab.ids import ARTIFACT_ID_ALPHABET
from codepipeline_lab.simulator.identity.calls import ApiCall
from codepipeline_lab.simulator.identity.principals import Principal

EVENT_VERSION = "1.08"
EVENT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"

# Services whose events CloudTrail records in us-east-1 whatever region the client named.
GLOBAL_SERVICES = {"iam", "sts", "cloudfront", "route53", "organizations"}
GLOBAL_EVENTS_REGION = "us-east-1"

# Client or endpoint names whose eventSource is not simply "<name>.amazonaws.com".
_EVENT_SOURCES = {
    "cloudwatch": "monitoring", "eventbridge": "events", "cloudwatchlogs": "logs", "awslambda": "lambda",
    "stepfunctions": "states", "elbv2": "elasticloadbalancing", "elb": "elasticloadbalancing",
    "resourcegroupstaggingapi": "tagging", "codestar-connections": "codestar-connections",
}

# Read-only: the operation's name starts with one of these verbs (a documented simplification
# of CloudTrail's per-operation flag, which follows the same naming in practice).
_READ_ONLY = re.compile(r"^(Get|List|Describe|Head|Lookup|BatchGet|Search)(?=[A-Z]|$)")

# Data events: object-level S3 operations and Lambda Invoke; everything else is Management.
_DATA_OPERATIONS = {
    "s3": {"GetObject", "PutObject", "HeadObject", "DeleteObject", "DeleteObjects", "CopyObject",
           "CreateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload",
           "AbortMultipartUpload", "GetObjectAcl", "PutObjectAcl", "GetObjectTagging", "PutObjectTagging",
           "DeleteObjectTagging", "GetObjectAttributes", "RestoreObject", "SelectObjectContent"},
    "lambda": {"Invoke"},
}

# Services whose requests are query-protocol forms carrying Action= and Version=.
_QUERY_SERVICES = {"iam", "sts", "sns", "cloudformation", "ec2", "elasticloadbalancing", "rds", "autoscaling",
                   "cloudwatch", "monitoring", "ses", "elasticbeanstalk"}

# Request members CloudTrail never shows: payloads and file contents.
_BODIES = {"Body", "ZipFile", "Payload", "FileContent", "Content", "SecretBinary", "ImageManifest"}
# Request members CloudTrail shows only as HIDDEN_DUE_TO_SECURITY_REASONS.
_SECRETS = {"SecretString", "Password", "NewPassword", "OldPassword", "SecretAccessKey", "SessionToken",
            "ClientSecret", "Variables", "SecretToken", "OAuthToken"}


@dataclass(slots=True)
class AuditEntry:
    """One recorded call: what ``record`` stores (cheap); everything else is derived on demand."""
    seq: int
    time: datetime
    call: ApiCall
    rendered: dict | None = None

    @property
    def event_name(self) -> str:
        return self.call.operation

    @property
    def event_source(self) -> str:
        return event_source(self.call.service)

    @property
    def aws_region(self) -> str:
        return GLOBAL_EVENTS_REGION if is_global_service(self.call.service) else self.call.region

    @property
    def read_only(self) -> bool:
        return is_read_only(self.call.operation)

    @property
    def event_category(self) -> str:
        return "Data" if self.call.operation in _DATA_OPERATIONS.get(self.call.service, ()) else "Management"

    @property
    def event_time(self) -> datetime:
        """The record's time as CloudTrail shows it: UTC, whole seconds."""
        return self.time.astimezone(timezone.utc).replace(microsecond=0)

    @property
    def username(self) -> str | None:
        return lookup_username(self.call.principal)

    @property
    def resource_arns(self) -> list[str]:
        return resource_arns(self.call)


class AuditTrail:
    def __init__(self, clock: Callable[[], datetime], ids) -> None:
        self._clock = clock
        self._ids = ids
        self._salt: str | None = None
        self._listeners: list[Callable[[AuditEntry], None]] = []
        self.entries: list[AuditEntry] = []

    # -- the hot path ------------------------------------------------------------------
    def record(self, call: ApiCall) -> None:
        entry = AuditEntry(len(self.entries), self._clock(), call)
        self.entries.append(entry)
        for listener in self._listeners:
            listener(entry)

    def subscribe(self, listener: Callable[[AuditEntry], None]) -> None:
        """Call ``listener(entry)`` after each record (trail delivery arms its timer this way)."""
        self._listeners.append(listener)

    # -- reading -----------------------------------------------------------------------
    def since(self, seq: int) -> list[AuditEntry]:
        return self.entries[seq:]

    def records(self) -> list[dict]:
        """Every record, oldest first, as CloudTrail renders them."""
        return [self.render(entry) for entry in self.entries]

    def render(self, entry: AuditEntry) -> dict:
        if entry.rendered is None:
            entry.rendered = cloudtrail_record(entry, self.event_id(entry), self.request_id(entry))
        return entry.rendered

    # -- ids ---------------------------------------------------------------------------
    def event_id(self, entry: AuditEntry) -> str:
        return str(uuid.UUID(bytes=self._digest("event", entry.seq), version=4))

    def request_id(self, entry: AuditEntry) -> str:
        digest = self._digest("request", entry.seq)
        if entry.call.service == "s3":      # S3 request ids are 16 upper-case hex digits
            return digest.hex()[:16].upper()
        return str(uuid.UUID(bytes=digest, version=4))

    def unique_token(self, label: str, n: int, length: int = 16) -> str:
        """A repeatable random-looking string, e.g. the 16-character part of a log file's name."""
        digest = hashlib.blake2b(f"{self._salted()}/{label}/{n}".encode(), digest_size=length).digest()
        return "".join(ARTIFACT_ID_ALPHABET[b % len(ARTIFACT_ID_ALPHABET)] for b in digest)

    def _digest(self, label: str, seq: int) -> bytes:
        return hashlib.blake2b(f"{self._salted()}/{label}/{seq}".encode(), digest_size=16).digest()

    def _salted(self) -> str:
        if self._salt is None:      # drawn once, on first use, so unaudited Labs keep their ids
            self._salt = self._ids.hex(16)
        return self._salt


# -- the pieces of a record ----------------------------------------------------------------

def event_source(service: str) -> str:
    return f"{_EVENT_SOURCES.get(service, service)}.amazonaws.com"


def is_global_service(service: str) -> bool:
    return service in GLOBAL_SERVICES


def is_read_only(operation: str) -> bool:
    return bool(_READ_ONLY.match(operation))


def lookup_username(principal: Principal) -> str | None:
    """LookupEvents' Username: the user's name, the role session's name, "root", or the service."""
    if principal.type == "IAMUser":
        return principal.user_name
    if principal.type == "AssumedRole":
        return principal.session_name
    if principal.type == "Root":
        return "root"
    return principal.invoked_by


def resource_arns(call: ApiCall) -> list[str]:
    """The call's resources; for S3 object operations the object's ARN is made from Bucket/Key
    when the caller did not name it, since trails select S3 data events by object ARN."""
    arns = [arn for arn in call.resources if arn.startswith("arn:")]     # not "*"
    bucket, key = call.parameters.get("Bucket"), call.parameters.get("Key")
    if call.service != "s3":
        return arns
    if bucket and key and f"arn:aws:s3:::{bucket}/{key}" not in arns:
        arns.insert(0, f"arn:aws:s3:::{bucket}/{key}")
    for arn in list(arns):      # an object's record also names its bucket
        bucket_arn = arn.split("/", 1)[0]
        if arn.startswith("arn:aws:s3:::") and bucket_arn not in arns:
            arns.append(bucket_arn)
    if bucket and f"arn:aws:s3:::{bucket}" not in arns:
        arns.append(f"arn:aws:s3:::{bucket}")
    return arns


def resource_type(arn: str) -> str:
    """CloudFormation-style type of an ARN, as CloudTrail's resources list shows it."""
    parts = arn.split(":", 5)
    service, rest = parts[2], parts[5] if len(parts) > 5 else ""
    if service == "s3":
        return "AWS::S3::Object" if "/" in rest else "AWS::S3::Bucket"
    kind = re.split(r"[:/]", rest, maxsplit=1)[0] if re.search(r"[:/]", rest) else ""
    known = _RESOURCE_TYPES.get((service, kind)) or _RESOURCE_TYPES.get((service, ""))
    if known:
        return known
    return f"AWS::{service.capitalize()}::{kind.capitalize() or 'Resource'}"


_RESOURCE_TYPES = {
    ("codepipeline", ""): "AWS::CodePipeline::Pipeline",
    ("codecommit", ""): "AWS::CodeCommit::Repository",
    ("codebuild", "project"): "AWS::CodeBuild::Project",
    ("codebuild", "build"): "AWS::CodeBuild::Build",
    ("lambda", "function"): "AWS::Lambda::Function",
    ("iam", "role"): "AWS::IAM::Role",
    ("iam", "user"): "AWS::IAM::User",
    ("iam", "policy"): "AWS::IAM::Policy",
    ("sts", "assumed-role"): "AWS::STS::AssumedRole",
    ("cloudtrail", "trail"): "AWS::CloudTrail::Trail",
    ("events", "rule"): "AWS::Events::Rule",
    ("codedeploy", "application"): "AWS::CodeDeploy::Application",
    ("codedeploy", "deploymentgroup"): "AWS::CodeDeploy::DeploymentGroup",
    ("sns", ""): "AWS::SNS::Topic",
    ("sqs", ""): "AWS::SQS::Queue",
    ("kms", "key"): "AWS::KMS::Key",
}


def resource_name(arn: str) -> str:
    """The name LookupEvents shows for a resource: S3 bucket or bucket/key, otherwise the ARN's last part."""
    if arn.startswith("arn:aws:s3:::"):
        return arn[len("arn:aws:s3:::"):]
    return re.split(r"[:/]", arn)[-1]


def request_parameters(call: ApiCall) -> dict | None:
    """CloudTrail's requestParameters: member names in lower camel case, payloads left out,
    secrets hidden; null when the request had none."""
    params = dict(call.parameters)
    if call.service in _QUERY_SERVICES:     # the query protocol's own form fields
        params.pop("Action", None), params.pop("Version", None)
    named = _s3_names(call, params) if call.service == "s3" else {}
    shown = {**named, **_shown(params)}
    return shown or None


def _s3_names(call: ApiCall, params: dict) -> dict:
    """S3 records name the bucket and key as bucketName, Host and key (what the triggers
    chapter's "AWS API Call via CloudTrail" patterns match); taken from the resource ARN when
    the request's REST path was not parsed into parameters. Removes Bucket/Key from ``params``."""
    bucket, key = params.pop("Bucket", None), params.pop("Key", None)
    for arn in call.resources:
        if arn.startswith("arn:aws:s3:::") and not bucket:
            bucket, _, key = arn[len("arn:aws:s3:::"):].partition("/")
    if not bucket:
        return {}
    named = {"bucketName": bucket, "Host": f"{bucket}.s3.{call.region}.amazonaws.com"}
    return {**named, "key": key} if key else named


def _shown(value):
    if isinstance(value, dict):
        return {_lower_camel(k): (HIDDEN if k in _SECRETS else _shown(v))
                for k, v in value.items() if k not in _BODIES and not isinstance(v, (bytes, bytearray))}
    if isinstance(value, (list, tuple)):
        return [_shown(v) for v in value if not isinstance(v, (bytes, bytearray))]
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime(EVENT_TIME_FORMAT)
    return value


def _lower_camel(name: str) -> str:
    """"MaxResults" → "maxResults"; acronyms and user keys ("ACL", "MY_VAR") stay as they are."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def cloudtrail_record(entry: AuditEntry, event_id: str, request_id: str) -> dict:
    call = entry.call
    failed = call.error_code is not None
    record = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": call.principal.user_identity(),
        "eventTime": entry.event_time.strftime(EVENT_TIME_FORMAT),
        "eventSource": entry.event_source,
        "eventName": call.operation,
        "awsRegion": entry.aws_region,
        "sourceIPAddress": call.source_ip,
        "userAgent": call.user_agent,
    }
    if failed:
        record["errorCode"] = call.error_code
        record["errorMessage"] = call.error_message or ""
    record["requestParameters"] = request_parameters(call)
    record["responseElements"] = _response_elements(call, entry.read_only or failed)
    record.update({"requestID": request_id, "eventID": event_id, "readOnly": entry.read_only})
    arns = entry.resource_arns
    if arns:
        record["resources"] = [{"accountId": call.account_id, "type": resource_type(arn), "ARN": arn} for arn in arns]
    record.update({
        "eventType": "AwsApiCall",
        "managementEvent": entry.event_category == "Management",
        "recipientAccountId": call.account_id,
        "eventCategory": entry.event_category,
    })
    return record


def _response_elements(call: ApiCall, none: bool):
    """null for reads and errors; for a change, the response when the caller kept it
    (``ApiCall.response``, if the authorizer sets one), otherwise null as well."""
    if none:
        return None
    response = getattr(call, "response", None)
    return _shown(response) if response else None
