"""Artifact flow: which action produces each artifact, which consume it, where it is stored (issue item 2).

Artifacts are drawn inside their artifact store, under the stages; with the action executions of
an execution, each artifact shows its real S3 object key.
"""

from __future__ import annotations

from html import escape

from codepipeline_lab.diagrams import labels, sources
from codepipeline_lab.diagrams.declaration import Pipeline, read_pipeline
from codepipeline_lab.diagrams.diagram import Diagram
from codepipeline_lab.diagrams.node_ids import node_id
from codepipeline_lab.diagrams.problems import find_problems
from codepipeline_lab.diagrams.stages import StageLook, draw_stages, new_graph
from codepipeline_lab.diagrams.structure import header_rows
from codepipeline_lab.diagrams.style import MUTED

ARTIFACT_FILL = "#fffde7"
ARTIFACT_BORDER = "#c0a000"
STORE_FILL = "#f1f8e9"
STORE_BORDER = "#689f38"


def artifact_flow(pipeline, *, action_executions=None, execution_id: str | None = None, lab=None) -> Diagram:
    """Draw artifacts between the actions that produce and consume them.

    ``action_executions`` (``list_action_executions()`` or its ``["actionExecutionDetails"]``) adds
    the S3 keys of one execution (``execution_id``, default: the one the records belong to).
    With ``lab=`` and a pipeline name, the latest execution's records are fetched.
    """
    model = read_pipeline(sources.pipeline_response(pipeline, lab))
    if lab is not None and isinstance(pipeline, str):
        execution_id = execution_id or sources.latest_execution_id(lab, pipeline)
        action_executions = sources.action_executions(lab, pipeline, execution_id) if execution_id else []
    records = sources.unwrap(action_executions, "actionExecutionDetails") or []
    execution_id = execution_id or _newest_execution(records)
    locations = artifact_locations(records, execution_id)
    problems = find_problems(model)
    graph = new_graph(f"artifacts_{model.name}")
    draw_stages(graph, model,
                action_label=lambda a: labels.action_label(a, broken=a.node_id in problems.by_node),
                stage_look=lambda s: StageLook(broken=s.node_id in problems.by_node))
    _draw_store(graph, model, locations)
    _draw_artifact_edges(graph, model)
    subtitle = f"artifacts of execution {execution_id}" if execution_id else "artifacts"
    graph.attr(label=labels.graph_label(header_rows(model, problems, "artifacts", subtitle)))
    names = artifact_names(model)
    return Diagram(graph, "artifact flow", f"pipeline {model.name!r}",
                   f"{len(names)} artifact{'s' * (len(names) != 1)}" + (f", execution {execution_id}" if execution_id else ""))


def artifact_names(model: Pipeline) -> list[str]:
    names = {n for a in model.actions() for n in a.input_artifacts + a.output_artifacts}
    return sorted(names)


def artifact_node(name: str) -> str:
    return node_id("artifact", name)


def artifact_locations(records: list[dict], execution_id: str | None) -> dict[str, dict]:
    """Artifact name -> {bucket, key} as recorded by one execution's action executions."""
    found: dict[str, dict] = {}
    for record in sorted(records, key=lambda r: str(r.get("startTime") or "")):
        if record.get("pipelineExecutionId") != execution_id:
            continue
        listed = ((record.get("input") or {}).get("inputArtifacts") or []) + \
                 ((record.get("output") or {}).get("outputArtifacts") or [])
        for artifact in listed:
            if artifact.get("name") and artifact.get("s3location"):
                found.setdefault(artifact["name"], artifact["s3location"])
    return found


def _newest_execution(records: list[dict]) -> str | None:
    newest = max(records, key=lambda r: str(r.get("startTime") or ""), default=None)
    return newest.get("pipelineExecutionId") if newest else None


def store_description(model: Pipeline) -> str:
    if not model.artifact_stores:
        return "artifact store: none declared"
    parts = []
    for region, store in model.artifact_stores.items():
        where = f"{region}: " if region else ""
        key = " (KMS key)" if store.get("encryptionKey") else ""
        parts.append(f"{where}{store.get('type', 'S3')} bucket {store.get('location', '?')}{key}")
    return "artifact store — " + "; ".join(parts)


def _draw_store(graph, model: Pipeline, locations: dict[str, dict]) -> None:
    with graph.subgraph(name="cluster_artifact_store") as store:
        store.attr(label=escape(store_description(model)), style="rounded,filled", fillcolor=STORE_FILL,
                   color=STORE_BORDER, fontsize="9", labeljust="l", margin="5")
        for name in artifact_names(model):
            rows = [f"<TR><TD><B>{escape(name)}</B></TD></TR>"]
            where = locations.get(name)
            if where:
                rows.append(f"<TR><TD>{labels.small(where.get('key', '?'))}</TD></TR>")
            store.node(artifact_node(name), labels.html(rows, BORDER="1", COLOR=ARTIFACT_BORDER, BGCOLOR=ARTIFACT_FILL))


def _draw_artifact_edges(graph, model: Pipeline) -> None:
    for action in model.actions():
        for name in action.output_artifacts:
            graph.edge(action.node_id, artifact_node(name), color=ARTIFACT_BORDER, arrowsize="0.5")
        for name in action.input_artifacts:
            graph.edge(artifact_node(name), action.node_id, color=MUTED, style="dashed", arrowsize="0.5")
