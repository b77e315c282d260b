"""The JSON Schema of quiz files (schema.json beside this module), split into file and question checks."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator

from codepipeline_lab.quiz.errors import QuizBankError

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _file_validator() -> Draft202012Validator:
    shallow = copy.deepcopy(schema())
    shallow["properties"]["questions"] = {"type": "array", "items": {"type": "object"}}
    return Draft202012Validator(shallow)


@lru_cache(maxsize=1)
def _question_validator() -> Draft202012Validator:
    return Draft202012Validator({"$defs": schema()["$defs"], "$ref": "#/$defs/question"})


def _field(error) -> str | None:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
    if error.validator == "required":
        missing = next((name for name in error.validator_value if name not in error.instance), None)
        return f"{path}.{missing}".lstrip(".") if missing else path or None
    return path or None


def _first(errors):
    return min(errors, key=lambda e: (len(e.absolute_path), str(list(e.absolute_path))), default=None)


def check_file_shape(data, file: str) -> None:
    error = _first(_file_validator().iter_errors(data))
    if error is not None:
        raise QuizBankError(file, None, _field(error), error.message)


def check_question_shape(data: dict, file: str, label: str) -> None:
    error = _first(_question_validator().iter_errors(data))
    if error is not None:
        raise QuizBankError(file, label, _field(error), error.message)
