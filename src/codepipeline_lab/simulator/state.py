"""The read side of executions, in AWS's response shapes: GetPipelineState,
GetPipelineExecution, ListPipelineExecutions and ListActionExecutions (facts §A6)."""

from __future__ import annotations

from codepipeline_lab.simulator.executions import IN_PROGRESS, ActionRun, Execution
from codepipeline_lab.simulator.params import drop_none
from codepipeline_lab.simulator.stage_features.state import condition_states


def pipeline_execution(execution: Execution) -> dict:
    return drop_none({
        "pipelineName": execution.pipeline_name,
        "pipelineVersion": execution.pipeline_version,
        "pipelineExecutionId": execution.id,
        "status": execution.status,
        "statusSummary": execution.status_summary,
        "artifactRevisions": execution.artifact_revisions,
        "variables": execution.variables,
        "trigger": execution.trigger,
        "executionMode": execution.execution_mode,
        "executionType": execution.execution_type,
        "rollbackMetadata": _rollback_metadata(execution),
    })


def _rollback_metadata(execution: Execution) -> dict | None:
    return {"rollbackTargetPipelineExecutionId": execution.rollback_target} if execution.rollback_target else None


def execution_summary(execution: Execution) -> dict:
    sources = [drop_none({"actionName": name, "revisionId": r.get("revisionId"), "revisionSummary": r.get("revisionSummary"),
                           "revisionUrl": r.get("revisionUrl")})
               for name, r in execution.source_revisions.items() if "revisionId" in r]
    return drop_none({
        "pipelineExecutionId": execution.id, "status": execution.status, "statusSummary": execution.status_summary,
        "startTime": execution.start, "lastUpdateTime": execution.last_update, "sourceRevisions": sources,
        "trigger": execution.trigger, "stopTrigger": execution.stop_trigger,
        "executionMode": execution.execution_mode, "executionType": execution.execution_type,
        "rollbackMetadata": _rollback_metadata(execution),
    })


def _action_execution(run: ActionRun, show_token: bool) -> dict:
    return drop_none({
        "actionExecutionId": run.action_execution_id,
        "status": run.status,
        "summary": run.summary,
        "lastStatusChange": run.last_update,
        "token": run.token if show_token and run.status == IN_PROGRESS else None,
        "lastUpdatedBy": run.last_updated_by,
        "externalExecutionId": run.external_execution_id,
        "externalExecutionUrl": run.external_execution_url,
        "errorDetails": run.error,
    })


def _action_state(action: dict, stage: str, runtime, show_token: bool) -> dict:
    state = {"actionName": action["name"]}
    run = runtime.latest_action.get((stage, action["name"]))
    if run is not None:
        state["latestExecution"] = _action_execution(run, show_token)
        if action["actionTypeId"]["category"] == "Source" and run.external_execution_id:
            state["currentRevision"] = {"revisionId": run.external_execution_id, "revisionChangeId": run.external_execution_id, "created": run.last_update}
    return state


def _transition(transition) -> dict:
    if transition is None:
        return {"enabled": True}
    return drop_none({"enabled": transition.enabled, "lastChangedBy": transition.last_changed_by,
                       "lastChangedAt": transition.last_changed_at, "disabledReason": transition.disabled_reason})


def pipeline_state(pipeline, runtime) -> dict:
    show_token = pipeline.declaration.get("executionMode") != "PARALLEL"
    stages = []
    for stage in pipeline.declaration["stages"]:
        name = stage["name"]
        state = {"stageName": name, "inboundTransitionState": _transition(runtime.inbound.get(name) if runtime else None),
                 "actionStates": [_action_state(a, name, runtime, show_token) for a in stage["actions"]] if runtime else
                 [{"actionName": a["name"]} for a in stage["actions"]]}
        waiting = [e for e in (runtime.waiting.get(name, []) if runtime else []) if not e.finished]
        if waiting:
            shapes = [{"pipelineExecutionId": e.id, "status": e.status, "type": e.execution_type} for e in waiting]
            state["inboundExecution"], state["inboundExecutions"] = shapes[0], shapes
        latest = runtime.latest_in_stage.get(name) if runtime else None
        if latest is not None and name in latest.stages:
            state["latestExecution"] = {"pipelineExecutionId": latest.id, "status": latest.stages[name].status, "type": latest.execution_type}
            state.update(condition_states(latest, name))
        stages.append(state)
    return {"pipelineName": pipeline.name, "pipelineVersion": pipeline.version, "stageStates": stages,
            "created": pipeline.created, "updated": pipeline.updated}


def action_execution_detail(execution: Execution, run: ActionRun, role_arn: str | None) -> dict:
    declaration = run.declaration
    result = drop_none({"externalExecutionId": run.external_execution_id, "externalExecutionSummary": run.summary,
                         "externalExecutionUrl": run.external_execution_url, "errorDetails": run.error})
    return drop_none({
        "pipelineExecutionId": execution.id,
        "actionExecutionId": run.action_execution_id,
        "pipelineVersion": execution.pipeline_version,
        "stageName": run.stage_name,
        "actionName": run.name,
        "startTime": run.start,
        "lastUpdateTime": run.last_update,
        "updatedBy": run.last_updated_by,
        "status": run.status,
        "input": drop_none({
            "actionTypeId": declaration["actionTypeId"],
            "configuration": declaration.get("configuration", {}),
            "resolvedConfiguration": run.resolved_configuration,
            "roleArn": declaration.get("roleArn") or role_arn,
            "region": run.region,
            "inputArtifacts": [{"name": r.name, "s3location": r.s3location()} for r in run.inputs],
            "namespace": declaration.get("namespace"),
        }),
        "output": {
            "outputArtifacts": [{"name": r.name, "s3location": r.s3location()} for r in run.outputs],
            "executionResult": result,
            "outputVariables": run.output_variables,
        },
    })
