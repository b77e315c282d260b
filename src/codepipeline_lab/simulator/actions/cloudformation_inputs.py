"""What a CloudFormation deploy action asks of CloudFormation, read from its configuration and
input artifacts (facts §F): the template (TemplatePath), the template configuration file
(Parameters, Tags, StackPolicy), ParameterOverrides with Fn::GetParam and Fn::GetArtifactAtt,
and Capabilities. Precedence: overrides > template configuration > template defaults.

Everything is read and checked before the stack is touched; a problem raises ``InputProblem``
with a message that names the key, the artifact and the file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from codepipeline_lab.simulator.services.cloudformation import request_rules, templates

OVERRIDES_LIMIT = 1000      # ParameterOverrides is at most 1 KB (facts §F)


class InputProblem(Exception):
    def __init__(self, message: str, code: str = "ConfigurationError") -> None:
        super().__init__(message)
        self.message, self.code = message, code


@dataclass
class StackRequest:
    template_body: str | None = None
    template: dict | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    stack_policy: dict | None = None
    capabilities: list[str] = field(default_factory=list)

    def api_parameters(self) -> list[dict]:
        return [{"ParameterKey": k, "ParameterValue": v} for k, v in self.parameters.items()]

    def api_tags(self) -> list[dict]:
        return [{"Key": k, "Value": v} for k, v in self.tags.items()]


class ActionInputs:
    """The action's input artifacts, unzipped once each."""

    def __init__(self, job) -> None:
        self.job = job
        self._files: dict[str, dict[str, bytes]] = {}

    def ref(self, artifact: str, where: str):
        for ref in self.job.inputs:
            if ref.name == artifact:
                return ref
        names = ", ".join(r.name for r in self.job.inputs) or "none"
        raise InputProblem(f"{where} names artifact {artifact}, which is not an input artifact of action "
                           f"{self.job.action['name']} (its inputs: {names})")

    def file(self, artifact: str, path: str, where: str) -> bytes:
        self.ref(artifact, where)
        if artifact not in self._files:
            self._files[artifact] = self.job.input_files(artifact)
        files = self._files[artifact]
        if path not in files:
            raise InputProblem(f"{where}: file {path} does not exist in artifact [{artifact}]", "JobFailed")
        return files[path]

    def file_at(self, reference: str, key: str) -> tuple[str, bytes]:
        """``ArtifactName::path`` → (the reference, the file's bytes)."""
        artifact, separator, path = reference.partition("::")
        if not separator or not artifact or not path:
            raise InputProblem(f"{key} '{reference}' must have the form ArtifactName::FilePath")
        return reference, self.file(artifact, path, key)


def read_request(job, inputs: ActionInputs, needs_template: bool) -> StackRequest:
    config = job.configuration
    request = StackRequest(capabilities=_capabilities(config.get("Capabilities")))
    if needs_template:
        reference, body = inputs.file_at(config["TemplatePath"], "TemplatePath")
        try:
            request.template = templates.parse(body)
        except templates.TemplateError as problem:
            raise InputProblem(f"{problem} (TemplatePath {reference})", "JobFailed") from None
        request.template_body = body.decode("utf-8")
    configured = _template_configuration(inputs, config.get("TemplateConfiguration"))
    request.tags = configured.get("Tags", {})
    request.stack_policy = configured.get("StackPolicy")
    request.parameters = {**configured.get("Parameters", {}), **_overrides(inputs, config.get("ParameterOverrides"))}
    if request.template is not None:
        problem = request_rules.parameters_problem(request.template, request.parameters, creating=True)
        if problem:
            raise InputProblem(f"{problem} (TemplatePath {config['TemplatePath']})", "JobFailed")
        missing = templates.missing_capabilities(request.template, request.capabilities)
        if missing and config.get("ActionMode") != "CHANGE_SET_REPLACE":
            raise InputProblem(f"Requires capabilities : [{', '.join(missing)}]", "JobFailed")
    return request


def _capabilities(text: str | None) -> list[str]:
    capabilities = [c.strip() for c in (text or "").split(",") if c.strip()]
    problem = request_rules.capabilities_problem(capabilities)
    if problem:
        raise InputProblem(f"Capabilities: {problem}")
    return capabilities


def _text(value, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise InputProblem(f"{where} must be a string, number or boolean, not {json.dumps(value)}")


def _template_configuration(inputs: ActionInputs, reference: str | None) -> dict:
    if not reference:
        return {}
    reference, body = inputs.file_at(reference, "TemplateConfiguration")
    try:
        document = json.loads(body)
    except ValueError as problem:
        raise InputProblem(f"TemplateConfiguration {reference} is not valid JSON: {problem}", "JobFailed") from None
    if not isinstance(document, dict):
        raise InputProblem(f"TemplateConfiguration {reference} must be a JSON object with Parameters, Tags and StackPolicy", "JobFailed")
    unknown = sorted(set(document) - {"Parameters", "Tags", "StackPolicy"})
    if unknown:
        raise InputProblem(f"TemplateConfiguration {reference} has unknown key(s) {', '.join(unknown)}: "
                           "it may hold only Parameters, Tags and StackPolicy", "JobFailed")
    result = {}
    for key in ("Parameters", "Tags"):
        values = document.get(key, {})
        if not isinstance(values, dict):
            raise InputProblem(f"TemplateConfiguration {reference}: {key} must be an object of names and values", "JobFailed")
        result[key] = {name: _text(value, f"TemplateConfiguration {reference}: {key}.{name}") for name, value in values.items()}
    if "StackPolicy" in document:
        if not isinstance(document["StackPolicy"], dict):
            raise InputProblem(f"TemplateConfiguration {reference}: StackPolicy must be a policy object ({{\"Statement\": [...]}})", "JobFailed")
        result["StackPolicy"] = document["StackPolicy"]
    return result


def _overrides(inputs: ActionInputs, text: str | None) -> dict[str, str]:
    if not text:
        return {}
    if len(text) > OVERRIDES_LIMIT:
        raise InputProblem(f"ParameterOverrides is {len(text)} characters long; the limit is {OVERRIDES_LIMIT}")
    try:
        document = json.loads(text)
    except ValueError as problem:
        raise InputProblem(f"ParameterOverrides is not valid JSON: {problem}") from None
    if not isinstance(document, dict):
        raise InputProblem("ParameterOverrides must be a JSON object of parameter names and values")
    return {name: _override_value(inputs, name, value) for name, value in document.items()}


def _override_value(inputs: ActionInputs, name: str, value) -> str:
    where = f"ParameterOverrides.{name}"
    if isinstance(value, dict) and list(value) == ["Fn::GetParam"]:
        return _get_param(inputs, where, value["Fn::GetParam"])
    if isinstance(value, dict) and list(value) == ["Fn::GetArtifactAtt"]:
        return _get_artifact_att(inputs, where, value["Fn::GetArtifactAtt"])
    if isinstance(value, dict):
        raise InputProblem(f"{where}: an object value must be {{\"Fn::GetParam\": [...]}} or {{\"Fn::GetArtifactAtt\": [...]}}, not {json.dumps(value)}")
    return _text(value, where)


def _get_param(inputs: ActionInputs, where: str, arguments) -> str:
    if not (isinstance(arguments, list) and len(arguments) == 3 and all(isinstance(a, str) for a in arguments)):
        raise InputProblem(f"{where}: Fn::GetParam takes [artifact name, JSON file name, key], not {json.dumps(arguments)}")
    artifact, path, key = arguments
    body = inputs.file(artifact, path, f"{where} (Fn::GetParam)")
    try:
        document = json.loads(body)
    except ValueError as problem:
        raise InputProblem(f"{where}: Fn::GetParam file {path} in artifact [{artifact}] is not valid JSON: {problem}", "JobFailed") from None
    if not isinstance(document, dict) or key not in document:
        raise InputProblem(f"{where}: Fn::GetParam key {key} is not in file {path} of artifact [{artifact}]", "JobFailed")
    return _text(document[key], where)


ARTIFACT_ATTRIBUTES = ("BucketName", "ObjectKey", "URL")


def _get_artifact_att(inputs: ActionInputs, where: str, arguments) -> str:
    if not (isinstance(arguments, list) and len(arguments) == 2 and all(isinstance(a, str) for a in arguments)):
        raise InputProblem(f"{where}: Fn::GetArtifactAtt takes [artifact name, attribute], not {json.dumps(arguments)}")
    artifact, attribute = arguments
    if attribute not in ARTIFACT_ATTRIBUTES:
        raise InputProblem(f"{where}: Fn::GetArtifactAtt attribute {attribute} is not one of {', '.join(ARTIFACT_ATTRIBUTES)}")
    ref = inputs.ref(artifact, f"{where} (Fn::GetArtifactAtt)")
    return {"BucketName": ref.bucket, "ObjectKey": ref.key,
            "URL": f"https://{ref.bucket}.s3.{ref.region}.amazonaws.com/{ref.key}"}[attribute]
