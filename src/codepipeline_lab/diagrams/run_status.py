"""Which state each action and stage of one pipeline execution is in, read from API answers.

The best source is `list_action_executions` filtered to the execution (one record per action
run). `get_pipeline_state` is used for what only it knows: approval tokens, stage statuses,
transitions and the executions waiting in front of a stage. Without action executions, action
states come from `get_pipeline_state` for the stages whose latest execution is this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codepipeline_lab.diagrams.declaration import Action, Pipeline
from codepipeline_lab.diagrams.style import NOT_YET_RUN, WAITING_FOR_APPROVAL


@dataclass
class ActionRun:
    status: str = NOT_YET_RUN
    error: str = ""


@dataclass
class RunStatus:
    execution_id: str | None
    execution_status: str | None
    actions: dict[str, ActionRun] = field(default_factory=dict)   # by Action.node_id
    stages: dict[str, str] = field(default_factory=dict)          # stage name -> stage status

    def of(self, action: Action) -> ActionRun:
        return self.actions.get(action.node_id, ActionRun())


def latest_execution_id(state: dict | None) -> str | None:
    """The newest execution seen by get_pipeline_state: the one that last entered the first stage."""
    for stage_state in (state or {}).get("stageStates") or []:
        latest = stage_state.get("latestExecution") or {}
        if latest.get("pipelineExecutionId"):
            return latest["pipelineExecutionId"]
    return None


def run_status(model: Pipeline, execution_id: str | None, execution: dict | None,
               state: dict | None, action_executions: list[dict] | None) -> RunStatus:
    status = RunStatus(execution_id, (execution or {}).get("status"))
    stage_states = {s.get("stageName"): s for s in (state or {}).get("stageStates") or []}
    for stage in model.stages:
        stage_state = stage_states.get(stage.name) or {}
        latest = stage_state.get("latestExecution") or {}
        is_this_run = execution_id is not None and latest.get("pipelineExecutionId") == execution_id
        if is_this_run:
            status.stages[stage.name] = latest.get("status")
        records = _records_by_action(action_executions, execution_id, stage.name)
        action_states = {a.get("actionName"): a for a in stage_state.get("actionStates") or []}
        for action in stage.actions:
            if action_executions is not None:
                run = _from_record(records.get(action.name))
            else:
                run = _from_action_state(action_states.get(action.name)) if is_this_run else ActionRun()
            if action.category == "Approval" and run.status == "InProgress":
                run.status = WAITING_FOR_APPROVAL
            status.actions[action.node_id] = run
        if stage.name not in status.stages:
            status.stages[stage.name] = _stage_status_from_actions([status.of(a).status for a in stage.actions])
    status.stages = {name: value for name, value in status.stages.items() if value}
    return status


def _stage_status_from_actions(statuses: list[str]) -> str | None:
    """Without get_pipeline_state, a stage's status follows from its actions' statuses."""
    ran = [s for s in statuses if s != NOT_YET_RUN]
    if not ran:
        return None
    for status in ("Failed", "InProgress", WAITING_FOR_APPROVAL, "Abandoned"):
        if status in ran:
            return {"Abandoned": "Stopped", WAITING_FOR_APPROVAL: "InProgress"}.get(status, status)
    return "Succeeded" if len(ran) == len(statuses) else "InProgress"


def _records_by_action(action_executions, execution_id, stage_name) -> dict[str, dict]:
    """The latest record of each action of one stage in this execution (retries add records)."""
    chosen: dict[str, dict] = {}
    for record in action_executions or []:
        if record.get("pipelineExecutionId") != execution_id or record.get("stageName") != stage_name:
            continue
        name = record.get("actionName")
        if name not in chosen or _started(record) > _started(chosen[name]):
            chosen[name] = record
    return chosen


def _started(record: dict) -> str:
    return str(record.get("startTime") or "")


def _from_record(record: dict | None) -> ActionRun:
    if not record:
        return ActionRun()
    result = (record.get("output") or {}).get("executionResult") or {}
    error = (result.get("errorDetails") or {}).get("message") or ""
    if not error and record.get("status") == "Failed":
        error = result.get("externalExecutionSummary") or ""
    return ActionRun(record.get("status") or NOT_YET_RUN, error)


def _from_action_state(action_state: dict | None) -> ActionRun:
    latest = (action_state or {}).get("latestExecution") or {}
    if not latest.get("status"):
        return ActionRun()
    return ActionRun(latest["status"], (latest.get("errorDetails") or {}).get("message") or "")


def waiting_executions(state: dict | None) -> dict[str, list[dict]]:
    """Executions waiting in front of each stage: inboundExecutions, or the older inboundExecution."""
    waiting: dict[str, list[dict]] = {}
    for stage_state in (state or {}).get("stageStates") or []:
        inbound = list(stage_state.get("inboundExecutions") or [])
        if not inbound and stage_state.get("inboundExecution"):
            inbound = [stage_state["inboundExecution"]]
        if inbound:
            waiting[stage_state.get("stageName")] = inbound
    return waiting
