"""IAM policy evaluation with resource ARNs: explicit Deny wins, then Allow, else implicit deny.

moto checks actions but ignores resource ARNs for most services, so the simulator evaluates the
caller's identity policies itself for the CodePipeline operations that teach permissions.
"""

from __future__ import annotations

import fnmatch


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _matches(patterns, value: str, case_sensitive: bool) -> bool:
    for pattern in _as_list(patterns):
        if case_sensitive:
            if fnmatch.fnmatchcase(value, pattern):
                return True
        elif fnmatch.fnmatchcase(value.lower(), pattern.lower()):
            return True
    return False


def _applies(statement: dict, action: str, resource: str) -> bool:
    if "Action" in statement and not _matches(statement["Action"], action, case_sensitive=False):
        return False
    if "NotAction" in statement and _matches(statement["NotAction"], action, case_sensitive=False):
        return False
    if "Resource" in statement and not _matches(statement["Resource"], resource, case_sensitive=True):
        return False
    if "NotResource" in statement and _matches(statement["NotResource"], resource, case_sensitive=True):
        return False
    return True


def evaluate(policies: list[dict], action: str, resource: str) -> str:
    """'Deny', 'Allow' or 'ImplicitDeny' for one action on one resource."""
    allowed = False
    for policy in policies:
        for statement in _as_list(policy.get("Statement", [])):
            if not isinstance(statement, dict) or not _applies(statement, action, resource):
                continue
            if statement.get("Effect") == "Deny":
                return "Deny"
            allowed = allowed or statement.get("Effect") == "Allow"
    return "Allow" if allowed else "ImplicitDeny"
