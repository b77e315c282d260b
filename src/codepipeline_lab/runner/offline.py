"""What `codepipeline-lab validate` needs to read a CloudFormation template without a Lab: each
pipeline's declaration with the values it can work out (parameters and their defaults, pseudo
parameters, conditions, mappings) and placeholders for values that only a deployed stack has,
and the template's own custom action types."""

from __future__ import annotations

from codepipeline_lab.runner import cfn_pipeline
from codepipeline_lab.runner.intrinsics import Resolver, Unresolved, pseudo_parameters
from codepipeline_lab.runner.loading import Input
from codepipeline_lab.simulator import action_types

ACCOUNT = "123456789012"
_PLACEHOLDER_REF = {
    "AWS::IAM::Role": lambda logical, region: f"arn:aws:iam::{ACCOUNT}:role/{logical}",
    "AWS::SNS::Topic": lambda logical, region: f"arn:aws:sns:{region}:{ACCOUNT}:{logical}",
    "AWS::S3::Bucket": lambda logical, region: logical.lower()[:63].ljust(3, "0"),
}
_PLACEHOLDER_ATTRIBUTE = {
    "Arn": lambda kind, logical, region: {
        "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{logical}",
        "AWS::S3::Bucket": f"arn:aws:s3:::{logical.lower()}",
        "AWS::Lambda::Function": f"arn:aws:lambda:{region}:{ACCOUNT}:function:{logical}",
        "AWS::KMS::Key": f"arn:aws:kms:{region}:{ACCOUNT}:key/{logical}",
    }.get(kind, f"arn:aws:placeholder:{region}:{ACCOUNT}:{logical}"),
}


class Placeholders:
    def __init__(self, source: Input, region: str) -> None:
        self.resources = source.document.get("Resources") or {}
        self.region = region
        self.used: list[str] = []

    def ref(self, logical: str, place: str):
        kind = str((self.resources.get(logical) or {}).get("Type"))
        self.used.append(f"Ref {logical}")
        make = _PLACEHOLDER_REF.get(kind)
        if make:
            return make(logical, self.region)
        name = ((self.resources.get(logical) or {}).get("Properties") or {}).get("Name")
        return name if isinstance(name, str) else logical

    def attribute(self, logical: str, name: str, place: str):
        kind = str((self.resources.get(logical) or {}).get("Type"))
        self.used.append(f"Fn::GetAtt {logical}.{name}")
        if name in _PLACEHOLDER_ATTRIBUTE:
            return _PLACEHOLDER_ATTRIBUTE[name](kind, logical, self.region)
        return f"{logical}.{name}"


def declarations(source: Input, region: str) -> list[tuple[str, dict | None, list[str], str | None]]:
    """(logical id, declaration or None, placeholders used, unresolved problem) for each pipeline."""
    found = []
    parameters = {}
    for name, spec in (source.document.get("Parameters") or {}).items():
        default = (spec or {}).get("Default") if isinstance(spec, dict) else None
        parameters[name] = str(default) if default is not None else f"<{name}>"
    for logical, resource in source.pipelines().items():
        holders = Placeholders(source, region)
        resolver = Resolver(source.document, parameters, pseudo_parameters(region, ACCOUNT, "validate"), holders.ref, holders.attribute)
        try:
            properties = resolver.resolve(resource.get("Properties") or {}, f"Resources.{logical}.Properties")
        except Unresolved as problem:
            found.append((logical, None, holders.used, f"{problem.place}: {problem.message}"))
            continue
        found.append((logical, cfn_pipeline.declaration(properties, logical), sorted(set(holders.used)), None))
    return found


def custom_types_of_template(source: Input) -> dict:
    """The template's AWS::CodePipeline::CustomActionType resources, as validation knows types."""
    found = {}
    for logical, resource in (source.document.get("Resources") or {}).items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::CodePipeline::CustomActionType":
            continue
        props = resource.get("Properties") or {}
        try:
            inputs, outputs = props.get("InputArtifactDetails") or {}, props.get("OutputArtifactDetails") or {}
            configuration = props.get("ConfigurationProperties") or []
            kind = action_types.custom_action_type(
                str(props["Category"]), str(props["Provider"]), str(props["Version"]),
                (int(inputs.get("MinimumCount", 0)), int(inputs.get("MaximumCount", 5))),
                (int(outputs.get("MinimumCount", 0)), int(outputs.get("MaximumCount", 5))),
                tuple(p["Name"] for p in configuration if str(p.get("Required")).lower() == "true"),
                tuple(p["Name"] for p in configuration if str(p.get("Required")).lower() != "true"))
        except (KeyError, TypeError, ValueError):
            continue
        found[("Custom", kind.category, kind.provider, kind.version)] = kind
    return found


def any_custom_type(category: str, provider: str, version: str):
    """What holds for any custom action type: 0–5 inputs and outputs, any configuration key."""
    return action_types.ActionType("Custom", category, provider, (0, 5), (0, 5), (), (), version=version, strict_keys=False)


def custom_types_named(options: list[str]) -> tuple[dict, list[str]]:
    """``--custom-action-type Category/Provider/Version`` (or Custom/Category/Provider/Version)."""
    found, problems = {}, []
    for option in options:
        parts = option.split("/")
        if len(parts) == 4 and parts[0] == "Custom":
            parts = parts[1:]
        if len(parts) != 3 or not all(parts):
            problems.append(f"--custom-action-type {option}: expected Owner/Category/Provider/Version (Custom/Deploy/MyTool/1)")
            continue
        found[("Custom", *parts)] = any_custom_type(*parts)
    return found, problems


def unknown_custom_types(declaration: dict, known: dict) -> dict:
    """Types for the Custom actions of ``declaration`` that ``known`` does not list."""
    found = {}
    for stage in declaration.get("stages") or []:
        for action in (stage or {}).get("actions") or [] if isinstance(stage, dict) else []:
            kind = (action or {}).get("actionTypeId") or {} if isinstance(action, dict) else {}
            if kind.get("owner") == "Custom":
                key = ("Custom", kind.get("category"), kind.get("provider"), str(kind.get("version")))
                if key not in known and None not in key:
                    found[key] = any_custom_type(*key[1:])
    return found
