"""Who makes a call: the account's administrator, an IAM user, or a session of an IAM role.

Each is found from the access key of the request. CloudTrail's ``userIdentity`` is drawn from
the same record, so the audit trail and the authorizer never disagree about the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    type: str                       # "Root" | "IAMUser" | "AssumedRole" | "AWSService"
    arn: str                        # arn:aws:iam::<acct>:root | user/<n> | arn:aws:sts::<acct>:assumed-role/<role>/<session>
    account_id: str
    principal_id: str               # account id | AIDA… | AROA…:<session>
    access_key_id: str | None = None
    user_name: str | None = None    # IAMUser: the user's name
    role_arn: str | None = None     # AssumedRole: arn:aws:iam::<acct>:role/<path><name>
    role_id: str | None = None      # AssumedRole: the role's AROA… id
    session_name: str | None = None
    session_created: str | None = None   # ISO time the session began (virtual clock)
    invoked_by: str | None = None   # "codepipeline.amazonaws.com" when a service acts through this session
    tags: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_root(self) -> bool:
        return self.type == "Root"

    @property
    def role_name(self) -> str | None:
        return self.role_arn.rsplit("/", 1)[-1] if self.role_arn else None

    def user_identity(self) -> dict:
        """CloudTrail's userIdentity element for this caller (facts §I5)."""
        if self.type == "AWSService":           # a service acting on its own shows only itself
            return {"type": self.type, "invokedBy": self.invoked_by}
        identity = {"type": self.type, "principalId": self.principal_id, "arn": self.arn, "accountId": self.account_id}
        if self.access_key_id:
            identity["accessKeyId"] = self.access_key_id
        if self.type == "IAMUser":
            identity["userName"] = self.user_name
        if self.type == "AssumedRole":
            identity["sessionContext"] = {
                "sessionIssuer": {"type": "Role", "principalId": self.role_id, "arn": self.role_arn,
                                  "accountId": self.account_id, "userName": self.role_name},
                "attributes": {"creationDate": self.session_created, "mfaAuthenticated": "false"},
            }
        if self.invoked_by:
            identity["invokedBy"] = self.invoked_by
        return identity


def root(account_id: str, access_key_id: str | None = None) -> Principal:
    return Principal("Root", f"arn:aws:iam::{account_id}:root", account_id, account_id, access_key_id)


def service(name: str, account_id: str) -> Principal:
    """An AWS service acting on its own (CloudTrail's AWSService identity), e.g. assuming a role."""
    return Principal("AWSService", name, account_id, name, invoked_by=name)
