"""The authorizer: every call that reaches the simulated account is allowed or denied here,
and recorded in the audit trail either way.

The rules are IAM's (facts §I2): an explicit Deny anywhere wins; within one account an
identity policy or a resource policy that names the caller may allow; across accounts both
the caller's identity policy and the resource's policy must allow. KMS keys and role trust
policies are stricter: the key policy (or trust policy) must always allow, and when it only
names the account, the caller's identity policy must allow too.
"""

from __future__ import annotations

from codepipeline_lab.simulator import api, errors
from codepipeline_lab.simulator.identity import principals
from codepipeline_lab.simulator.identity.calls import ApiCall
from codepipeline_lab.simulator.identity.policy import (
    ALLOWED, EXPLICIT_DENY, Caller, Decision, PolicySource, evaluate, request_context,
)
from codepipeline_lab.simulator.identity.principals import Principal
from codepipeline_lab.simulator.identity.resources import iam_action, owner_of, resource_arns

# Operations IAM never refuses (AWS: "no permissions are required to perform this operation").
ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}

# AWS's error code for a denied call, by service (the rest answer AccessDeniedException)
DENIED_CODES = {"s3": "AccessDenied", "iam": "AccessDenied", "sts": "AccessDenied", "sqs": "AccessDenied",
                "sns": "AuthorizationError"}


class Authorizer:
    def __init__(self, account) -> None:
        self._account = account

    # -- requests arriving through boto3 -------------------------------------------------------
    def account_of_key(self, access_key_id: str) -> str | None:
        return self._account.lab.admin_keys.get(access_key_id) or api.access_key_owner(access_key_id)

    def authorize_request(self, request: api.Request) -> None:
        principal = self.principal(request.access_key_id, request.account_id)
        action = iam_action(request.service, request.operation)
        call = ApiCall(request.service, request.operation, request.region, request.account_id, principal,
                       request.params, resource_arns(request))
        self.authorize(call, action, extra=self._kms_needs(request, principal))

    def principal(self, access_key_id: str, default_account: str) -> Principal:
        account_id = self._account.lab.admin_keys.get(access_key_id)
        if account_id:
            return principals.root(account_id, access_key_id)
        holder = api.key_holder(access_key_id)
        if holder is None:        # a key the Lab does not know acts as the Lab's administrator
            return principals.root(default_account, access_key_id)
        if holder.kind == "user":
            return Principal("IAMUser", holder.arn, holder.account_id, holder.principal_id, access_key_id, user_name=holder.user_name)
        session = self._account.sessions.describe(access_key_id)
        return Principal("AssumedRole", holder.arn, holder.account_id, holder.principal_id, access_key_id,
                         role_arn=holder.role_arn, role_id=holder.role_id, session_name=holder.session_name,
                         session_created=session.created if session else None,
                         invoked_by=session.invoked_by if session else None)

    def assume_problem(self, by_role: str, role_arn: str) -> str | None:
        """Why a session of ``by_role`` could not assume ``role_arn`` (None when it could): the
        check CreatePipeline makes for each action role, without recording a call."""
        holder = Principal("AssumedRole", by_role, by_role.split(":")[4], "check", role_arn=by_role)
        try:
            self._check(holder, "sts:AssumeRole", role_arn, "sts")
        except errors.AwsError as denied:
            return str(denied)
        return None if api.role(role_arn.split(":")[4], role_arn) else f"role {role_arn} does not exist"

    # -- the decision --------------------------------------------------------------------------
    def authorize(self, call: ApiCall, action: str, extra: list[tuple[str, str]] | None = None,
                  context: dict | None = None) -> None:
        """Allow ``call`` (``action`` on each of its resources, plus ``extra`` (action, resource)
        pairs such as the KMS use behind an S3 request) or raise AWS's denial; record it.
        ``context`` adds service condition keys (e.g. iam:PassedToService) to IAM's global ones."""
        if call.principal.invoked_by:
            call.source_ip = call.user_agent = call.principal.invoked_by
        needed = [] if action in ALWAYS_ALLOWED else [(action, r) for r in call.resources]
        try:
            for needed_action, resource in needed + (extra or []):
                self._check(call.principal, needed_action, resource, call.service, context)
        except errors.AwsError as denied:
            call.error_code, call.error_message = denied.code, denied.message
            self._record(call)
            raise
        self._record(call)

    def _record(self, call: ApiCall) -> None:
        audit = getattr(self._account, "audit", None)
        if audit is not None:
            audit.record(call)

    def _check(self, principal: Principal, action: str, resource: str, service: str, extra: dict | None = None) -> None:
        owner = owner_of(resource, principal.account_id)
        resource_policy = self._resource_policy(action, resource)
        strict = resource.startswith("arn:aws:kms:") or action == "sts:AssumeRole"
        if principal.is_root and owner == principal.account_id and not strict:
            return
        context = self._context(principal, owner, extra)
        identity = self._identity_decision(principal, action, resource, context)
        caller = Caller(principal.arn, principal.account_id, principal.role_arn)
        by_account = evaluate(resource_policy, action, resource, context, caller) if resource_policy else Decision("implicitDeny")
        named = Caller(principal.arn, "-", principal.role_arn)        # matches only statements naming the caller
        by_name = evaluate(resource_policy, action, resource, context, named) if resource_policy else Decision("implicitDeny")
        if EXPLICIT_DENY in (identity.decision, by_account.decision):
            kind = "an identity-based" if identity.decision == EXPLICIT_DENY else "a resource-based"
            self._deny(principal, action, resource, service, f"with an explicit deny in {kind} policy")
        same_account = owner == principal.account_id
        if strict:
            allowed = by_name.allowed and same_account or by_account.allowed and identity.allowed
        elif same_account:
            allowed = identity.allowed or by_name.allowed
        else:
            allowed = identity.allowed and by_account.allowed
        if not allowed:
            missing = "resource-based" if (strict and not by_account.allowed) or identity.allowed else "identity-based"
            self._deny(principal, action, resource, service, f"because no {missing} policy allows the {action} action")

    def _identity_decision(self, principal: Principal, action: str, resource: str, context: dict) -> Decision:
        if principal.is_root:
            return Decision(ALLOWED)
        sources = api.identity_policies(principal.account_id, principal.role_arn or principal.arn) or []
        return evaluate(sources, action, resource, context)

    def _context(self, principal: Principal, resource_account: str, extra: dict | None = None) -> dict:
        """The global condition keys IAM knows about every request (aws:PrincipalArn, aws:ResourceAccount …)."""
        kind = {"Root": "Account", "IAMUser": "User"}.get(principal.type, principal.type)
        return request_context(principal.role_arn or principal.arn, principal.account_id, kind, principal.principal_id,
                               resource_account=resource_account, user_name=principal.user_name,
                               now=self._account.lab.scheduler.now, extra=extra)

    def _resource_policy(self, action: str, resource: str) -> list[PolicySource]:
        text = None
        if action == "sts:AssumeRole":
            found = api.role(owner_of(resource, ""), resource)
            text = found.trust_policy if found else None
        elif resource.startswith("arn:aws:s3:::"):
            text = api.bucket_policy(resource[len("arn:aws:s3:::"):].split("/", 1)[0])
        elif resource.startswith("arn:aws:kms:"):
            found = api.kms_key(resource)
            text = found.policy if found else None
        elif resource.startswith("arn:aws:sns:"):
            text = api.topic_policy(resource)
        elif resource.startswith("arn:aws:lambda:"):
            text = api.function_policy(resource)
        return [PolicySource("resource", "resource", text)] if text else []

    def _deny(self, principal: Principal, action: str, resource: str, service: str, reason: str) -> None:
        code = DENIED_CODES.get(service, "AccessDeniedException")
        error = errors.BY_CODE.get(code) or errors.access_denied(code)
        raise error(f"User: {principal.arn} is not authorized to perform: {action} on resource: {resource} {reason}")

    # -- KMS behind S3 (SSE-KMS objects need the key as well as the bucket) --------------------------
    def _kms_needs(self, request: api.Request, principal: Principal) -> list[tuple[str, str]]:
        if request.service != "s3" or not request.s3_resource or request.operation not in ("PutObject", "GetObject"):
            return []
        bucket_key = request.s3_resource[len("arn:aws:s3:::"):]
        if request.operation == "PutObject":
            key_id = request.headers.get("x-amz-server-side-encryption-aws-kms-key-id")
            action = "kms:GenerateDataKey"
        else:
            bucket, _, key = bucket_key.partition("/")
            key_id = api.object_kms_key(bucket, key)
            action = "kms:Decrypt"
        if not key_id:
            return []
        arn = key_id if key_id.startswith("arn:") else f"arn:aws:kms:{request.region}:{request.account_id}:key/{key_id}"
        if api.kms_key(arn) is None:
            raise errors.access_denied("KMS.NotFoundException")(f"Key '{arn}' does not exist")
        return [(action, arn)]
