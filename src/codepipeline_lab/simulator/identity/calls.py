"""One API call that reached the simulated account, as the authorizer saw it."""

from __future__ import annotations

from dataclasses import dataclass, field

from codepipeline_lab.simulator.identity.principals import Principal


@dataclass
class ApiCall:
    service: str                    # the endpoint prefix: "s3", "codecommit", "codepipeline" …
    operation: str                  # AWS's operation name: "GetObject", "GetBranch" …
    region: str
    account_id: str                 # the account whose resources were called (recipientAccountId)
    principal: Principal
    parameters: dict = field(default_factory=dict)   # request parameters, as far as they are known
    resources: list[str] = field(default_factory=list)   # ARNs the call was authorized against
    error_code: str | None = None   # set when the call was denied or failed
    error_message: str | None = None
    source_ip: str = "127.0.0.1"    # the service's DNS name when a service made the call
    user_agent: str = "Boto3"

    @property
    def iam_action(self) -> str:
        return f"{self.service}:{self.operation}"
