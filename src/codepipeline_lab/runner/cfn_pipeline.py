"""CloudFormation's AWS::CodePipeline::Pipeline properties (PascalCase) as the API's pipeline
declaration (camelCase), and the properties CloudFormation has that the declaration has not."""

from __future__ import annotations

import json

# Properties of the resource that are not part of the declaration.
RESOURCE_ONLY = ("Tags", "RestartExecutionOnUpdate", "DisableInboundStageTransitions")
# Maps whose keys are the user's (action or rule configuration): copied as they are.
_VERBATIM = ("Configuration",)


def _lower_first(key: str) -> str:
    return key[:1].lower() + key[1:]


def camel(value, key: str | None = None):
    """PascalCase keys to camelCase, all the way down, except inside configuration maps,
    whose values become strings as the API needs (``true`` → ``"true"``, 1 → ``"1"``)."""
    if isinstance(value, dict):
        if key in _VERBATIM:
            return {k: _text(v) for k, v in value.items()}
        return {_lower_first(k): camel(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(item, key) for item in value]
    return value


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return value


def declaration(properties: dict, name: str) -> dict:
    """The declaration for ``create_pipeline`` from the resource's (resolved) properties."""
    body = {k: v for k, v in properties.items() if k not in RESOURCE_ONLY}
    stores = body.pop("ArtifactStores", None)
    declared = camel(body)
    declared.setdefault("name", name)
    if isinstance(stores, list):
        declared["artifactStores"] = {s.get("Region"): camel(s.get("ArtifactStore")) for s in stores if isinstance(s, dict)}
    for stage in declared.get("stages") or []:
        for action in (stage.get("actions") or []) if isinstance(stage, dict) else []:
            if not isinstance(action, dict):
                continue
            kind = action.get("actionTypeId")
            if isinstance(kind, dict) and isinstance(kind.get("version"), (int, float)):
                kind["version"] = str(kind["version"])
            # CloudFormation takes an Integer property written as a string ('1'); the API does not
            if isinstance(action.get("runOrder"), str) and action["runOrder"].strip().isdigit():
                action["runOrder"] = int(action["runOrder"])
    return declared


def disabled_transitions(properties: dict) -> list[tuple[str, str]]:
    """(stage, reason) for each DisableInboundStageTransitions entry."""
    found = []
    for entry in properties.get("DisableInboundStageTransitions") or []:
        if isinstance(entry, dict) and entry.get("StageName"):
            found.append((entry["StageName"], entry.get("Reason") or "Disabled by the template"))
    return found
