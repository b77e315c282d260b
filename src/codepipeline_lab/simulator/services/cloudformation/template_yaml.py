"""YAML with CloudFormation's short tags, kept as the long forms a JSON template would use:
``!Ref X`` → ``{"Ref": "X"}``, ``!GetAtt A.B`` → ``{"Fn::GetAtt": ["A", "B"]}``, ``!Sub s`` →
``{"Fn::Sub": s}``, and any other ``!Name v`` → ``{"Fn::Name": v}`` (``!Condition`` stays
``{"Condition": v}``, as in JSON templates)."""

from __future__ import annotations

import yaml


class TemplateLoader(yaml.SafeLoader):
    """A safe loader that also understands CloudFormation's ``!`` tags."""


def _value(loader: yaml.SafeLoader, node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node):
    value = _value(loader, node)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


TemplateLoader.add_multi_constructor("!", _tag)
# CloudFormation reads dates as strings ("AWSTemplateFormatVersion: 2010-09-09" unquoted).
TemplateLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in TemplateLoader.yaml_implicit_resolvers.copy().items()
}


def load(text: str):
    """The document in ``text`` (YAML or JSON, which is YAML) with short tags expanded."""
    return yaml.load(text, Loader=TemplateLoader)  # noqa: S506 - a SafeLoader subclass
