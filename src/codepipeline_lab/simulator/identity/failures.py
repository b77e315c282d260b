"""How a denied call made on an action's behalf reads in errorDetails (facts §I3).

AWS wraps the service's own denial in a sentence naming what the role could not reach; the
code of such failures is PermissionError.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from codepipeline_lab.simulator import errors

PERMISSION_ERROR = "PermissionError"
DENIAL_CODES = {"AccessDenied", "AccessDeniedException", "AuthorizationError", "KMS.NotFoundException"}


class ActionDenied(Exception):
    """A call made for an action was denied; ``detail`` is the service's own message."""

    def __init__(self, code: str, detail: str, service: str = "") -> None:
        super().__init__(detail)
        self.code, self.detail, self.service = code, detail, service


def as_denial(problem: Exception) -> ActionDenied | None:
    """The denial inside a boto3 ClientError or a simulator AwsError, or None if it is not one."""
    if isinstance(problem, ActionDenied):
        return problem
    if isinstance(problem, ClientError):
        error = problem.response.get("Error", {})
        service = problem.operation_name
        if error.get("Code") in DENIAL_CODES:
            return ActionDenied(error["Code"], error.get("Message", ""), service)
    if isinstance(problem, errors.AwsError) and problem.code in DENIAL_CODES:
        return ActionDenied(problem.code, problem.message)
    return None


def role_cannot_access(what: str, denial: ActionDenied) -> str:
    return (f"The service role or action role doesn’t have the permissions required to access {what}. "
            f"Update the IAM role permissions, and then try again. Error: {denial.detail}")


def s3_denied(bucket: str, denial: ActionDenied) -> str:
    return role_cannot_access(f"the Amazon S3 bucket named {bucket}", ActionDenied(
        denial.code, f"Amazon S3:{denial.code}:{denial.detail} (Service: Amazon S3; Status Code: 403; Error Code: {denial.code})"))
