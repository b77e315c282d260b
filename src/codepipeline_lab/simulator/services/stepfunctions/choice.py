"""Choice rules of the Amazon States Language: comparisons, And/Or/Not, Is* tests."""

from __future__ import annotations

import operator
import re
from datetime import datetime

from codepipeline_lab.simulator.services.stepfunctions import paths
from codepipeline_lab.simulator.services.stepfunctions.paths import StatesError

_ORDER = {"Equals": operator.eq, "LessThan": operator.lt, "GreaterThan": operator.gt,
          "LessThanEquals": operator.le, "GreaterThanEquals": operator.ge}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def timestamp(value):
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


# kind -> (does the variable have this kind, how to read a value of it)
_KINDS = {"String": (lambda v: isinstance(v, str), lambda v: v),
          "Numeric": (_is_number, lambda v: v),
          "Boolean": (lambda v: isinstance(v, bool), lambda v: v),
          "Timestamp": (lambda v: timestamp(v) is not None, timestamp)}

_TESTS = {"IsNull": lambda v: v is None, "IsString": lambda v: isinstance(v, str), "IsNumeric": _is_number,
          "IsBoolean": lambda v: isinstance(v, bool), "IsTimestamp": lambda v: timestamp(v) is not None}


def matches(rule: dict, data, context: dict) -> bool:
    """Whether one choice rule (without its Next) holds for ``data``."""
    if "And" in rule:
        return all(matches(r, data, context) for r in rule["And"])
    if "Or" in rule:
        return any(matches(r, data, context) for r in rule["Or"])
    if "Not" in rule:
        return not matches(rule["Not"], data, context)
    variable = rule.get("Variable")
    if variable is None:
        raise StatesError("States.Runtime", f"A choice rule needs Variable, And, Or or Not: {rule}")
    if "IsPresent" in rule:
        return paths.present(variable, data) == bool(rule["IsPresent"])
    value = paths.read(variable, data, context)
    for test, holds in _TESTS.items():
        if test in rule:
            return holds(value) == bool(rule[test])
    if "StringMatches" in rule:
        return isinstance(value, str) and _wildcard(rule["StringMatches"]).fullmatch(value) is not None
    return _compare(rule, value, data, context)


def _compare(rule: dict, value, data, context: dict) -> bool:
    for key, expected in rule.items():
        if key in ("Variable", "Next"):
            continue
        base = key[:-4] if key.endswith("Path") else key
        kind = next((k for k in _KINDS if base.startswith(k)), None)
        relation = _ORDER.get(base[len(kind):]) if kind else None
        if relation is None:
            raise StatesError("States.Runtime", f"The simulator does not know the choice operator {key}")
        if key.endswith("Path"):
            expected = paths.read(expected, data, context)
        is_kind, convert = _KINDS[kind]
        if not (is_kind(value) and is_kind(expected)):
            return False
        return relation(convert(value), convert(expected))
    raise StatesError("States.Runtime", f"A choice rule on {rule.get('Variable')} has no comparison")


def _wildcard(pattern: str) -> re.Pattern:
    """StringMatches: ``*`` is any run of characters, ``\\*`` a literal star."""
    parts = re.split(r"(\\\*|\*)", pattern)
    return re.compile("".join(".*" if p == "*" else re.escape("*" if p == "\\*" else p) for p in parts), re.DOTALL)
