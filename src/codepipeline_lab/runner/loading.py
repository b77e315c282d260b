"""Reading FILE: a pipeline declaration (JSON, with or without ``{"pipeline": …}``) or a
CloudFormation template (YAML or JSON, short tags included)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import yaml

from codepipeline_lab.runner.problems import Unusable
from codepipeline_lab.simulator.services.cloudformation.template_yaml import load as load_yaml

PIPELINE_TYPE = "AWS::CodePipeline::Pipeline"


@dataclass
class Input:
    path: str
    kind: str                    # "declaration" or "template"
    document: dict               # the declaration, or the whole template

    def pipelines(self) -> dict[str, dict]:
        """Logical id → resource, for every AWS::CodePipeline::Pipeline of a template."""
        resources = self.document.get("Resources") or {}
        return {k: v for k, v in resources.items() if isinstance(v, dict) and v.get("Type") == PIPELINE_TYPE}


def read(path: str) -> Input:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except IsADirectoryError:
        raise Unusable(f"{path}: is a folder; give the pipeline's JSON or its CloudFormation template") from None
    except OSError as exc:
        raise Unusable(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise Unusable(f"{path}: not UTF-8 text; a declaration or template is JSON or YAML text") from None
    document = _parse(path, text)
    return classify(path, document)


def _parse(path: str, text: str):
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise Unusable(f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}") from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise Unusable(f"{path}: {place}not valid YAML or JSON: {reason}") from None


def classify(path: str, document) -> Input:
    if isinstance(document, dict) and "Resources" in document:
        if not isinstance(document["Resources"], dict):
            raise Unusable(f"{path}: Resources: must be a map of logical ids to resources")
        found = Input(path, "template", document)
        if not found.pipelines():
            raise Unusable(f"{path}: Resources: the template declares no {PIPELINE_TYPE} resource")
        return found
    if isinstance(document, dict) and isinstance(document.get("pipeline"), dict):
        return Input(path, "declaration", document["pipeline"])
    if isinstance(document, dict) and "stages" in document:
        return Input(path, "declaration", document)
    raise Unusable(f"{path}: neither a pipeline declaration (a JSON object with 'stages', or with 'pipeline') "
                   f"nor a CloudFormation template (an object with 'Resources')")
