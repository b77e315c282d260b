"""Does a role's trust policy let CodePipeline assume it?"""

from __future__ import annotations

import json
from urllib.parse import unquote

SERVICE = "codepipeline.amazonaws.com"


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _matches(statement: dict, service: str = SERVICE) -> bool:
    actions = _as_list(statement.get("Action", []))
    if not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
        return False
    principal = statement.get("Principal", {})
    if principal == "*":
        return True
    services = _as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
    return service in services


def trusts_codepipeline(trust_policy) -> bool:
    """True when an Allow statement admits codepipeline.amazonaws.com and no Deny refuses it."""
    return trusts_service(trust_policy, SERVICE)


def trusts_service(trust_policy, service: str) -> bool:
    """True when an Allow statement admits ``service`` and no Deny refuses it."""
    if isinstance(trust_policy, str):
        try:
            trust_policy = json.loads(unquote(trust_policy))
        except ValueError:
            return False
    statements = _as_list(trust_policy.get("Statement", [])) if isinstance(trust_policy, dict) else []
    statements = [s for s in statements if isinstance(s, dict) and _matches(s, service)]
    if any(s.get("Effect") == "Deny" for s in statements):
        return False
    return any(s.get("Effect") == "Allow" for s in statements)
