"""The checks CloudFormation makes on CreateStack, UpdateStack and CreateChangeSet before it
touches anything, which moto leaves out: stack name, capability values, a template that parses,
parameters the template declares (and values for those without a default), and capabilities
the template needs. Each raises the exception and sentence CloudFormation answers with."""

from __future__ import annotations

import re

from codepipeline_lab.simulator.errors import AwsError
from codepipeline_lab.simulator.services.cloudformation import templates

STACK_NAME = re.compile(r"[a-zA-Z][-a-zA-Z0-9]*")


def _error(name: str, code: str | None = None) -> type[AwsError]:
    return type(name, (AwsError,), {"code": code or name, "__module__": __name__})


ValidationError = _error("ValidationError")
InsufficientCapabilitiesException = _error("InsufficientCapabilitiesException")


def stack_name_problem(name: str) -> str | None:
    """CloudFormation's sentence for a stack name it refuses, or None."""
    if len(name) > 128:
        return f"1 validation error detected: Value '{name}' at 'stackName' failed to satisfy constraint: Member must have length less than or equal to 128"
    if not STACK_NAME.fullmatch(name):
        return (f"1 validation error detected: Value '{name}' at 'stackName' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {STACK_NAME.pattern}")
    return None


def capabilities_problem(capabilities: list[str]) -> str | None:
    unknown = [c for c in capabilities if c not in templates.CAPABILITIES]
    if unknown:
        return (f"1 validation error detected: Value '[{', '.join(capabilities)}]' at 'capabilities' failed to satisfy constraint: "
                f"Member must satisfy constraint: [Member must satisfy enum value set: [{', '.join(templates.CAPABILITIES)}]]")
    return None


def parameters_problem(template: dict, given: dict[str, object], creating: bool) -> str | None:
    declared = templates.parameters(template)
    unknown = [name for name in given if name not in declared]
    if unknown:
        return f"Parameters: [{', '.join(unknown)}] do not exist in the template"
    if creating:
        unset = [name for name, spec in declared.items()
                 if name not in given and not (isinstance(spec, dict) and "Default" in spec)]
        if unset:
            return f"Parameters: [{', '.join(unset)}] must have values"
    return None


def check(operation: str, params: dict, template_text: str | None) -> None:
    """Raise CloudFormation's error for a request it would refuse (``template_text`` is the
    template the request uses, None when it keeps the stack's template)."""
    name = params.get("StackName") or ""
    if operation in ("CreateStack", "CreateChangeSet") and (problem := stack_name_problem(name)):
        raise ValidationError(problem)
    capabilities = list(params.get("Capabilities") or [])
    if problem := capabilities_problem(capabilities):
        raise ValidationError(problem)
    if template_text is None:
        return
    try:
        template = templates.parse(template_text)
    except templates.TemplateError as error:
        raise ValidationError(str(error)) from None
    given = {p.get("ParameterKey"): p.get("ParameterValue") for p in params.get("Parameters") or []}
    creating = operation == "CreateStack" or (operation == "CreateChangeSet" and params.get("ChangeSetType", "CREATE") == "CREATE")
    if problem := parameters_problem(template, given, creating):
        raise ValidationError(problem)
    missing = templates.missing_capabilities(template, capabilities, expands_macros=operation != "CreateChangeSet")
    if missing:
        raise InsufficientCapabilitiesException(f"Requires capabilities : [{', '.join(missing)}]")
