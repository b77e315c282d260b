"""Check a request value against botocore's model of the AWS API: types, required members,
unknown keys, lengths, ranges, patterns and enums, exactly as the service declares them.

botocore checks only types, required members and minimum lengths on the client side; AWS checks
the rest on the server. Reading the constraints from botocore's model keeps them AWS's own.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import botocore.session


@dataclass(frozen=True)
class Problem:
    path: str       # where, as a JSON path such as pipeline.stages[1].actions[0].name
    message: str    # the rule that was broken, in words
    code: str       # the AWS exception name that reports it


@functools.lru_cache(maxsize=None)
def service_model(service: str = "codepipeline"):
    return botocore.session.get_session().get_service_model(service)


def shape(name: str, service: str = "codepipeline"):
    return service_model(service).shape_for(name)


def check(value, shape_, path: str) -> list[Problem]:
    """Every way ``value`` breaks ``shape_``; an empty list when it fits."""
    checker = _CHECKERS.get(shape_.type_name, _check_nothing)
    return checker(value, shape_, path)


def _constraint(path: str, value, rule: str) -> Problem:
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    return Problem(path, f"Value {shown} at '{path}' failed to satisfy constraint: {rule}", "ValidationException")


def _type_problem(path: str, expected: str, value) -> Problem:
    return Problem(path, f"'{path}' must be {expected}, not {type(value).__name__}", "ValidationException")


def _check_structure(value, shape_, path):
    if not isinstance(value, dict):
        return [_type_problem(path, "an object", value)]
    problems = []
    for name in shape_.metadata.get("required", []):
        if value.get(name) is None:
            problems.append(Problem(f"{path}.{name}", f"'{path}.{name}' is required", "ValidationException"))
    for name, member_value in value.items():
        if name not in shape_.members:
            known = ", ".join(shape_.members)
            problems.append(Problem(f"{path}.{name}", f"Unknown field '{name}' at '{path}'; known fields: {known}", "ValidationException"))
        elif member_value is not None:
            problems += check(member_value, shape_.members[name], f"{path}.{name}")
    return problems


def _check_size(value, shape_, path, unit):
    problems = []
    low, high = shape_.metadata.get("min"), shape_.metadata.get("max")
    if low is not None and len(value) < low:
        problems.append(_constraint(path, value, f"Member must have {unit} greater than or equal to {low}"))
    if high is not None and len(value) > high:
        problems.append(_constraint(path, value, f"Member must have {unit} less than or equal to {high}"))
    return problems


def _check_list(value, shape_, path):
    if not isinstance(value, list):
        return [_type_problem(path, "a list", value)]
    problems = _check_size(value, shape_, path, "length")
    for index, item in enumerate(value):
        problems += check(item, shape_.member, f"{path}[{index}]")
    return problems


def _check_map(value, shape_, path):
    if not isinstance(value, dict):
        return [_type_problem(path, "an object", value)]
    problems = _check_size(value, shape_, path, "length")
    for key, item in value.items():
        problems += check(key, shape_.key, f"{path}.{key} (key)")
        problems += check(item, shape_.value, f"{path}.{key}")
    return problems


def _check_string(value, shape_, path):
    if not isinstance(value, str):
        return [_type_problem(path, "a string", value)]
    problems = _check_size(value, shape_, path, "length")
    pattern = shape_.metadata.get("pattern")
    compiled = _compiled(pattern) if pattern else None
    if compiled is not None and compiled.fullmatch(value) is None:
        problems.append(_constraint(path, value, f"Member must satisfy regular expression pattern: {pattern}"))
    enum = shape_.metadata.get("enum")
    if enum and value not in enum:
        problems.append(_constraint(path, value, f"Member must satisfy enum value set: [{', '.join(enum)}]"))
    return problems


# AWS's models write some patterns in Java/ICU regular-expression syntax, which Python's ``re``
# does not know: Unicode classes such as \p{L} (letters), \p{Z} (separators), \p{N} (numbers).
# Inside a character class they are translated to Python equivalents: \p{L} and \p{N} become
# \w (Unicode letters and digits, plus "_" -- every such pattern in the models allows "_"
# anyway), \p{Z} the Unicode separators, \p{ASCII} \x00-\x7F. A pattern Python still cannot
# compile (other \p classes such as \p{P}/\p{M}, surrogate ranges, "[\w-_]") is not checked
# at all: better to accept a value AWS might refuse than to refuse one AWS accepts.
_JAVA_CLASSES = {r"\p{L}": r"\w", r"\p{N}": r"\w", r"\p{ASCII}": r"\x00-\x7F",
                 r"\p{Z}": r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"}


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str):
    """``pattern`` compiled for Python, or None when Python cannot read it (then it is not checked)."""
    translated = pattern
    for java, python in _JAVA_CLASSES.items():
        translated = translated.replace(java, python)
    try:
        return re.compile(translated)
    except re.error:
        return None


def _check_integer(value, shape_, path):
    if isinstance(value, bool) or not isinstance(value, int):
        return [_type_problem(path, "an integer", value)]
    problems = []
    low, high = shape_.metadata.get("min"), shape_.metadata.get("max")
    if low is not None and value < low:
        problems.append(_constraint(path, value, f"Member must have value greater than or equal to {low}"))
    if high is not None and value > high:
        problems.append(_constraint(path, value, f"Member must have value less than or equal to {high}"))
    return problems


def _check_boolean(value, shape_, path):
    return [] if isinstance(value, bool) else [_type_problem(path, "true or false", value)]


def _check_nothing(value, shape_, path):
    return []


_CHECKERS = {
    "structure": _check_structure,
    "list": _check_list,
    "map": _check_map,
    "string": _check_string,
    "integer": _check_integer,
    "long": _check_integer,
    "boolean": _check_boolean,
}
