"""The read shapes of stage conditions and retries: GetPipelineState's StageConditionState and
RetryStageMetadata, and ListRuleExecutions' RuleExecutionDetail (botocore model)."""

from __future__ import annotations

from codepipeline_lab.simulator.params import drop_none
from codepipeline_lab.simulator.stage_features.records import KINDS, ConditionRun, RuleRun


def _rule_execution(run: RuleRun) -> dict:
    return drop_none({"ruleExecutionId": run.rule_execution_id, "status": run.status, "summary": run.summary,
                      "lastStatusChange": run.last_update, "externalExecutionId": run.external_execution_id,
                      "externalExecutionUrl": run.external_execution_url, "errorDetails": run.error})


def _stage_condition_state(condition: ConditionRun) -> dict:
    return {
        "latestExecution": drop_none({"status": condition.status, "summary": condition.summary}),
        "conditionStates": [{
            "latestExecution": drop_none({"status": condition.status, "summary": condition.summary,
                                          "lastStatusChange": condition.last_change}),
            "ruleStates": [{"ruleName": run.name, "latestExecution": _rule_execution(run)} for run in condition.rules],
        }],
    }


def condition_states(execution, stage: str) -> dict:
    """beforeEntryConditionState / onSuccessConditionState / onFailureConditionState and
    retryStageMetadata of a stage's latest execution, for the members that apply."""
    extras = execution.stage_extras.get(stage)
    if extras is None:
        return {}
    found = {KINDS[kind]: _stage_condition_state(condition) for kind, condition in extras.conditions.items()}
    metadata = extras.retry_metadata()
    if metadata:
        found["retryStageMetadata"] = metadata
    return found


def rule_execution_detail(execution, run: RuleRun) -> dict:
    rule = run.declaration
    result = drop_none({"externalExecutionId": run.external_execution_id, "externalExecutionSummary": run.summary,
                        "externalExecutionUrl": run.external_execution_url, "errorDetails": run.error})
    return drop_none({
        "pipelineExecutionId": execution.id, "ruleExecutionId": run.rule_execution_id,
        "pipelineVersion": run.pipeline_version, "stageName": run.stage_name, "ruleName": run.name,
        "startTime": run.start, "lastUpdateTime": run.last_update, "status": run.status,
        "input": drop_none({
            "ruleTypeId": rule["ruleTypeId"], "configuration": rule.get("configuration", {}),
            "resolvedConfiguration": run.resolved_configuration, "roleArn": run.role_arn, "region": run.region,
            "inputArtifacts": [{"name": a["name"], "s3location": execution.artifacts[a["name"]].s3location()}
                               for a in rule.get("inputArtifacts", []) if a["name"] in execution.artifacts],
        }),
        "output": {"executionResult": result},
    })
