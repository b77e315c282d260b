"""Role sessions: the credentials a pipeline, an action, a build or a function acts with.

A service (CodePipeline, CodeBuild, Lambda) assumes a role that trusts it; an action's
``roleArn`` is assumed *by the pipeline's role session*, through an ordinary STS call that the
authorizer checks like any other (the pipeline role's identity policy and the action role's
trust policy, across accounts when the role lives in another one). Sessions are reused for an
hour of virtual time, as credentials are in AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from botocore.exceptions import ClientError

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.identity import principals
from codepipeline_lab.simulator.identity.calls import ApiCall
from codepipeline_lab.simulator.identity.policy import Caller, PolicySource, evaluate

LIFETIME = timedelta(hours=1)


class AssumeRoleError(Exception):
    """A role could not be assumed; the message says which role, by whom, and why."""


@dataclass
class Session:
    access_key_id: str
    secret_access_key: str
    session_token: str
    role_arn: str
    session_name: str
    created: str                 # ISO time on the virtual clock
    invoked_by: str | None       # the service acting through this session
    expires: datetime

    @property
    def credentials(self) -> tuple[str, str, str]:
        return self.access_key_id, self.secret_access_key, self.session_token

    @property
    def arn(self) -> str:
        account_id = self.role_arn.split(":")[4]
        return f"arn:aws:sts::{account_id}:assumed-role/{self.role_arn.rsplit('/', 1)[-1]}/{self.session_name}"


class RoleSessions:
    def __init__(self, account) -> None:
        self._account = account
        self._by_key: dict[str, Session] = {}
        self._cache: dict[tuple, Session] = {}

    def describe(self, access_key_id: str) -> Session | None:
        return self._by_key.get(access_key_id)

    def for_service(self, role_arn: str, service: str, region: str, session_name: Callable[[], str] | None = None) -> Session:
        """A session of ``role_arn`` for ``service`` (e.g. codepipeline.amazonaws.com), which the
        role's trust policy must allow; recorded as an AssumeRole call by that service.
        ``session_name`` names a new session (default: the epoch milliseconds CodePipeline uses)."""
        now = self._now()
        cached = self._cache.get((role_arn, service))
        if cached is not None and cached.expires > now:
            return cached
        role = api.role(role_arn.split(":")[4], role_arn) if role_arn.count(":") >= 5 else None
        name = session_name() if session_name else str(int(now.timestamp() * 1000))
        call = ApiCall("sts", "AssumeRole", region, role_arn.split(":")[4] if role else "", principals.service(service, role.account_id if role else ""),
                       {"roleArn": role_arn, "roleSessionName": name}, [role_arn], source_ip=service, user_agent=service)
        if role is None:
            self._refuse(call, f"{_service_title(service)} is not authorized to perform AssumeRole on role {role_arn}: the role does not exist")
        trust = evaluate([PolicySource("trust", "resource", role.trust_policy)], "sts:AssumeRole", role_arn, caller=Caller(service, "-", service=service))
        if not trust.allowed:
            self._refuse(call, f"{_service_title(service)} is not authorized to perform AssumeRole on role {role_arn}: "
                               f"its trust policy does not allow {service}")
        self._record(call)
        session = self._remember(api.assume_role(role_arn, name, region), role_arn, name, service)
        self._cache[(role_arn, service)] = session
        return session

    def assume(self, by: Session, role_arn: str, region: str) -> Session:
        """``by`` assumes ``role_arn`` through STS (as CodePipeline does for an action's roleArn)."""
        now = self._now()
        cached = self._cache.get((role_arn, by.role_arn))
        if cached is not None and cached.expires > now:
            return cached
        name = str(int(now.timestamp() * 1000))
        sts = self._account.lab.client("sts", region_name=region, credentials=by.credentials)
        try:
            answer = sts.assume_role(RoleArn=role_arn, RoleSessionName=name)["Credentials"]
        except ClientError as problem:
            raise AssumeRoleError(f"{by.role_arn} is not authorized to perform AssumeRole on role {role_arn}: "
                                  f"{problem.response['Error']['Message']}") from None
        credentials = (answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"])
        session = self._remember(credentials, role_arn, name, by.invoked_by)
        self._cache[(role_arn, by.role_arn)] = session
        return session

    def _remember(self, credentials, role_arn: str, name: str, invoked_by: str | None) -> Session:
        now = self._now()
        session = Session(*credentials, role_arn, name, now.strftime("%Y-%m-%dT%H:%M:%SZ"), invoked_by, now + LIFETIME)
        self._by_key[session.access_key_id] = session
        return session

    def _refuse(self, call: ApiCall, message: str) -> None:
        call.error_code, call.error_message = "AccessDenied", message
        self._record(call)
        raise AssumeRoleError(message)

    def _record(self, call: ApiCall) -> None:
        audit = getattr(self._account, "audit", None)
        if audit is not None:
            audit.record(call)

    def _now(self) -> datetime:
        return self._account.lab.scheduler.now


def _service_title(service: str) -> str:
    return {"codepipeline.amazonaws.com": "CodePipeline", "codebuild.amazonaws.com": "CodeBuild",
            "lambda.amazonaws.com": "Lambda", "cloudformation.amazonaws.com": "CloudFormation"}.get(service, service)

