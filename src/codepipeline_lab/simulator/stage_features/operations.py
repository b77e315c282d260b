"""RollbackStage, OverrideStageCondition, ListRuleTypes and ListRuleExecutions, in AWS's request
and response shapes (facts §K4)."""

from __future__ import annotations

from codepipeline_lab.simulator import errors
from codepipeline_lab.simulator.pagination import paginate
from codepipeline_lab.simulator.params import required
from codepipeline_lab.simulator.rules.catalog import rule_types
from codepipeline_lab.simulator.stage_features import rollback
from codepipeline_lab.simulator.stage_features.records import CONDITION_TYPES, IN_PROGRESS
from codepipeline_lab.simulator.stage_features.state import rule_execution_detail


def stage_feature_operations(account) -> dict:
    engine, store = account.engine, account.pipelines

    def pipeline_of(params, ctx):
        return store.get(ctx.region, required(params, "pipelineName"))

    def stage_of(pipeline, name):
        if name not in [s["name"] for s in pipeline.declaration["stages"]]:
            raise errors.StageNotFoundException(f"Stage {name} was not found in pipeline {pipeline.name}")
        return name

    def execution_of(pipeline, execution_id):
        execution = engine.runtime(pipeline).executions.get(execution_id)
        if execution is None:
            raise errors.PipelineExecutionNotFoundException(
                f"Pipeline execution {execution_id} was not found in pipeline {pipeline.name}")
        return execution

    def rollback_stage(params, ctx):
        pipeline = pipeline_of(params, ctx)
        stage = stage_of(pipeline, required(params, "stageName"))
        target = execution_of(pipeline, required(params, "targetPipelineExecutionId"))
        rollback.check_target(engine, pipeline, stage, target)
        trigger = {"triggerType": "ManualRollback", "triggerDetail": account.caller_arn(ctx.access_key_id)}
        execution = rollback.start_rollback(engine, pipeline, stage, target, trigger)
        return {"pipelineExecutionId": execution.id}

    def override_stage_condition(params, ctx):
        pipeline = pipeline_of(params, ctx)
        stage = stage_of(pipeline, required(params, "stageName"))
        condition_type = required(params, "conditionType")
        kind = CONDITION_TYPES.get(condition_type)
        if kind is None:
            raise errors.ValidationException(f"conditionType must be BEFORE_ENTRY or ON_SUCCESS, not {condition_type}")
        execution = execution_of(pipeline, required(params, "pipelineExecutionId"))
        declared = next(s for s in execution.declaration["stages"] if s["name"] == stage).get(kind)
        if not declared:
            raise errors.ValidationException(f"Stage {stage} of pipeline {pipeline.name} has no {kind} condition to override")
        if declared["conditions"][0].get("result") == "SKIP":
            raise errors.ConditionNotOverridableException(f"The {kind} condition of stage {stage} has the result SKIP; a skip condition cannot be overridden")
        if engine.runtime(pipeline).latest_in_stage.get(stage) is not execution:
            raise errors.NotLatestPipelineExecutionException(f"Execution {execution.id} is not the latest execution of stage {stage}")
        extras = execution.stage_extras.get(stage)
        condition = extras.conditions.get(kind) if extras else None
        if condition is None or condition.status != IN_PROGRESS:
            state = condition.status if condition else "not evaluated"
            raise errors.ConflictException(f"The {kind} condition of stage {stage} in execution {execution.id} is {state}; only a condition in progress can be overridden")
        engine.stage_features.conditions.override(execution, condition)
        return {}

    def list_rule_types(params, ctx):
        owner = params.get("ruleOwnerFilter")
        if owner not in (None, "AWS"):
            raise errors.ValidationException(f"ruleOwnerFilter must be AWS, not {owner}")
        return {"ruleTypes": rule_types()}

    def list_rule_executions(params, ctx):
        pipeline = pipeline_of(params, ctx)
        runtime = engine.runtime(pipeline)
        wanted = params.get("filter") or {}
        latest = wanted.get("latestInPipelineExecution")
        execution_id = wanted.get("pipelineExecutionId") or (latest or {}).get("pipelineExecutionId")
        if execution_id:
            execution_of(pipeline, execution_id)
        executions = sorted(runtime.executions.values(), key=lambda e: e.sequence, reverse=True)
        details = []
        for execution in executions:
            if execution_id and execution.id != execution_id:
                continue
            for extras in execution.stage_extras.values():
                runs = extras.rule_runs
                if latest and latest.get("startTimeRange") == "Latest":
                    runs = [c for condition in extras.conditions.values() for c in condition.rules]
                details += [(run, rule_execution_detail(execution, run)) for run in runs]
        details.sort(key=lambda pair: pair[0].start, reverse=True)
        page, token = paginate([d for _, d in details], params.get("nextToken"), params.get("maxResults"))
        return {"ruleExecutionDetails": page, **({"nextToken": token} if token else {})}

    handlers = (rollback_stage, override_stage_condition, list_rule_types, list_rule_executions)
    return {f.__name__: f for f in handlers}
