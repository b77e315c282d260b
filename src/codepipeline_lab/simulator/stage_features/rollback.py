"""Stage rollback (facts §K4): a new execution of type ROLLBACK that runs one stage again with
the source revisions, artifacts and variables of an earlier execution that succeeded there."""

from __future__ import annotations

import copy

from codepipeline_lab.simulator import errors
from codepipeline_lab.simulator.executions import IN_PROGRESS, SUCCEEDED, Execution

STANDARD, ROLLBACK = "STANDARD", "ROLLBACK"


def last_success(runtime, stage: str, version: int, excluding: str) -> Execution | None:
    """The newest standard execution of the current structure version that succeeded in the stage."""
    candidates = [e for e in runtime.executions.values()
                  if e.id != excluding and e.execution_type == STANDARD and e.pipeline_version == version
                  and stage in e.stages and e.stages[stage].status == SUCCEEDED]
    return max(candidates, key=lambda e: e.sequence, default=None)


def check_target(engine, pipeline, stage: str, target: Execution) -> None:
    """RollbackStage's rules; raises AWS's exception for the first one broken."""
    declaration = pipeline.declaration
    names = [s["name"] for s in declaration["stages"]]
    if declaration.get("pipelineType", "V1") != "V2":
        raise errors.ValidationException(f"Stage rollback is only available for pipelines of type V2; pipeline {pipeline.name} is {declaration.get('pipelineType', 'V1')}")
    if declaration.get("executionMode") == "PARALLEL":
        raise errors.ValidationException(f"Stage rollback is not available for pipelines in PARALLEL execution mode ({pipeline.name})")
    if names.index(stage) == 0:
        raise errors.UnableToRollbackStageException(f"Stage {stage} is the source stage of pipeline {pipeline.name}; a source stage cannot be rolled back")
    if target.pipeline_version != pipeline.version:
        raise errors.PipelineExecutionOutdatedException(
            f"Execution {target.id} ran pipeline version {target.pipeline_version}, not the current version {pipeline.version}; it is outdated and cannot be used as a rollback target")
    if target.execution_type == ROLLBACK:
        raise errors.UnableToRollbackStageException(f"Execution {target.id} is a rollback execution; choose a standard execution as the target")
    if stage not in target.stages or target.stages[stage].status != SUCCEEDED:
        raise errors.UnableToRollbackStageException(
            f"Execution {target.id} did not succeed in stage {stage}; the target must be an execution that succeeded in that stage")
    runtime = engine.runtime(pipeline)
    running = [e for e in runtime.executions.values() if not e.finished and stage in e.stages and e.stages[stage].status == IN_PROGRESS]
    if running or stage in runtime.locks:
        holder = running[0].id if running else runtime.locks[stage]
        raise errors.UnableToRollbackStageException(f"Stage {stage} is in progress (execution {holder}); roll it back when it has finished")


def start_rollback(engine, pipeline, stage: str, target: Execution, trigger: dict) -> Execution:
    """The rollback execution: only the rolled-back stage runs (later stages are not redeployed)."""
    declaration = pipeline.declaration
    index = [s["name"] for s in declaration["stages"]].index(stage)
    engine._sequence += 1
    now = engine.scheduler.now
    execution = Execution(
        id=engine.ids.uuid(), pipeline_name=pipeline.name, pipeline_version=pipeline.version,
        declaration={**declaration, "stages": declaration["stages"][:index + 1]},
        execution_mode=declaration.get("executionMode", "SUPERSEDED"), trigger=trigger, start=now, last_update=now,
        sequence=engine._sequence, variables=copy.deepcopy(target.variables), region=pipeline.region,
        execution_type=ROLLBACK, rollback_target=target.id,
    )
    execution.source_revisions = copy.deepcopy(target.source_revisions)
    execution.artifact_revisions = copy.deepcopy(target.artifact_revisions)
    execution.artifacts = dict(target.artifacts)
    execution.namespaces = copy.deepcopy(target.namespaces)
    engine.runtime(pipeline).executions[execution.id] = execution
    engine.events.pipeline(execution, "STARTED")
    engine._arrive(execution, index)
    return execution
