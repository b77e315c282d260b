"""Accept or reject a pipeline declaration the way CodePipeline does (facts §A1–A5).

``problems(declaration)`` lists every rule the declaration breaks, each with its JSON path and
the AWS exception that reports it; the API raises the first, the command line prints them all.
Where AWS's exact wording is unknown we write a clear message of our own (docs/simulation-notes.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator

import boto3

from codepipeline_lab.simulator import action_types
from codepipeline_lab.simulator.shapes import Problem, check, shape
from codepipeline_lab.simulator.stage_features.validation import stage_condition_problems
from codepipeline_lab.simulator.triggers.v2_triggers import trigger_problems

STRUCTURE = "InvalidStructureException"
STAGE = "InvalidStageDeclarationException"
ACTION = "InvalidActionDeclarationException"
VALIDATION = "ValidationException"

MIN_STAGES, MAX_STAGES = 2, 50
MAX_ACTIONS_PER_STAGE, MAX_ACTIONS = 50, 500
VARIABLE_REFERENCE = re.compile(r"#\{([A-Za-z0-9@\-_]+)\.([A-Za-z0-9@\-_.]+)\}")
CFN_MODES = ("CREATE_UPDATE", "DELETE_ONLY", "REPLACE_ON_FAILURE", "CHANGE_SET_REPLACE", "CHANGE_SET_EXECUTE")


@dataclass
class Context:
    """What validation may ask of the account: the pipeline's region, whether a role lets
    CodePipeline assume it, and the account's custom action types. Without an account
    (the command line) the role check is skipped."""
    region: str = "us-east-1"
    role_trusts_codepipeline: Callable[[str], bool] | None = None
    custom_action_types: dict = field(default_factory=dict)
    # (pipeline role, action role) -> None when the first may assume the second, else why not
    assume_problem: Callable[[str, str], str | None] | None = None


def problems(declaration, context: Context | None = None) -> list[Problem]:
    context = context or Context()
    found = check(declaration, shape("PipelineDeclaration"), "pipeline")
    if not isinstance(declaration, dict):
        return found
    found += list(_structure(declaration, context))
    return found


def _structure(pipeline: dict, context: Context) -> Iterator[Problem]:
    stages = [s for s in _list(pipeline.get("stages")) if isinstance(s, dict)]
    yield from _pipeline_type_rules(pipeline)
    yield from _artifact_store_rules(pipeline, stages, context)
    yield from _stage_rules(stages)
    yield from _action_rules(pipeline, stages, context)
    yield from _artifact_rules(stages)
    yield from _namespace_rules(pipeline, stages)
    yield from _role_rules(pipeline, context)
    yield from trigger_problems(pipeline)
    yield from stage_condition_problems(pipeline)


# -- helpers ---------------------------------------------------------------------------

def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _names(items) -> list[str]:
    return [i["name"] for i in _list(items) if isinstance(i, dict) and isinstance(i.get("name"), str)]


def _actions(stages: list[dict]) -> Iterator[tuple[int, dict, int, dict]]:
    for s_index, stage in enumerate(stages):
        for a_index, action in enumerate(_list(stage.get("actions"))):
            if isinstance(action, dict):
                yield s_index, stage, a_index, action


def _where(stage: dict, action: dict | None = None) -> str:
    text = f"stage '{stage.get('name')}'"
    return text + (f", action '{action.get('name')}'" if action is not None else "")


def _type_of(action: dict) -> tuple[str, str, str, str]:
    t = _dict(action.get("actionTypeId"))
    return (t.get("owner"), t.get("category"), t.get("provider"), t.get("version"))


def _run_order(action: dict) -> int:
    value = action.get("runOrder", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def _valid_regions() -> set[str]:
    session = boto3.session.Session()
    return {r for partition in ("aws", "aws-cn", "aws-us-gov") for r in session.get_available_regions("codepipeline", partition)}


# -- rules -------------------------------------------------------------------------------

def _pipeline_type_rules(pipeline: dict) -> Iterator[Problem]:
    if pipeline.get("pipelineType", "V1") == "V2":
        return
    mode = pipeline.get("executionMode")
    if mode in ("QUEUED", "PARALLEL"):
        yield Problem("pipeline.executionMode", f"Execution mode {mode} is only available for pipelines of type V2; set pipelineType to V2", VALIDATION)
    for name in ("variables", "triggers"):
        if pipeline.get(name):
            yield Problem(f"pipeline.{name}", f"Pipeline-level {name} are only available for pipelines of type V2; set pipelineType to V2", VALIDATION)


def _artifact_store_rules(pipeline: dict, stages: list[dict], context: Context) -> Iterator[Problem]:
    single, several = pipeline.get("artifactStore"), pipeline.get("artifactStores")
    if (single is None) == (several is None):
        yield Problem("pipeline", "A pipeline must have exactly one of artifactStore and artifactStores", STRUCTURE)
        return
    action_regions = {a["region"] for _, _, _, a in _actions(stages) if isinstance(a.get("region"), str)}
    if single is not None:
        for region in sorted(action_regions - {context.region}):
            yield Problem("pipeline.artifactStore", f"An action runs in region {region}: a cross-region pipeline must use artifactStores with a store for {context.region} and for each action region", STRUCTURE)
        return
    if not isinstance(several, dict):
        return
    known = _valid_regions()
    for region in sorted(several):
        if region not in known:
            yield Problem(f"pipeline.artifactStores.{region}", f"The region {region} specified in 'pipeline.artifactStores' is not a valid AWS Region.", VALIDATION)
    for region in sorted((action_regions | {context.region}) - set(several)):
        yield Problem("pipeline.artifactStores", f"artifactStores has no artifact store for region {region}; it needs one for the pipeline's region ({context.region}) and for every action region", STRUCTURE)


def _stage_rules(stages: list[dict]) -> Iterator[Problem]:
    if len(stages) < MIN_STAGES:
        yield Problem("pipeline.stages", f"Pipeline has only {len(stages)} stage(s). There should be a minimum of {MIN_STAGES} stages in a pipeline", STRUCTURE)
    if len(stages) > MAX_STAGES:
        yield Problem("pipeline.stages", f"Pipeline has {len(stages)} stages. There should be a maximum of {MAX_STAGES} stages in a pipeline", STRUCTURE)
    seen: set[str] = set()
    total = 0
    for index, stage in enumerate(stages):
        path = f"pipeline.stages[{index}]"
        name, actions = stage.get("name"), _list(stage.get("actions"))
        total += len(actions)
        if name in seen:
            yield Problem(f"{path}.name", f"Stage name '{name}' is used more than once; stage names must be unique in a pipeline", STAGE)
        seen.add(name)
        if not actions:
            yield Problem(f"{path}.actions", f"Stage '{name}' has no actions; every stage needs at least one", STAGE)
        if len(actions) > MAX_ACTIONS_PER_STAGE:
            yield Problem(f"{path}.actions", f"Stage '{name}' has {len(actions)} actions; the maximum is {MAX_ACTIONS_PER_STAGE}", STAGE)
        action_names = _names(actions)
        for dup in sorted({n for n in action_names if action_names.count(n) > 1}):
            yield Problem(f"{path}.actions", f"Action name '{dup}' is used more than once in stage '{name}'; action names must be unique within a stage", STAGE)
    if total > MAX_ACTIONS:
        yield Problem("pipeline.stages", f"Pipeline has {total} actions; the maximum is {MAX_ACTIONS}", STRUCTURE)
    yield from _source_placement(stages)


def _source_placement(stages: list[dict]) -> Iterator[Problem]:
    if not stages:
        return
    first = stages[0]
    categories = [_type_of(a)[1] for a in _list(first.get("actions")) if isinstance(a, dict)]
    if categories and any(c != "Source" for c in categories):
        yield Problem("pipeline.stages[0]", f"The first stage ('{first.get('name')}') may contain only Source actions", STRUCTURE)
    if categories and "Source" not in categories:
        yield Problem("pipeline.stages[0]", f"The first stage ('{first.get('name')}') must contain at least one Source action", STRUCTURE)
    non_source = 0
    for s_index, stage, a_index, action in _actions(stages):
        if _type_of(action)[1] != "Source":
            non_source += 1
        elif s_index > 0:
            yield Problem(f"pipeline.stages[{s_index}].actions[{a_index}]", f"Source action '{action.get('name')}' is in stage '{stage.get('name')}'; Source actions may appear only in the first stage", STRUCTURE)
    if non_source == 0:
        yield Problem("pipeline.stages", "A pipeline needs at least one stage with an action that is not a Source action", STRUCTURE)


def _action_rules(pipeline: dict, stages: list[dict], context: Context) -> Iterator[Problem]:
    for s_index, stage, a_index, action in _actions(stages):
        path = f"pipeline.stages[{s_index}].actions[{a_index}]"
        owner, category, provider, version = _type_of(action)
        if None in (owner, category, provider, version):
            continue  # the shape check already reported the missing part of actionTypeId
        kind = action_types.find(owner, category, provider, version, context.custom_action_types)
        if kind is None:
            label = action_types.ActionType(owner, category, provider, (0, 0), (0, 0), version=version).label()
            yield Problem(f"{path}.actionTypeId", f"{label} in action '{action.get('name')}' is not available in region '{context.region}'", ACTION)
            continue
        yield from _action_declaration(pipeline, stage, action, kind, path)


def _action_declaration(pipeline, stage, action, kind, path) -> Iterator[Problem]:
    name = action.get("name")
    if kind.v2_only and pipeline.get("pipelineType", "V1") != "V2":
        yield Problem(f"{path}.actionTypeId", f"Action '{name}' uses {kind.provider}, which is only available in pipelines of type V2", ACTION)
    for direction, (low, high) in (("input", kind.inputs), ("output", kind.outputs)):
        count = len(_list(action.get(f"{direction}Artifacts")))
        if count < low:
            yield Problem(f"{path}.{direction}Artifacts", f"Action {name} declares {count} {direction} artifacts which is less than the minimum count ({low})", ACTION)
        if count > high:
            yield Problem(f"{path}.{direction}Artifacts", f"Action {name} declares {count} {direction} artifacts which is more than the maximum count ({high})", ACTION)
    if action.get("region") is not None and (kind.category == "Source" or kind.owner in ("ThirdParty", "Custom")):
        yield Problem(f"{path}.region", f"Action '{name}' cannot set a region: {kind.owner} {kind.category} actions run in the pipeline's region", ACTION)
    if action.get("timeoutInMinutes") is not None and (kind.owner, kind.category, kind.provider) != ("AWS", "Approval", "Manual"):
        # botocore's model: "This attribute is available only to the manual approval ActionType."
        yield Problem(f"{path}.timeoutInMinutes", f"Action '{name}' cannot set timeoutInMinutes: it is available only to manual approval actions (Approval/AWS/Manual)", ACTION)
    if kind.provider == "Commands":
        if not action.get("commands"):
            yield Problem(f"{path}.commands", f"Action {name} must have a non-empty commands field", ACTION)
    elif action.get("commands") is not None:
        yield Problem(f"{path}.commands", f"The following action cannot contain a commands field: {name}. To use the commands field, use a compute action.", ACTION)
    yield from _configuration(action, kind, path)


def _configuration(action: dict, kind, path: str) -> Iterator[Problem]:
    name = action.get("name")
    config = _dict(action.get("configuration"))
    for key in kind.required:
        if key not in config:
            yield Problem(f"{path}.configuration", f"Action configuration for action '{name}' is missing required configuration '{key}'", ACTION)
    if kind.strict_keys:
        for key in sorted(set(config) - kind.keys):
            allowed = ", ".join(sorted(kind.keys)) or "none"
            yield Problem(f"{path}.configuration.{key}", f"Action configuration for action '{name}' contains unknown configuration '{key}' (allowed for {kind.provider}: {allowed})", ACTION)
    yield from _provider_configuration(action, kind, config, f"{path}.configuration")


def _one_of(config: dict, key: str, allowed: tuple[str, ...], name: str, path: str) -> Iterator[Problem]:
    if key in config and config[key] not in allowed:
        yield Problem(f"{path}.{key}", f"Action configuration for action '{name}': {key} must be one of {', '.join(allowed)}, not '{config[key]}'", ACTION)


def _provider_configuration(action: dict, kind, config: dict, path: str) -> Iterator[Problem]:
    name = action.get("name")
    for flag in ("PollForSourceChanges", "DetectChanges", "BatchEnabled", "CombineArtifacts"):
        yield from _one_of(config, flag, ("true", "false"), name, path)
    if kind.category == "Source":
        yield from _one_of(config, "OutputArtifactFormat", ("CODE_ZIP", "CODEBUILD_CLONE_REF"), name, path)
    if kind.provider == "CodeBuild":
        inputs = _names(action.get("inputArtifacts"))
        if len(inputs) > 1 and "PrimarySource" not in config:
            yield Problem(path, f"Action configuration for action '{name}': PrimarySource is required when the action has more than one input artifact", ACTION)
        if "PrimarySource" in config and config["PrimarySource"] not in inputs:
            yield Problem(f"{path}.PrimarySource", f"Action configuration for action '{name}': PrimarySource '{config['PrimarySource']}' is not one of its input artifacts", ACTION)
        if "EnvironmentVariables" in config:
            yield from _environment_variables(config["EnvironmentVariables"], name, path)
    if kind.provider == "S3" and kind.category == "Deploy":
        yield from _one_of(config, "Extract", ("true", "false"), name, path)
        if config.get("Extract") == "false" and "ObjectKey" not in config:
            yield Problem(path, f"Action configuration for action '{name}': ObjectKey is required when Extract is false", ACTION)
    if kind.provider == "CloudFormation":
        yield from _cloudformation(config, name, path)
    if (kind.category, kind.provider) in (("Deploy", "ECS"), ("Deploy", "CodeDeployToECS")):
        yield from _ecs_deploy(action, kind, config, name, path)
    if (kind.category, kind.provider) == ("Test", "DeviceFarm"):
        yield from _device_farm(config, name, path)


def _ecs_deploy(action: dict, kind, config: dict, name: str, path: str) -> Iterator[Problem]:
    """DeploymentTimeout is 1-60 minutes; the blue/green keys that name artifacts name inputs of the action."""
    timeout = str(config.get("DeploymentTimeout", "1"))
    if kind.provider == "ECS" and "#{" not in timeout and not (timeout.isdigit() and 1 <= int(timeout) <= 60):
        yield Problem(f"{path}.DeploymentTimeout", f"Action configuration for action '{name}': DeploymentTimeout must be a whole number of minutes from 1 to 60, not '{config['DeploymentTimeout']}'", ACTION)
    inputs = _names(action.get("inputArtifacts"))
    for key in ("TaskDefinitionTemplateArtifact", "AppSpecTemplateArtifact", *(f"Image{n}ArtifactName" for n in (1, 2, 3, 4))):
        if kind.provider == "CodeDeployToECS" and key in config and config[key] not in inputs:
            yield Problem(f"{path}.{key}", f"Action configuration for action '{name}': {key} '{config[key]}' is not one of its input artifacts", ACTION)


DEVICE_FARM_APP_TYPES = ("iOS", "Android", "Web")
DEVICE_FARM_TEST_TYPES = ("APPIUM_JAVA_JUNIT", "APPIUM_JAVA_TESTNG", "APPIUM_NODE", "APPIUM_RUBY", "APPIUM_PYTHON",
                          "APPIUM_WEB_JAVA_JUNIT", "APPIUM_WEB_JAVA_TESTNG", "APPIUM_WEB_NODE", "APPIUM_WEB_RUBY",
                          "APPIUM_WEB_PYTHON", "BUILTIN_EXPLORER", "BUILTIN_FUZZ", "CALABASH", "INSTRUMENTATION",
                          "UIAUTOMATION", "UIAUTOMATOR", "XCTEST", "XCTEST_UI")


def _device_farm(config: dict, name: str, path: str) -> Iterator[Problem]:
    """AppType and TestType enumerations, true/false switches, fuzz counts in their ranges (facts §J6)."""
    yield from _one_of(config, "AppType", DEVICE_FARM_APP_TYPES, name, path)
    yield from _one_of(config, "TestType", DEVICE_FARM_TEST_TYPES, name, path)
    for flag in ("RadioBluetoothEnabled", "RadioWifiEnabled", "RadioNfcEnabled", "RadioGpsEnabled",
                 "RecordAppPerformanceData", "RecordVideo", "UnmeteredDevicesOnly"):
        yield from _one_of(config, flag, ("true", "false"), name, path)
    for key, low, high in (("FuzzEventCount", 1, 10_000), ("FuzzEventThrottle", 1, 1_000)):
        value = str(config.get(key, low))
        if not (value.isdigit() and low <= int(value) <= high):
            yield Problem(f"{path}.{key}", f"Action configuration for action '{name}': {key} must be a whole number from {low} to {high}, not '{config[key]}'", ACTION)


def _environment_variables(text: str, name: str, path: str) -> Iterator[Problem]:
    try:
        variables = json.loads(text)
    except ValueError:
        variables = None
    ok = isinstance(variables, list) and all(isinstance(v, dict) and "name" in v and "value" in v for v in variables)
    if not ok:
        yield Problem(f"{path}.EnvironmentVariables", f"Action configuration for action '{name}': EnvironmentVariables must be a JSON array of objects with name, value and optional type", ACTION)


def _cloudformation(config: dict, name: str, path: str) -> Iterator[Problem]:
    # The keys each ActionMode needs (TemplatePath, ChangeSetName, RoleArn) are not checked
    # here: CodePipeline accepts the declaration and the action fails when it runs
    # ("Configuration Property RoleArn should not be empty in current ActionMode", facts §I3).
    yield from _one_of(config, "ActionMode", CFN_MODES, name, path)


def _artifact_rules(stages: list[dict]) -> Iterator[Problem]:
    produced_at: dict[str, tuple[int, int]] = {}
    for s_index, stage, a_index, action in _actions(stages):
        for artifact in _names(action.get("outputArtifacts")):
            if artifact in produced_at:
                yield Problem(f"pipeline.stages[{s_index}].actions[{a_index}].outputArtifacts",
                              f"Output Artifact Bundle name must be unique within the pipeline. {artifact} has been used more than once.", STRUCTURE)
            else:
                produced_at[artifact] = (s_index, _run_order(action))
    for s_index, stage, a_index, action in _actions(stages):
        for artifact in _names(action.get("inputArtifacts")):
            origin = produced_at.get(artifact)
            earlier = origin is not None and (origin[0] < s_index or (origin[0] == s_index and origin[1] < _run_order(action)))
            if not earlier:
                why = "no action produces it" if origin is None else "the action that produces it does not run earlier"
                yield Problem(f"pipeline.stages[{s_index}].actions[{a_index}].inputArtifacts",
                              f"Input artifact '{artifact}' of {_where(stage, action)} is not available: {why} (an input must be the output of an earlier stage, or of this stage with a lower runOrder)", STRUCTURE)


def _namespace_rules(pipeline: dict, stages: list[dict]) -> Iterator[Problem]:
    artifacts = {n for _, _, _, a in _actions(stages) for n in _names(a.get("outputArtifacts"))}
    declared: dict[str, tuple[int, int]] = {}
    for s_index, stage, a_index, action in _actions(stages):
        namespace = action.get("namespace")
        if not isinstance(namespace, str):
            continue
        path = f"pipeline.stages[{s_index}].actions[{a_index}].namespace"
        if namespace in declared or namespace == "codepipeline" or namespace == "variables":
            yield Problem(path, f"Namespace '{namespace}' of {_where(stage, action)} is already in use; namespaces must be unique in a pipeline (codepipeline and variables are reserved)", STRUCTURE)
        if namespace in artifacts:
            yield Problem(path, f"Namespace '{namespace}' of {_where(stage, action)} has the name of an artifact; namespaces and artifact names must differ", STRUCTURE)
        declared.setdefault(namespace, (s_index, _run_order(action)))
    variables = set(_names(pipeline.get("variables")))
    for s_index, stage, a_index, action in _actions(stages):
        for key, value in _dict(action.get("configuration")).items():
            if not isinstance(value, str):
                continue
            for namespace, variable in VARIABLE_REFERENCE.findall(value):
                where = f"pipeline.stages[{s_index}].actions[{a_index}].configuration.{key}"
                problem = _reference_problem(namespace, variable, declared, variables, s_index, _run_order(action))
                if problem:
                    yield Problem(where, f"Variable #{{{namespace}.{variable}}} in {_where(stage, action)}: {problem}", ACTION)


def _reference_problem(namespace, variable, declared, variables, s_index, run_order) -> str | None:
    if namespace == "codepipeline":
        return None if variable == "PipelineExecutionId" else "the codepipeline namespace has only PipelineExecutionId"
    if namespace == "variables":
        return None if variable in variables else f"the pipeline declares no variable named '{variable}'"
    origin = declared.get(namespace)
    if origin is None:
        return f"no action declares the namespace '{namespace}'"
    if not (origin[0] < s_index or (origin[0] == s_index and origin[1] < run_order)):
        return f"the action with namespace '{namespace}' does not run before this one"
    return None


def _role_rules(pipeline: dict, context: Context) -> Iterator[Problem]:
    role = pipeline.get("roleArn")
    if context.role_trusts_codepipeline is None or not isinstance(role, str):
        return
    if not context.role_trusts_codepipeline(role):
        yield Problem("pipeline.roleArn", f"CodePipeline is not authorized to perform AssumeRole on role {role}", STRUCTURE)
        return
    if context.assume_problem is None:
        return
    for s, stage in enumerate(_list(pipeline.get("stages"))):
        for a, action in enumerate(_list(stage.get("actions")) if isinstance(stage, dict) else []):
            action_role = action.get("roleArn") if isinstance(action, dict) else None
            if isinstance(action_role, str) and context.assume_problem(role, action_role):
                # AWS checks at creation that the pipeline's role may assume each action role (facts §I2)
                yield Problem(f"pipeline.stages[{s}].actions[{a}].roleArn",
                              f"{role} is not authorized to perform AssumeRole on role {action_role}", STRUCTURE)
