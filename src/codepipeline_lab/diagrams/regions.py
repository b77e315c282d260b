"""Regions: one box per region with its artifact store and its actions, and the copies of input
artifacts that CodePipeline makes from the pipeline's region to an action's region (issue item 5)."""

from __future__ import annotations

from html import escape

from codepipeline_lab.diagrams import labels, sources
from codepipeline_lab.diagrams.declaration import Action, Pipeline, read_pipeline
from codepipeline_lab.diagrams.diagram import Diagram
from codepipeline_lab.diagrams.node_ids import node_id
from codepipeline_lab.diagrams.problems import find_problems
from codepipeline_lab.diagrams.stages import new_graph
from codepipeline_lab.diagrams.structure import header_rows
from codepipeline_lab.diagrams.style import INK, MUTED

COPY_COLOUR = "#6a1b9a"
OUTPUT_COLOUR = "#c0a000"
REGION_FILL = "#f7f9fa"
STORE_FILL = "#f1f8e9"
UNKNOWN_REGION = "pipeline region"


def regions_view(pipeline, *, pipeline_region: str | None = None, lab=None) -> Diagram:
    """Draw a (cross-region) pipeline by region.

    The pipeline's own region comes from ``pipeline_region=``, else from ``metadata.pipelineArn``
    of a ``get_pipeline()`` answer, else from the Lab.
    """
    model = read_pipeline(sources.pipeline_response(pipeline, lab))
    home = pipeline_region or model.region or (lab.region if lab is not None else None) or UNKNOWN_REGION
    problems = find_problems(model)
    graph = new_graph(f"regions_{model.name}")
    graph.attr(ranksep="0.35", nodesep="0.2")
    by_region = actions_by_region(model, home)
    for region in region_order(model, home, by_region):
        _draw_region(graph, model, region, home, by_region.get(region, []), problems.by_node)
    _draw_copies(graph, model, home, by_region)
    graph.attr(label=labels.graph_label(header_rows(model, problems, "regions", f"regions, pipeline in {home}")))
    count = len(region_order(model, home, by_region))
    return Diagram(graph, "regions", f"pipeline {model.name!r}", f"{count} region{'s' * (count != 1)}, home {home}")


def actions_by_region(model: Pipeline, home: str) -> dict[str, list[Action]]:
    grouped: dict[str, list[Action]] = {}
    for action in model.actions():
        grouped.setdefault(action.region or home, []).append(action)
    return grouped


def region_order(model: Pipeline, home: str, by_region: dict) -> list[str]:
    others = sorted((set(by_region) | set(model.artifact_stores)) - {home, ""})
    return [home] + others


def store_for(model: Pipeline, region: str, home: str) -> dict | None:
    stores = model.artifact_stores
    return stores.get(region) or (stores.get("") if region == home else None)


def store_node(region: str) -> str:
    return node_id("store", region)


def _draw_region(graph, model: Pipeline, region: str, home: str, actions: list[Action], broken: dict) -> None:
    with graph.subgraph(name=node_id("cluster_region", region)) as box:
        title = f"{region} (pipeline's region)" if region == home else region
        box.attr(label=f"<<B>{escape(title)}</B>>", style="rounded,filled", fillcolor=REGION_FILL, color=INK,
                 margin="8")
        store = store_for(model, region, home)
        text = [labels.small("artifact store"),
                f"<B>{escape(store.get('location', '?'))}</B>" if store else labels.small("none declared", "#d50000")]
        if store and store.get("encryptionKey"):
            text.append(labels.small("KMS key " + str(store["encryptionKey"].get("id", "")).split("/")[-1]))
        box.node(store_node(region), labels.html([f"<TR><TD>{t}</TD></TR>" for t in text]),
                 shape="cylinder", style="filled", fillcolor=STORE_FILL, margin="0.1")
        for action in actions:
            box.node(action.node_id, labels.action_label(action, notes=(f"stage {action.stage_name}",),
                                                         broken=action.node_id in broken))
            if action.input_artifacts:
                box.edge(store_node(region), action.node_id, color=MUTED, style="dashed",
                         label=" " + ", ".join(action.input_artifacts), fontcolor=MUTED)
            if action.output_artifacts:
                box.edge(action.node_id, store_node(region), color=OUTPUT_COLOUR, constraint="false",
                         label=" " + ", ".join(action.output_artifacts), fontcolor=OUTPUT_COLOUR)


def _draw_copies(graph, model: Pipeline, home: str, by_region: dict[str, list[Action]]) -> None:
    for region in region_order(model, home, by_region)[1:]:
        copied = sorted({name for action in by_region.get(region, []) for name in action.input_artifacts})
        if copied:
            graph.edge(store_node(home), store_node(region), color=COPY_COLOUR, fontcolor=COPY_COLOUR,
                       penwidth="2", label="copies " + ", ".join(copied))
