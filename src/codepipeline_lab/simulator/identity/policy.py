"""IAM policy evaluation with resource ARNs: explicit Deny wins, then Allow, else implicit deny.

The same evaluator enforces every call of the simulated account and answers
``iam.simulate_principal_policy``: what it enforces and what it explains cannot disagree.

``evaluate`` decides one set of policies (identity policies, or a resource policy, or a
permissions boundary); ``evaluate_request`` combines them as IAM does within one account and
across accounts.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitDeny", "implicitDeny"


class PolicyError(ValueError):
    """A policy document the evaluator cannot read: names the policy, the statement and the problem."""

    def __init__(self, policy_id: str, problem: str, statement: int | None = None) -> None:
        where = f"policy {policy_id}" + (f", Statement[{statement}]" if statement is not None else "")
        super().__init__(f"{where}: {problem}")
        self.policy_id, self.statement, self.problem = policy_id, statement, problem


@dataclass(frozen=True)
class PolicySource:
    """A policy document and where it came from (IAM's SourcePolicyId / SourcePolicyType)."""
    id: str                 # the policy's name (inline) or ARN (managed), "resource" for a resource policy
    type: str               # "user" | "group" | "role" | "aws-managed" | "user-managed" | "resource" | "none"
    document: str           # the JSON text, as stored (positions of statements refer to it)


@dataclass(frozen=True)
class Caller:
    """What a resource policy's Principal is matched against."""
    arn: str                # the caller's ARN (user, assumed-role session, root)
    account_id: str
    role_arn: str | None = None     # for a role session: the role's ARN
    service: str | None = None      # for a service principal: "codepipeline.amazonaws.com"


@dataclass
class MatchedStatement:
    source_id: str
    source_type: str
    start: tuple[int, int] = (1, 1)     # (line, column) in the document's text, as IAM reports them
    end: tuple[int, int] = (1, 1)
    effect: str = "Allow"


@dataclass
class Decision:
    decision: str                                   # ALLOWED | EXPLICIT_DENY | IMPLICIT_DENY
    matched: list[MatchedStatement] = field(default_factory=list)
    missing_context: list[str] = field(default_factory=list)
    # evaluate_request only: the decision of each kind of policy ("IAM Policy", "Resource Policy",
    # "Permissions Boundary"), and whether a permissions boundary allowed (None: no boundary).
    details: dict[str, str] = field(default_factory=dict)
    allowed_by_boundary: bool | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED


# -- statements and their places in the document's text ---------------------------------------

@dataclass
class _Statement:
    body: dict
    index: int                      # 0-based, in document order
    start: tuple[int, int]
    end: tuple[int, int]


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _skip(text: str, i: int) -> int:
    return _WHITESPACE.match(text, i).end()


def _spans_of_statements(text: str) -> list[tuple[int, int]]:
    """Offsets (start, end) of each statement object: a small scan of the top-level object, with
    the JSON decoder reading every value (raw_decode returns where a value ends)."""
    i = _skip(text, 0)
    if text[i:i + 1] != "{":
        return []
    i, spans = _skip(text, i + 1), []
    while i < len(text) and text[i] != "}":
        key, i = _decoder.raw_decode(text, i)
        i = _skip(text, _skip(text, i) + 1)            # past ':'
        if key == "Statement":
            spans = _element_spans(text, i)
        _, i = _decoder.raw_decode(text, i)
        i = _skip(text, i)
        if text[i:i + 1] == ",":
            i = _skip(text, i + 1)
    return spans


def _element_spans(text: str, i: int) -> list[tuple[int, int]]:
    if text[i] != "[":
        _, end = _decoder.raw_decode(text, i)
        return [(i, end)]
    spans, i = [], _skip(text, i + 1)
    while text[i] != "]":
        _, end = _decoder.raw_decode(text, i)
        spans.append((i, end))
        i = _skip(text, end)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return spans


def statements(source: PolicySource) -> tuple[dict, list[_Statement]]:
    """The parsed document of ``source`` and its statements with IAM's positions.

    IAM reports a statement from just after its opening brace to just after its closing brace
    (the AWS CLI example: a one-line policy whose statement object starts at column 37 is
    reported at Line 1, Column 38)."""
    text = source.document if isinstance(source.document, str) else json.dumps(source.document)
    try:
        document = json.loads(text)
    except ValueError as error:
        raise PolicyError(source.id, f"not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise PolicyError(source.id, "a policy document must be a JSON object")
    body = document.get("Statement", [])
    bodies = body if isinstance(body, list) else [body]
    spans = _spans_of_statements(text)
    if len(spans) != len(bodies):                      # duplicate keys or odd layouts: no positions
        spans = [(0, 0)] * len(bodies)
    found = []
    for index, (statement, (start, end)) in enumerate(zip(bodies, spans)):
        if not isinstance(statement, dict):
            raise PolicyError(source.id, "a statement must be a JSON object", index)
        found.append(_Statement(statement, index, _position(text, start + 1), _position(text, end)))
    return document, found


# -- wildcards and policy variables ---------------------------------------------------------

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


class _Unresolved(Exception):
    """A policy variable whose key the request context does not have."""


def _substitute(text: str, context: dict[str, list[str]] | None, missing: set[str]) -> list[tuple[str, bool]]:
    """``text`` split into (piece, is_literal) with policy variables replaced by context values.
    Substituted values are literal: a ``*`` in a user name is not a wildcard."""
    if context is None:
        return [(text, False)]
    pieces, last = [], 0
    for found in _VARIABLE.finditer(text):
        pieces.append((text[last:found.start()], False))
        pieces.append((_variable_value(found.group(1), context, missing), True))
        last = found.end()
    pieces.append((text[last:], False))
    return pieces


def _variable_value(inner: str, context: dict[str, list[str]], missing: set[str]) -> str:
    name, _, default = inner.partition(",")
    name = name.strip()
    if name in _SPECIAL:
        return _SPECIAL[name]
    values = context.get(name.lower())
    if values:
        return values[0]
    default = default.strip()
    if len(default) >= 2 and default[0] == default[-1] == "'":
        return default[1:-1]
    missing.add(name)
    raise _Unresolved(name)


def _glob(pieces: list[tuple[str, bool]], star: str, question: str, arn_segments: bool = False) -> str:
    """A regular expression for a wildcard pattern. With ``arn_segments``, a ``*`` stays inside
    its colon-separated segment unless it ends the segment (IAM's rule for ARNs)."""
    out = []
    for piece, literal in pieces:
        if literal:
            out.append(re.escape(piece))
            continue
        for i, char in enumerate(piece):
            if char == "*":
                ends_segment = i + 1 == len(piece) or piece[i + 1] == ":"
                out.append(".*" if not arn_segments or ends_segment else star)
            elif char == "?":
                out.append(question)
            else:
                out.append(re.escape(char))
    return "".join(out)


def _like(pattern: str, value: str, variables, missing, case_sensitive=True, arn=False) -> bool:
    try:
        pieces = _substitute(pattern, variables, missing)
    except _Unresolved:
        return False
    regex = _glob(pieces, "[^:]*" if arn else ".*", "[^:]" if arn else ".", arn_segments=arn)
    flags = re.DOTALL | (0 if case_sensitive else re.IGNORECASE)
    return re.fullmatch(regex, value, flags) is not None


def _action_matches(patterns, action: str) -> bool:
    return any(_like(p, action, None, set(), case_sensitive=False) for p in _as_list(patterns))


def _resource_matches(patterns, resource: str, variables, missing: set[str]) -> bool:
    return any(p == "*" or _like(p, resource, variables, missing, arn=True) for p in _as_list(patterns))


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# -- conditions -------------------------------------------------------------------------------

def _literal(pattern: str, variables, missing) -> str | None:
    try:
        return "".join(piece for piece, _ in _substitute(pattern, variables, missing))
    except _Unresolved:
        return None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> float | None:
    """IAM dates: ISO 8601 or seconds since the epoch."""
    epoch = _number(text)
    if epoch is not None:
        return epoch
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


def _compare(parse, test):
    def compare(policy: str, actual: str, variables, missing) -> bool:
        a, b = parse(actual), parse(policy)
        return a is not None and b is not None and test(a, b)
    return compare


def _string_equals(policy, actual, variables, missing) -> bool:
    return _literal(policy, variables, missing) == actual


def _string_equals_ignore_case(policy, actual, variables, missing) -> bool:
    expected = _literal(policy, variables, missing)
    return expected is not None and expected.lower() == actual.lower()


def _string_like(policy, actual, variables, missing) -> bool:
    return _like(policy, actual, variables, missing)


def _arn_like(policy, actual, variables, missing) -> bool:
    return _like(policy, actual, variables, missing, arn=True)


def _bool(policy, actual, variables, missing) -> bool:
    return policy.lower() == actual.lower()


def _binary(policy, actual, variables, missing) -> bool:
    try:
        return base64.b64decode(policy, validate=True) == base64.b64decode(actual, validate=True)
    except ValueError:
        return policy == actual


def _ip_address(policy, actual, variables, missing) -> bool:
    try:
        network = ipaddress.ip_network(policy, strict=False)
        return ipaddress.ip_network(actual, strict=False).subnet_of(network)
    except (ValueError, TypeError):
        return False


_EQ, _LT, _LE = (lambda a, b: a == b), (lambda a, b: a < b), (lambda a, b: a <= b)
_GT, _GE = (lambda a, b: a > b), (lambda a, b: a >= b)

# operator -> (positive test, negated): a negated operator is true when the positive one is not.
OPERATORS = {
    "StringEquals": (_string_equals, False), "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False), "StringNotLike": (_string_like, True),
    "NumericEquals": (_compare(_number, _EQ), False), "NumericNotEquals": (_compare(_number, _EQ), True),
    "NumericLessThan": (_compare(_number, _LT), False), "NumericLessThanEquals": (_compare(_number, _LE), False),
    "NumericGreaterThan": (_compare(_number, _GT), False),
    "NumericGreaterThanEquals": (_compare(_number, _GE), False),
    "DateEquals": (_compare(_date, _EQ), False), "DateNotEquals": (_compare(_date, _EQ), True),
    "DateLessThan": (_compare(_date, _LT), False), "DateLessThanEquals": (_compare(_date, _LE), False),
    "DateGreaterThan": (_compare(_date, _GT), False), "DateGreaterThanEquals": (_compare(_date, _GE), False),
    "Bool": (_bool, False), "BinaryEquals": (_binary, False),
    "IpAddress": (_ip_address, False), "NotIpAddress": (_ip_address, True),
    "ArnEquals": (_arn_like, False), "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True), "ArnNotLike": (_arn_like, True),
    "Null": (None, False),
}
_SET_OPERATORS = ("ForAnyValue:", "ForAllValues:")


@dataclass(frozen=True)
class _Operator:
    name: str
    base: str
    set_operator: str | None        # "ForAnyValue" | "ForAllValues" | None
    if_exists: bool


def parse_operator(name: str) -> _Operator | None:
    """IAM's condition operator ``name`` in parts, or None when IAM has no such operator."""
    base, set_operator = name, None
    for prefix in _SET_OPERATORS:
        if base.startswith(prefix):
            base, set_operator = base[len(prefix):], prefix[:-1]
    if_exists = base.endswith("IfExists") and base != "IfExists"
    if if_exists:
        base = base[:-len("IfExists")]
    if base not in OPERATORS or (base == "Null" and (if_exists or set_operator)):
        return None
    return _Operator(name, base, set_operator, if_exists)


def _text_value(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _condition_holds(operator: _Operator, key: str, expected: list[str], context, variables,
                     missing: set[str]) -> bool:
    actual = context.get(key.lower())
    if operator.base == "Null":                        # answers "is the key absent?"
        absent = not actual
        return any((value.lower() == "true") == absent for value in expected)
    if actual is None:
        missing.add(key)
    if not actual:
        if operator.if_exists or operator.set_operator == "ForAllValues":
            return True
        if operator.set_operator == "ForAnyValue":
            return False
        return OPERATORS[operator.base][1]             # IAM: a negated operator holds without the key
    test, negated = OPERATORS[operator.base]

    def matches(value: str) -> bool:
        return any(test(policy, value, variables, missing) for policy in expected)

    if operator.set_operator == "ForAllValues":
        return all(matches(v) != negated for v in actual)
    if operator.set_operator == "ForAnyValue":
        return any(matches(v) != negated for v in actual)
    return any(matches(v) for v in actual) != negated


def _conditions_hold(block, context, variables, missing: set[str], where: tuple[str, int]) -> bool:
    """AND across operators and keys, OR across a key's values. Every key is looked at, so that
    all missing context keys are reported, not just the first."""
    if not isinstance(block, dict):
        raise PolicyError(where[0], "Condition must be a JSON object", where[1])
    holds = True
    for name, keys in block.items():
        operator = parse_operator(name)
        if operator is None:
            raise PolicyError(where[0], f"unknown condition operator {name!r}", where[1])
        if not isinstance(keys, dict):
            raise PolicyError(where[0], f"the value of {name} must be a JSON object of condition keys", where[1])
        for key, values in keys.items():
            expected = [_text_value(v) for v in _as_list(values)]
            holds = _condition_holds(operator, key, expected, context, variables, missing) and holds
    return holds


# -- principals (resource-based policies) ---------------------------------------------------

def _principal_listed(principal, caller: Caller | None) -> bool:
    """Whether ``caller`` is one of the principals of a Principal/NotPrincipal element."""
    if principal == "*":
        return True
    if caller is None or not isinstance(principal, dict):
        return False
    for entry in (str(p) for p in _as_list(principal.get("AWS", []))):
        if entry == "*" or entry in (caller.arn, caller.role_arn):
            return True
        if entry in (caller.account_id, f"arn:aws:iam::{caller.account_id}:root"):
            return True                                 # the account: any of its principals
    return caller.service is not None and caller.service in _as_list(principal.get("Service", []))


def _principal_matches(statement: dict, caller: Caller | None) -> bool:
    if "Principal" in statement:
        return _principal_listed(statement["Principal"], caller)
    if "NotPrincipal" in statement:
        return not _principal_listed(statement["NotPrincipal"], caller)
    return True


# -- evaluation -----------------------------------------------------------------------------

def _normalized(context: dict | None) -> dict[str, list[str]]:
    return {key.lower(): [_text_value(v) for v in _as_list(values)] for key, values in (context or {}).items()}


def _applies(statement: dict, action: str, resource: str, context, variables, missing: set[str]) -> bool:
    if "Action" in statement and not _action_matches(statement["Action"], action):
        return False
    if "NotAction" in statement and _action_matches(statement["NotAction"], action):
        return False
    if "Resource" in statement and not _resource_matches(statement["Resource"], resource, variables, missing):
        return False
    if "NotResource" in statement and _resource_matches(statement["NotResource"], resource, variables, missing):
        return False
    return True


def evaluate(sources: list[PolicySource], action: str, resource: str, context: dict | None = None,
             caller: Caller | None = None) -> Decision:
    """The decision of ``sources`` for one action on one resource.

    ``context`` maps condition keys (case-insensitive) to their values in the request. A key a
    condition needs and the context lacks makes that condition false (true for negated
    operators, ...IfExists and ForAllValues, as in IAM) and is reported in ``missing_context``.
    ``caller`` is matched against Principal/NotPrincipal of resource-based policies."""
    context = _normalized(context)
    allow, deny, missing = [], [], set()
    for source in sources:
        document, found = statements(source)
        variables = context if document.get("Version") == "2012-10-17" else None   # 2008 policies: literal ${...}
        for statement in found:
            body = statement.body
            if not _applies(body, action, resource, context, variables, missing):
                continue
            if not _principal_matches(body, caller):
                continue
            if "Condition" in body and not _conditions_hold(body["Condition"], context, variables, missing,
                                                            (source.id, statement.index)):
                continue
            effect = str(body.get("Effect", "")).capitalize()      # moto accepts "allow" too
            match = MatchedStatement(source.id, source.type, statement.start, statement.end, effect)
            (deny if effect == "Deny" else allow if effect == "Allow" else []).append(match)
    missing_context = sorted(missing, key=str.lower)
    if deny:
        return Decision(EXPLICIT_DENY, deny, missing_context)
    if allow:
        return Decision(ALLOWED, allow, missing_context)
    return Decision(IMPLICIT_DENY, [], missing_context)


def evaluate_request(identity: list[PolicySource], action: str, resource: str, context: dict | None = None,
                     caller: Caller | None = None, resource_policy: PolicySource | None = None,
                     resource_account: str | None = None,
                     boundary: list[PolicySource] | None = None) -> Decision:
    """IAM's decision for a request with identity policies, an optional resource-based policy
    and an optional permissions boundary.

    An explicit Deny anywhere wins. Within one account, an Allow in either the identity policies
    or the resource policy is enough; across accounts (``caller.account_id`` differs from
    ``resource_account``) both must allow. A permissions boundary must also allow."""
    own = evaluate(identity, action, resource, context, caller)
    parts = {"IAM Policy": own}
    if resource_policy is not None:
        parts["Resource Policy"] = evaluate([resource_policy], action, resource, context, caller)
    if boundary is not None:
        parts["Permissions Boundary"] = evaluate(boundary, action, resource, context, caller)
    missing = sorted({key for part in parts.values() for key in part.missing_context}, key=str.lower)
    cross_account = caller is not None and resource_account is not None and caller.account_id != resource_account
    details = {kind: part.decision for kind, part in parts.items()} if cross_account else {}
    bounded = parts["Permissions Boundary"].allowed if boundary is not None else None
    denied = [m for part in parts.values() if part.decision == EXPLICIT_DENY for m in part.matched]
    if denied:
        return Decision(EXPLICIT_DENY, denied, missing, details, bounded)
    granted = [part for kind, part in parts.items() if kind != "Permissions Boundary" and part.allowed]
    by_resource = "Resource Policy" in parts and parts["Resource Policy"].allowed
    allowed = (own.allowed and by_resource) if cross_account else bool(granted)
    if allowed and bounded is False:
        allowed = False
    if not allowed:
        return Decision(IMPLICIT_DENY, [], missing, details, bounded)
    return Decision(ALLOWED, [m for part in granted for m in part.matched], missing, details, bounded)


# -- the request context a caller brings -----------------------------------------------------

def request_context(principal_arn: str, account_id: str, principal_type: str, user_id: str,
                    resource_account: str | None = None, user_name: str | None = None,
                    now: datetime | None = None, extra: dict | None = None) -> dict[str, list[str]]:
    """The global condition keys of a request (what policy variables and conditions read).

    ``principal_type`` is IAM's aws:PrincipalType ("User", "AssumedRole", "Account"); ``user_id``
    is aws:userid ("AIDA…" for a user, "AROA…:<session>" for a role session, the account id for
    root); aws:username exists only for IAM users. ``extra`` adds service keys such as
    iam:PassedToService."""
    context = {"aws:PrincipalArn": [principal_arn], "aws:PrincipalAccount": [account_id],
               "aws:PrincipalType": [principal_type], "aws:userid": [user_id], "aws:SecureTransport": ["true"]}
    if user_name:
        context["aws:username"] = [user_name]
    if resource_account:
        context["aws:ResourceAccount"] = [resource_account]
    if now is not None:
        context["aws:CurrentTime"] = [now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")]
        context["aws:EpochTime"] = [str(int(now.timestamp()))]
    context.update({key: [_text_value(v) for v in _as_list(values)] for key, values in (extra or {}).items()})
    return context


# -- checking a document ---------------------------------------------------------------------

def validate_document(text: str, kind: str = "identity") -> list[str]:
    """What IAM would refuse in a policy document, as messages naming the statement.

    moto validates documents in put_*_policy (``moto.iam.policy_validation``); this covers
    documents that never pass there (the simulator's inputs, resource policies) with the checks
    the evaluator relies on, plus what moto misses: Principal where it does not belong or is
    missing. ``kind`` is "identity", "resource" or "trust"."""
    try:
        document, found = statements(PolicySource("document", "none", text))
    except PolicyError as error:
        return [error.problem]
    if "Statement" not in document:
        return ["Missing required field Statement."]
    if not found:
        return ["Statement must not be empty."]
    problems = []
    for statement in found:
        problems += [f"Statement[{statement.index}]: {problem}" for problem in _statement_problems(statement.body, kind)]
    return problems


def _statement_problems(body: dict, kind: str) -> list[str]:
    problems = []
    if body.get("Effect") not in ("Allow", "Deny"):
        problems.append("Effect must be Allow or Deny.")
    if ("Action" in body) == ("NotAction" in body):
        problems.append("a statement needs exactly one of Action and NotAction.")
    if "Resource" in body and "NotResource" in body:
        problems.append("a statement cannot have both Resource and NotResource.")
    elif kind != "trust" and "Resource" not in body and "NotResource" not in body:
        problems.append("Policy statement must contain resources.")
    names_principal = "Principal" in body or "NotPrincipal" in body
    if kind == "identity" and names_principal:
        problems.append("Policy document should not specify a principal.")
    if kind in ("resource", "trust") and not names_principal:
        problems.append("Missing required field Principal.")
    for name in ("Action", "NotAction"):
        for action in _as_list(body.get(name, [])):
            if not isinstance(action, str) or (action != "*" and ":" not in action):
                problems.append(f"{name} {action!r} must be prefaced by a service, e.g. codepipeline:GetPipeline.")
    condition = body.get("Condition", {})
    if not isinstance(condition, dict):
        problems.append("Condition must be a JSON object.")
    for name in condition if isinstance(condition, dict) else []:
        if parse_operator(name) is None:
            problems.append(f"unknown condition operator {name!r}.")
    return problems
