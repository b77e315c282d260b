"""Resolve #{variables.NAME}, #{Namespace.Key} and #{codepipeline.PipelineExecutionId} in an
action's configuration just before it runs (facts §A3)."""

from __future__ import annotations

import re

REFERENCE = re.compile(r"#\{([A-Za-z0-9@\-_]+)\.([A-Za-z0-9@\-_.]+)\}")


class UnresolvedVariable(Exception):
    pass


def resolve(configuration: dict, execution) -> dict:
    def value_of(match: re.Match) -> str:
        namespace, key = match.group(1), match.group(2)
        if namespace == "codepipeline" and key == "PipelineExecutionId":
            return execution.id
        if namespace == "variables":
            for variable in execution.variables:
                if variable["name"] == key:
                    return variable["resolvedValue"]
        elif key in execution.namespaces.get(namespace, {}):
            return str(execution.namespaces[namespace][key])
        raise UnresolvedVariable(f"The variable #{{{namespace}.{key}}} could not be resolved: no value was produced for it in this execution")

    return {name: REFERENCE.sub(value_of, value) for name, value in configuration.items()}
