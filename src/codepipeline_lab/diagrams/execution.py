"""Execution view: the pipeline coloured by the state of one execution, with a legend (issue item 3)."""

from __future__ import annotations

import textwrap

from codepipeline_lab.diagrams import labels, sources
from codepipeline_lab.diagrams.declaration import Pipeline, Stage, read_pipeline
from codepipeline_lab.diagrams.diagram import Diagram
from codepipeline_lab.diagrams.errors import DiagramInputError
from codepipeline_lab.diagrams.problems import find_problems
from codepipeline_lab.diagrams.run_status import (
    RunStatus, latest_execution_id, run_status, waiting_executions,
)
from codepipeline_lab.diagrams.stages import StageLook, Transition, draw_stages, new_graph
from codepipeline_lab.diagrams.structure import counts, transition_from_state
from codepipeline_lab.diagrams.style import INK, NOT_YET_RUN, status_colours

ERROR_CHARS = 56
LINE_CHARS = 28


def execution_view(pipeline, *, execution_id: str | None = None, execution: dict | None = None,
                   state: dict | None = None, action_executions=None, lab=None) -> Diagram:
    """Colour a pipeline by the state of one execution (default: the latest).

    With dicts: ``execution`` is ``get_pipeline_execution()`` (or its ``["pipelineExecution"]``),
    ``state`` is ``get_pipeline_state()``, ``action_executions`` is ``list_action_executions()``
    (or its ``["actionExecutionDetails"]``). With ``lab=`` and a pipeline name, all are fetched.
    """
    model = read_pipeline(sources.pipeline_response(pipeline, lab))
    if lab is not None and isinstance(pipeline, str):
        state, execution_id, execution, action_executions = _fetch(lab, pipeline, execution_id)
    execution = sources.unwrap(execution, "pipelineExecution")
    action_executions = sources.unwrap(action_executions, "actionExecutionDetails")
    execution_id = execution_id or (execution or {}).get("pipelineExecutionId") or latest_execution_id(state)
    _check_known(execution_id, execution, state, action_executions)
    status = run_status(model, execution_id, execution, state, action_executions)
    status.execution_status = status.execution_status or _status_from_state(state, execution_id)
    return draw_execution(model, status, state)


def _fetch(lab, name: str, execution_id: str | None):
    state = sources.pipeline_state(lab, name)
    execution_id = execution_id or sources.latest_execution_id(lab, name)
    if not execution_id:
        return state, None, None, []
    return (state, execution_id, sources.pipeline_execution(lab, name, execution_id),
            sources.action_executions(lab, name, execution_id))


def _check_known(execution_id, execution, state, action_executions) -> None:
    """A named execution must appear somewhere in the answers given, or the picture would lie."""
    if not execution_id or execution:
        return
    known = {r.get("pipelineExecutionId") for r in action_executions or []}
    for stage_state in (state or {}).get("stageStates") or []:
        known.add((stage_state.get("latestExecution") or {}).get("pipelineExecutionId"))
        known.update(e.get("pipelineExecutionId") for e in stage_state.get("inboundExecutions") or [])
    known.discard(None)
    if execution_id not in known and (state or action_executions):
        raise DiagramInputError(
            f"execution {execution_id!r} is not in the state or action executions given; "
            f"known executions: {', '.join(sorted(known)) or 'none'}")


def _status_from_state(state, execution_id) -> str | None:
    for stage_state in reversed((state or {}).get("stageStates") or []):
        latest = stage_state.get("latestExecution") or {}
        if latest.get("pipelineExecutionId") == execution_id:
            return latest.get("status")
    return None


def draw_execution(model: Pipeline, status: RunStatus, state: dict | None) -> Diagram:
    problems = find_problems(model)
    graph = new_graph(f"execution_{model.name}")

    def action_label(action):
        run = status.of(action)
        notes = _wrapped(_short(run.error)) if run.error else ()
        return labels.action_label(action, run.status, notes, broken=action.node_id in problems.by_node)

    draw_stages(graph, model, action_label,
                stage_look=lambda stage: _stage_look(stage, status, problems.by_node),
                transition=lambda index: _transition(model, index, status, state))
    subtitle = _subtitle(status)
    graph.attr(label=labels.graph_label([
        labels.title_row(model.name, subtitle), labels.status_legend_row(),
        *labels.problem_rows(problems.messages())]))
    return Diagram(graph, "execution", f"pipeline {model.name!r}", f"{subtitle}; {counts(model)}")


def _subtitle(status: RunStatus) -> str:
    if not status.execution_id:
        return "no execution yet"
    return f"execution {status.execution_id}: {status.execution_status or 'status unknown'}"


def _stage_look(stage: Stage, status: RunStatus, broken: dict) -> StageLook:
    stage_status = status.stages.get(stage.name)
    if not stage_status:
        return StageLook(broken=stage.node_id in broken)
    border = status_colours(stage_status)[1]
    return StageLook(label_rows=[f"<TR><TD>{labels.small(stage_status, border)}</TD></TR>"],
                     colour=border, penwidth="2", broken=stage.node_id in broken)


def _transition(model: Pipeline, index: int, status: RunStatus, state: dict | None) -> Transition:
    transition = transition_from_state(model, index, state)
    stage = model.stages[index]
    rows = [_waiting_row(e, status.execution_id) for e in waiting_executions(state).get(stage.name, [])]
    if status.execution_status == "Superseded" and _superseded_before(model, status) == index:
        rows.append(_marker_row(_short_id(status.execution_id), "Superseded", "superseded here"))
    transition.rows = rows
    return transition


def _superseded_before(model: Pipeline, status: RunStatus) -> int | None:
    """The index of the stage a superseded execution was waiting for: the one after its last run."""
    last_run = None
    for index, stage in enumerate(model.stages):
        if any(status.of(action).status != NOT_YET_RUN for action in stage.actions):
            last_run = index
    if last_run is None or last_run + 1 >= len(model.stages):
        return None
    return last_run + 1


def _waiting_row(inbound: dict, viewed_id: str | None) -> str:
    who = _short_id(inbound.get("pipelineExecutionId"))
    mark = " (this one)" if inbound.get("pipelineExecutionId") == viewed_id else ""
    return _marker_row(f"waiting: {who}{mark}", inbound.get("status"), inbound.get("status") or "")


def _marker_row(text: str, state: str | None, second_line: str = "") -> str:
    fill, border = status_colours(state)
    lines = labels.small(text, INK) + (f"<BR/>{labels.small(second_line, INK)}" if second_line else "")
    return f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1">{lines}</TD></TR>'


def _short_id(execution_id: str | None) -> str:
    return (execution_id or "?")[:8]


def _wrapped(text: str) -> tuple[str, ...]:
    return tuple(textwrap.wrap(text, LINE_CHARS)) or (text,)


def _short(text: str) -> str:
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"
