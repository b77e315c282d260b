"""Small helpers for reading requests and writing responses in AWS's shapes."""

from __future__ import annotations

from codepipeline_lab.simulator import errors


def required(params: dict, name: str):
    """A request member that must be present, with AWS's wording when it is not."""
    value = params.get(name)
    if value is None or value == "":
        raise errors.ValidationException(f"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null")
    return value


def drop_none(values: dict) -> dict:
    """Leave out members that have no value, as AWS's responses do."""
    return {k: v for k, v in values.items() if v is not None}
