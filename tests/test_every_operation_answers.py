"""Every operation of the Code* services answers: with a result, or with an AWS exception.

Each operation of botocore's models for the five services is called once with minimal valid
parameters (required members only, generated from the input shape). An operation that neither
moto nor the simulator supports must answer with the service's chosen exception and a message
that names it (simulator/unsupported.py).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from moto.core.utils import camelcase_to_underscores

from codepipeline_lab import Lab
from codepipeline_lab.simulator import unsupported

_CANDIDATES = [
    "example",
    "example-1",
    "0123456789abcdef0123456789abcdef01234567",
    "arn:aws:codepipeline:us-east-1:123456789012:example",
    "arn:aws:codestar-connections:us-east-1:123456789012:connection/0123abcd-0123-4567-89ab-0123456789ab",
    "arn:aws:codeconnections:us-east-1:123456789012:connection/0123abcd-0123-4567-89ab-0123456789ab",
    "arn:aws:iam::123456789012:role/example",
    "https://example.com",
    "us-east-1",
    "1",
]

_NOT_AWS_CODES = {"500", "NotImplemented", "InternalFailure", "InternalError", "InternalServerError",
                  "InternalServerException", "ServiceUnavailable"}


def _fits(text: str, shape) -> bool:
    low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 10**9)
    if not low <= len(text) <= high:
        return False
    pattern = shape.metadata.get("pattern")
    if not pattern:
        return True
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:          # a Java-only construct: botocore does not check patterns either
        return True


def _string(shape) -> str:
    if shape.enum:
        return shape.enum[0]
    low = shape.metadata.get("min", 1)
    for candidate in _CANDIDATES + [c + "x" * (low - len(c)) for c in _CANDIDATES if len(c) < low]:
        if _fits(candidate, shape):
            return candidate
    return "x" * max(low, 1)


def example(shape):
    """Minimal valid value of a botocore shape: required members only, one item per list."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return {}
        if shape.is_tagged_union:
            name = next(iter(shape.members))
            return {name: example(shape.members[name])}
        return {name: example(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [example(shape.member) for _ in range(max(1, shape.metadata.get("min", 1)))]
    if kind == "map":
        return {example(shape.key): example(shape.value)}
    if kind == "string":
        return _string(shape)
    if kind in ("integer", "long"):
        value = max(shape.metadata.get("min", 1), 1)
        return int(min(value, shape.metadata.get("max", value)))
    if kind in ("float", "double"):
        return float(max(shape.metadata.get("min", 1), 1))
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)
    if kind == "blob":
        return b"x"
    raise AssertionError(f"no example for shape type {kind}")


def _own_handlers(account) -> list[tuple[str, str]]:
    return [key for key, handler in account.handlers().items()
            if getattr(handler, "__module__", None) != unsupported.__name__]


@pytest.mark.parametrize("service", unsupported.SERVICES)
def test_every_operation_answers(service):
    with Lab(seed=0) as lab:
        client = lab.client(service)
        model = client.meta.service_model
        not_supported = set(unsupported.unsupported_operations(_own_handlers(lab.account))[service])
        answered = []
        for operation in model.operation_names:
            input_shape = model.operation_model(operation).input_shape
            params = example(input_shape) if input_shape is not None else {}
            try:
                getattr(client, camelcase_to_underscores(operation))(**params)
                answered.append(operation)
                continue
            except ClientError as error:
                code = error.response["Error"]["Code"]
                text = error.response["Error"].get("Message", "")
                status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", code) and code not in _NOT_AWS_CODES, (operation, code, text)
            assert status < 500, (operation, status, code, text)
            if operation in not_supported:
                assert code == unsupported.ERROR_CODES[service], (operation, code)
                assert operation in text and unsupported.NOTES in text, (operation, text)
            else:
                assert "does not support" not in text, (operation, text)
        assert not set(answered) & not_supported


def test_the_notes_name_the_unsupported_operations():
    from pathlib import Path
    notes = (Path(__file__).parents[1] / unsupported.NOTES).read_text()
    assert f"## {unsupported.SECTION}" in notes
    for code in set(unsupported.ERROR_CODES.values()):
        assert f"`{code}`" in notes


def test_an_iam_user_without_permission_is_denied_by_the_connection_services():
    with Lab(seed=0) as lab:
        iam = lab.client("iam")
        iam.create_user(UserName="dev")
        key = iam.create_access_key(UserName="dev")["AccessKey"]
        for service in ("codestar-connections", "codeconnections"):
            client = lab.client(service, credentials=(key["AccessKeyId"], key["SecretAccessKey"]))
            with pytest.raises(ClientError) as denied:
                client.list_connections()
            assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
            assert f"{service}:ListConnections" in denied.value.response["Error"]["Message"]
