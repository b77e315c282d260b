"""Pipeline structure: stages, actions by runOrder, category colours, transitions (issue item 1)."""

from __future__ import annotations

from codepipeline_lab.diagrams import labels, sources
from codepipeline_lab.diagrams.declaration import Pipeline, read_pipeline
from codepipeline_lab.diagrams.diagram import Diagram
from codepipeline_lab.diagrams.problems import Problems, find_problems
from codepipeline_lab.diagrams.stages import StageLook, Transition, draw_stages, new_graph


def pipeline_structure(pipeline, *, state: dict | None = None, lab=None) -> Diagram:
    """Draw a pipeline's stages and actions.

    ``pipeline`` is a declaration dict (``get_pipeline()`` or its ``["pipeline"]``) or, with
    ``lab=``, a pipeline name. ``state`` (``get_pipeline_state()``) adds disabled transitions;
    with a Lab it is fetched.
    """
    model = read_pipeline(sources.pipeline_response(pipeline, lab))
    if lab is not None and isinstance(pipeline, str):
        state = sources.pipeline_state(lab, pipeline)
    problems = find_problems(model)
    graph = new_graph(f"structure_{model.name}")
    draw_stages(graph, model,
                action_label=lambda a: labels.action_label(a, broken=a.node_id in problems.by_node),
                stage_look=lambda s: StageLook(broken=s.node_id in problems.by_node),
                transition=lambda i: transition_from_state(model, i, state))
    graph.attr(label=labels.graph_label(header_rows(model, problems, "pipeline structure")))
    return Diagram(graph, "pipeline structure", f"pipeline {model.name!r}", counts(model))


def header_rows(model: Pipeline, problems: Problems, what: str, subtitle: str = "") -> list[str]:
    categories = sorted({a.category for a in model.actions() if a.category})
    return [labels.title_row(model.name, subtitle or what), labels.category_legend_row(categories),
            *labels.problem_rows(problems.messages())]


def transition_from_state(model: Pipeline, index: int, state: dict | None) -> Transition:
    stage_state = stage_states(state).get(model.stages[index].name, {})
    inbound = stage_state.get("inboundTransitionState") or {}
    return Transition(enabled=inbound.get("enabled", True) is not False, reason=inbound.get("disabledReason") or "")


def stage_states(state: dict | None) -> dict[str, dict]:
    if not isinstance(state, dict):
        return {}
    return {s.get("stageName"): s for s in state.get("stageStates") or [] if isinstance(s, dict)}


def counts(model: Pipeline) -> str:
    stages, actions = len(model.stages), len(model.actions())
    return f"{stages} stage{'s' * (stages != 1)}, {actions} action{'s' * (actions != 1)}"
