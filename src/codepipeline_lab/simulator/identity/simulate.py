"""IAM's policy simulator: ``SimulatePrincipalPolicy`` and ``SimulateCustomPolicy``.

Both explain decisions with the evaluator that enforces every call of the simulated account
(``policy.evaluate_request``), so an explanation and an enforcement cannot disagree.
"""

from __future__ import annotations

import re

from codepipeline_lab.simulator import api, errors
from codepipeline_lab.simulator.identity.policy import (Caller, Decision, MatchedStatement, PolicyError,
                                                        PolicySource, evaluate_request, validate_document)

_ACTION_NAME = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9]+$")
_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):(user|role|group)/(?:[^/]+/)*([^/]+)$")
_ACCOUNT = re.compile(r"(?<!\d)(\d{12})(?!\d)")
_INPUT_POLICY_TYPE = "IAM Policy"       # what IAM answers for PolicyInputList documents (a 2020 capture)
_DEFAULT_MAX_ITEMS = 100


def simulate_operations(account) -> dict:
    """The simulator's IAM operations, by moto's method names."""
    return {"simulate_principal_policy": simulate_principal_policy, "simulate_custom_policy": simulate_custom_policy}


def simulate_principal_policy(params: dict, ctx) -> dict:
    source_arn = _required(params, "PolicySourceArn")
    kind, name, account_id = _principal(source_arn, "PolicySourceArn")
    if kind == "group":
        raise errors.InvalidInputException(
            f"PolicySourceArn {source_arn}: the simulator evaluates users and roles, not groups "
            "(a user's simulation includes its groups' policies)")
    own = api.identity_policies(account_id, source_arn) if account_id == ctx.account_id else None
    if own is None:
        raise errors.NoSuchEntityException(f"The {kind} with name {name} cannot be found.")
    identity = _excluded(own, params.get("PolicyExclusionList") or []) + _inputs(params, "PolicyInputList")
    return _simulate(params, identity, default_caller=source_arn)


def simulate_custom_policy(params: dict, ctx) -> dict:
    _required(params, "PolicyInputList")
    if params.get("ResourcePolicy") and not params.get("CallerArn"):
        raise errors.InvalidInputException(
            "CallerArn is required with a ResourcePolicy: the resource policy's Principal needs a caller to match")
    return _simulate(params, _inputs(params, "PolicyInputList"), default_caller=None, fallback_account=ctx.account_id)


# -- the request ----------------------------------------------------------------------------

def _required(params: dict, name: str):
    if not params.get(name):
        raise errors.InvalidInputException(f"{name} is required")
    return params[name]


def _principal(arn: str, parameter: str) -> tuple[str, str, str]:
    found = _PRINCIPAL_ARN.match(arn or "")
    if not found:
        raise errors.InvalidInputException(
            f"{parameter} {arn!r} is not the ARN of an IAM user, group or role (arn:aws:iam::<account>:user/<name>)")
    return found.group(2), found.group(3), found.group(1)


def _document(text: str, source_id: str, source_type: str, kind: str) -> PolicySource:
    problems = validate_document(text, kind)
    if problems:
        raise errors.MalformedPolicyDocumentException(f"{source_id} is not a valid policy: " + " ".join(problems))
    return PolicySource(source_id, source_type, text)


def _inputs(params: dict, name: str) -> list[PolicySource]:
    return [_document(text, f"{name}.{n}", _INPUT_POLICY_TYPE, "identity")
            for n, text in enumerate(params.get(name) or [], start=1)]


def _excluded(sources: list[PolicySource], exclusions: list[dict]) -> list[PolicySource]:
    """The principal's policies without those PolicyExclusionList names."""
    def excluded(source: PolicySource) -> bool:
        for entry in exclusions:
            inline = entry.get("InlinePolicyIdentifier") or {}
            if entry.get("PolicyArn") == source.id:
                return True
            if entry.get("PolicyType") == "inline" and source.type in ("user", "group", "role"):
                return True
            if entry.get("PolicyType") in ("aws-managed", "user-managed") and entry["PolicyType"] == source.type:
                return True
            if inline and inline.get("PolicyName") == source.id and inline.get("AttachmentType") == source.type:
                return True
        return False
    return [source for source in sources if not excluded(source)]


def _context(params: dict) -> dict[str, list[str]]:
    context = {}
    for entry in params.get("ContextEntries") or []:
        name = entry.get("ContextKeyName")
        if not name:
            raise errors.InvalidInputException("Each ContextEntries item needs a ContextKeyName")
        context[name] = [str(v) for v in entry.get("ContextKeyValues") or []]
    return context


def _caller(params: dict, default_caller: str | None) -> Caller | None:
    arn = params.get("CallerArn") or default_caller
    if not arn:
        return None
    if arn.startswith("arn:aws:sts:") or ":assumed-role/" in arn:
        raise errors.InvalidInputException(f"CallerArn {arn}: an assumed-role session cannot be a simulated caller")
    kind, _, account_id = _principal(arn, "CallerArn")
    return Caller(arn, account_id, role_arn=arn if kind == "role" else None)


def _resource_account(resource: str, owner: str | None, caller: Caller | None, fallback: str) -> str:
    """The account that owns a resource: from its ARN, else ResourceOwner, else the caller's."""
    parts = resource.split(":", 5)
    if len(parts) == 6 and re.fullmatch(r"\d{12}", parts[4]):
        return parts[4]
    return owner or (caller.account_id if caller else fallback)


# -- the answer -----------------------------------------------------------------------------

def _simulate(params: dict, identity: list[PolicySource], default_caller: str | None,
              fallback_account: str | None = None) -> dict:
    actions = _required(params, "ActionNames")
    for action in actions:
        if not _ACTION_NAME.match(action or ""):
            raise errors.InvalidInputException(
                f"Invalid action name {action!r}: give a service prefix and an operation, e.g. codepipeline:GetPipeline")
    resources = params.get("ResourceArns") or []
    caller = _caller(params, default_caller)
    owner = _owner(params.get("ResourceOwner"))
    resource_policy = (_document(params["ResourcePolicy"], "ResourcePolicy", "resource", "resource")
                       if params.get("ResourcePolicy") else None)
    boundary = _inputs(params, "PermissionsBoundaryPolicyInputList") or None
    context = _context(params)
    fallback = fallback_account or (caller.account_id if caller else "")
    results = []
    for action in actions:
        for resource in resources or ["*"]:
            account = _resource_account(resource, owner, caller, fallback)
            try:
                decision = evaluate_request(identity, action, resource, context, caller, resource_policy, account, boundary)
            except PolicyError as error:
                raise errors.MalformedPolicyDocumentException(str(error)) from None
            cross_account = caller is not None and account != caller.account_id
            results.append(_result(action, resource, decision, bool(resources), cross_account))
    return _page(results, params)


def _owner(value: str | None) -> str | None:
    if not value:
        return None
    found = _ACCOUNT.search(value)
    if not found:
        raise errors.InvalidInputException(f"ResourceOwner {value!r} names no account (give arn:aws:iam::<account>:root)")
    return found.group(1)


def _statement(match: MatchedStatement) -> dict:
    return {"SourcePolicyId": match.source_id, "SourcePolicyType": match.source_type,
            "StartPosition": {"Line": match.start[0], "Column": match.start[1]},
            "EndPosition": {"Line": match.end[0], "Column": match.end[1]}}


def _result(action: str, resource: str, decision: Decision, per_resource: bool, cross_account: bool) -> dict:
    """One EvaluationResult. With ResourceArns, the missing context keys go under
    ResourceSpecificResults (IAM's documented layout); EvalDecisionDetails is filled only across
    accounts, present but empty for one account with a resource ARN, absent otherwise."""
    matched = [_statement(m) for m in decision.matched]
    result = {"EvalActionName": action, "EvalResourceName": resource, "EvalDecision": decision.decision,
              "MatchedStatements": matched, "MissingContextValues": [] if per_resource else decision.missing_context}
    boundary = ({"AllowedByPermissionsBoundary": decision.allowed_by_boundary}
                if decision.allowed_by_boundary is not None else None)
    if boundary:
        result["PermissionsBoundaryDecisionDetail"] = boundary
    if cross_account or per_resource:
        result["EvalDecisionDetails"] = dict(decision.details)
    if per_resource:
        specific = {"EvalResourceName": resource, "EvalResourceDecision": decision.decision,
                    "MatchedStatements": matched, "MissingContextValues": decision.missing_context}
        if cross_account:
            specific["EvalDecisionDetails"] = dict(decision.details)
        if boundary:
            specific["PermissionsBoundaryDecisionDetail"] = boundary
        result["ResourceSpecificResults"] = [specific]
    return result


def _page(results: list[dict], params: dict) -> dict:
    marker = params.get("Marker")
    if marker is not None and not str(marker).isdigit():
        raise errors.InvalidInputException(f"Marker {marker!r} is not one this simulator returned")
    start = int(marker or 0)
    size = int(params.get("MaxItems") or _DEFAULT_MAX_ITEMS)
    page = results[start:start + size]
    answer = {"EvaluationResults": page, "IsTruncated": start + size < len(results)}
    if answer["IsTruncated"]:
        answer["Marker"] = str(start + size)
    return answer
