"""CreatePipeline/UpdatePipeline rules for stage conditions, retry and rollback (facts §K1–K3).

Field shapes (one condition per list, 1–5 rules, name patterns, enums) are botocore's and are
checked by shapes.py; these are the structural rules. Where AWS's exception and words are not
documented, the choice is ours (docs/simulation-notes.md)."""

from __future__ import annotations

from typing import Iterator

from codepipeline_lab.simulator.rules.catalog import RULE_TYPES
from codepipeline_lab.simulator.rules.cron import Cron, CronError, time_zone
from codepipeline_lab.simulator.rules.variable_check import OPERATORS
from codepipeline_lab.simulator.shapes import Problem

STAGE = "InvalidStageDeclarationException"
VALIDATION = "ValidationException"
KIND_RESULTS = {"beforeEntry": ("FAIL", "SKIP"), "onSuccess": ("ROLLBACK", "FAIL"), "onFailure": ("ROLLBACK",)}
SKIP_RULES = ("LambdaInvoke", "VariableCheck")
ALARM_STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")


def stage_condition_problems(pipeline: dict) -> Iterator[Problem]:
    stages = [s for s in pipeline.get("stages") or [] if isinstance(s, dict)] if isinstance(pipeline.get("stages"), list) else []
    v2 = pipeline.get("pipelineType", "V1") == "V2"
    parallel = pipeline.get("executionMode") == "PARALLEL"
    produced: set[str] = set()
    for index, stage in enumerate(stages):
        path, name = f"pipeline.stages[{index}]", stage.get("name")
        declared = [kind for kind in ("beforeEntry", "onSuccess", "onFailure") if stage.get(kind) is not None]
        if declared and not v2:
            yield Problem(f"{path}.{declared[0]}", f"Stage '{name}': {declared[0]} is only available for pipelines of type V2; set pipelineType to V2", VALIDATION)
            continue
        here = {a["name"] for act in stage.get("actions") or [] if isinstance(act, dict)
                for a in act.get("outputArtifacts") or [] if isinstance(a, dict) and isinstance(a.get("name"), str)}
        for kind in declared:
            block = stage.get(kind)
            if not isinstance(block, dict):
                continue
            available = produced if kind == "beforeEntry" else produced | here
            yield from _block(kind, block, f"{path}.{kind}", name, index, parallel, available)
        produced |= here


def _block(kind, block, path, stage, index, parallel, available) -> Iterator[Problem]:
    conditions = [c for c in block.get("conditions") or [] if isinstance(c, dict)]
    if kind == "beforeEntry" and index == 0:
        yield Problem(path, f"Stage '{stage}' is the first stage: an execution starts in it, so it cannot have entry conditions", STAGE)
    if kind == "onFailure":
        yield from _on_failure(block, conditions, path, stage, index, parallel)
    elif not conditions:
        yield Problem(f"{path}.conditions", f"Stage '{stage}': {kind} needs exactly one condition", STAGE)
    for c_index, condition in enumerate(conditions):
        c_path = f"{path}.conditions[{c_index}]"
        result = condition.get("result")
        if result not in KIND_RESULTS[kind]:
            yield Problem(f"{c_path}.result", f"Stage '{stage}': the result of a {kind} condition must be {' or '.join(KIND_RESULTS[kind])}, not {result}", STAGE)
        if result == "ROLLBACK":
            yield from _rollback_allowed(c_path, stage, index, parallel)
        rules = [r for r in condition.get("rules") or [] if isinstance(r, dict)]
        names = [r.get("name") for r in rules]
        for dup in sorted({n for n in names if names.count(n) > 1 and isinstance(n, str)}):
            yield Problem(f"{c_path}.rules", f"Stage '{stage}': rule name '{dup}' is used more than once in the {kind} condition", STAGE)
        for r_index, rule in enumerate(rules):
            provider = (rule.get("ruleTypeId") or {}).get("provider") if isinstance(rule.get("ruleTypeId"), dict) else None
            if result == "SKIP" and provider not in SKIP_RULES:
                yield Problem(f"{c_path}.rules[{r_index}]", f"Stage '{stage}': a SKIP condition may use only LambdaInvoke and VariableCheck rules, not {provider}", STAGE)
            yield from _rule(rule, f"{c_path}.rules[{r_index}]", stage, available)


def _on_failure(block, conditions, path, stage, index, parallel) -> Iterator[Problem]:
    result = block.get("result")
    if result not in (None, "ROLLBACK", "FAIL", "RETRY"):
        yield Problem(f"{path}.result", f"Stage '{stage}': onFailure result must be ROLLBACK, FAIL or RETRY, not {result}", STAGE)
    if result is None and not conditions:
        yield Problem(path, f"Stage '{stage}': onFailure needs a result (ROLLBACK, FAIL or RETRY) or a condition", STAGE)
    if block.get("retryConfiguration") is not None and result != "RETRY":
        yield Problem(f"{path}.retryConfiguration", f"Stage '{stage}': retryConfiguration is only used with the result RETRY", STAGE)
    if result == "RETRY" and conditions:
        yield Problem(f"{path}.conditions", f"Stage '{stage}': automatic retry (RETRY) cannot be combined with onFailure conditions", STAGE)
    if result == "ROLLBACK":
        yield from _rollback_allowed(f"{path}.result", stage, index, parallel)
    if conditions and result is not None and result != "RETRY" and conditions[0].get("result") != result:
        yield Problem(f"{path}.result", f"Stage '{stage}': onFailure result {result} differs from its condition's result {conditions[0].get('result')}", STAGE)


def _rollback_allowed(path, stage, index, parallel) -> Iterator[Problem]:
    if index == 0:
        yield Problem(path, f"Stage '{stage}' is the source stage: a source stage cannot be rolled back", STAGE)
    if parallel:
        yield Problem(path, f"Stage '{stage}': rollback is not available for pipelines in PARALLEL execution mode", VALIDATION)


def _rule(rule: dict, path: str, stage: str, available: set[str]) -> Iterator[Problem]:
    name = rule.get("name")
    type_id = rule.get("ruleTypeId") if isinstance(rule.get("ruleTypeId"), dict) else {}
    provider, version = type_id.get("provider"), type_id.get("version", "1")
    if provider not in RULE_TYPES or version != "1":
        known = ", ".join(RULE_TYPES)
        yield Problem(f"{path}.ruleTypeId", f"Rule '{name}' in stage '{stage}': Rule/AWS/{provider}/{version} is not a rule type (available, version 1: {known})", STAGE)
        return
    properties, (low, high) = RULE_TYPES[provider]
    config = rule.get("configuration") if isinstance(rule.get("configuration"), dict) else {}
    allowed = {p["name"] for p in properties}
    for prop in properties:
        if prop["required"] and prop["name"] not in config:
            yield Problem(f"{path}.configuration", f"Rule configuration for rule '{name}' is missing required configuration '{prop['name']}'", STAGE)
    for key in sorted(set(config) - allowed):
        yield Problem(f"{path}.configuration.{key}", f"Rule configuration for rule '{name}' contains unknown configuration '{key}' (allowed for {provider}: {', '.join(sorted(allowed)) or 'none'})", STAGE)
    if provider == "Commands" and not rule.get("commands"):
        yield Problem(f"{path}.commands", f"Rule '{name}' must have a non-empty commands field", STAGE)
    if provider != "Commands" and rule.get("commands") is not None:
        yield Problem(f"{path}.commands", f"Rule '{name}' cannot contain a commands field: only Commands rules run commands", STAGE)
    inputs = [a.get("name") for a in rule.get("inputArtifacts") or [] if isinstance(a, dict)]
    if not low <= len(inputs) <= high:
        yield Problem(f"{path}.inputArtifacts", f"Rule {name} declares {len(inputs)} input artifacts; {provider} rules take {low} to {high}", STAGE)
    for artifact in inputs:
        if artifact not in available:
            yield Problem(f"{path}.inputArtifacts", f"Input artifact '{artifact}' of rule '{name}' in stage '{stage}' is not produced before the condition runs", STAGE)
    yield from _configuration_values(provider, config, name, path)


def _configuration_values(provider, config, name, path) -> Iterator[Problem]:
    if provider == "CloudWatchAlarm":
        states = [s.strip() for s in str(config.get("AlarmStates", "ALARM")).split(",")]
        for state in states:
            if state not in ALARM_STATES:
                yield Problem(f"{path}.configuration.AlarmStates", f"Rule '{name}': AlarmStates values must be ALARM, OK or INSUFFICIENT_DATA, not '{state}'", STAGE)
        wait = str(config.get("WaitTime", "0"))
        if not wait.isdigit():
            yield Problem(f"{path}.configuration.WaitTime", f"Rule '{name}': WaitTime must be a whole number of minutes, not '{wait}'", STAGE)
    if provider == "DeploymentWindow":
        try:
            Cron(str(config.get("Cron", "")))
            time_zone(config.get("TimeZone"))
        except CronError as problem:
            yield Problem(f"{path}.configuration", f"Rule '{name}': {problem}", STAGE)
    if provider == "VariableCheck" and "Operator" in config and config["Operator"] not in OPERATORS:
        yield Problem(f"{path}.configuration.Operator", f"Rule '{name}': Operator must be one of {', '.join(OPERATORS)}, not '{config['Operator']}'", STAGE)
