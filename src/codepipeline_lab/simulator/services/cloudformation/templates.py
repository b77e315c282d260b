"""Reading a CloudFormation template (JSON, or YAML with the short tags ``!Ref``, ``!Sub``,
``!GetAtt`` …) and what it asks for: its parameters and the capabilities it needs."""

from __future__ import annotations

import json

import yaml

from codepipeline_lab.simulator.services.cloudformation.template_yaml import load as load_template_yaml

CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")

# IAM resource types and the property that gives each a custom name (CAPABILITY_NAMED_IAM).
IAM_RESOURCE_NAMES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::Policy": None,
    "AWS::IAM::AccessKey": None,
    "AWS::IAM::UserToGroupAddition": None,
}


class TemplateError(ValueError):
    """A template CloudFormation would refuse; the message is CloudFormation's sentence."""


def parse(text: str | bytes) -> dict:
    """The template as a dict, or TemplateError with CloudFormation's wording."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateError("Template format error: unsupported file encoding (a template is UTF-8 text)") from None
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError as problem:
            raise TemplateError(f"Template format error: JSON not well-formed. (line {problem.lineno}, column {problem.colno})") from None
    else:
        try:
            document = load_template_yaml(text)
        except yaml.MarkedYAMLError as problem:
            mark = problem.problem_mark or problem.context_mark
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            raise TemplateError(f"Template format error: YAML not well-formed.{where}") from None
        except yaml.YAMLError:
            raise TemplateError("Template format error: YAML not well-formed.") from None
    if not isinstance(document, dict):
        raise TemplateError("Template format error: the template must be a JSON or YAML object (mapping)")
    if not isinstance(document.get("Resources"), dict) or not document["Resources"]:
        raise TemplateError("Template format error: At least one Resources member must be defined.")
    return document


def parameters(template: dict) -> dict[str, dict]:
    """The template's parameter declarations, by name."""
    declared = template.get("Parameters") or {}
    return declared if isinstance(declared, dict) else {}


def required_capabilities(template: dict) -> list[str]:
    """What CreateStack/UpdateStack must acknowledge: CAPABILITY_NAMED_IAM for an IAM resource
    with a custom name, CAPABILITY_IAM for other IAM resources, CAPABILITY_AUTO_EXPAND for a
    template that declares transforms (macros)."""
    needed = []
    iam = [(resource.get("Type"), resource.get("Properties") or {}) for resource in template["Resources"].values()
           if isinstance(resource, dict) and resource.get("Type") in IAM_RESOURCE_NAMES]
    if any(IAM_RESOURCE_NAMES[kind] and IAM_RESOURCE_NAMES[kind] in properties for kind, properties in iam):
        needed.append("CAPABILITY_NAMED_IAM")
    elif iam:
        needed.append("CAPABILITY_IAM")
    if template.get("Transform"):
        needed.append("CAPABILITY_AUTO_EXPAND")
    return needed


def missing_capabilities(template: dict, granted: list[str], expands_macros: bool = True) -> list[str]:
    """The capabilities the template needs that ``granted`` lacks (CAPABILITY_NAMED_IAM also
    covers unnamed IAM resources). Change sets do not need CAPABILITY_AUTO_EXPAND."""
    missing = []
    for capability in required_capabilities(template):
        if capability == "CAPABILITY_AUTO_EXPAND" and not expands_macros:
            continue
        if capability == "CAPABILITY_IAM" and "CAPABILITY_NAMED_IAM" in granted:
            continue
        if capability not in granted:
            missing.append(capability)
    return missing
