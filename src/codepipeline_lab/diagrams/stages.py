"""Stages left to right as boxes, actions inside grouped by runOrder, transitions between stages.

Every view of a pipeline (structure, artifacts, execution) starts from this drawing and decides
only how an action, a stage and a transition look.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Callable

import graphviz

from codepipeline_lab.diagrams.declaration import Action, Pipeline, Stage
from codepipeline_lab.diagrams.node_ids import node_id
from codepipeline_lab.diagrams.style import EDGE_ATTRS, GRAPH_ATTRS, INK, MUTED, NODE_ATTRS, PROBLEM

DISABLED = "#b71c1c"


def new_graph(name: str, rankdir: str = "LR") -> graphviz.Digraph:
    return graphviz.Digraph(
        name=name,
        graph_attr={**GRAPH_ATTRS, "rankdir": rankdir, "labelloc": "t", "labeljust": "l"},
        node_attr=dict(NODE_ATTRS),
        edge_attr=dict(EDGE_ATTRS),
    )


@dataclass
class Transition:
    """How the arrow into a stage looks. ``rows`` (HTML table rows, e.g. waiting executions) and a
    disabled transition put a small box on the arrow."""
    enabled: bool = True
    reason: str = ""
    rows: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)


@dataclass
class StageLook:
    label_rows: list[str] = field(default_factory=list)  # HTML rows under the stage name
    colour: str = INK
    fill: str = "#f7f9fa"
    penwidth: str = "1"
    broken: bool = False


def _disabled_row(reason: str) -> str:
    text = "transition disabled" + (f"<BR/>{escape(reason)}" if reason else "")
    return (f'<TR><TD BGCOLOR="#ffebee" COLOR="{DISABLED}" BORDER="1">'
            f'<FONT POINT-SIZE="8" COLOR="{DISABLED}">{text}</FONT></TD></TR>')


def cluster_id(stage: Stage) -> str:
    return f"cluster_{stage.node_id}"


def empty_stage_node(stage: Stage) -> str:
    return f"{stage.node_id}/empty"  # stage ids hold no ':'  (node_ids.py)


def draw_stages(graph: graphviz.Digraph, pipeline: Pipeline,
                action_label: Callable[[Action], str],
                stage_look: Callable[[Stage], StageLook] = lambda stage: StageLook(),
                transition: Callable[[int], Transition] = lambda index: Transition()) -> None:
    for stage in pipeline.stages:
        _draw_stage(graph, stage, action_label, stage_look(stage))
    for index in range(1, len(pipeline.stages)):
        _draw_transition(graph, pipeline.stages[index - 1], pipeline.stages[index], transition(index))


def _draw_stage(graph, stage: Stage, action_label, look: StageLook) -> None:
    with graph.subgraph(name=cluster_id(stage)) as box:
        title = f'<TR><TD><B>{escape(stage.name)}</B></TD></TR>' + "".join(look.label_rows)
        box.attr(label=f'<<TABLE BORDER="0" CELLPADDING="1" CELLSPACING="0">{title}</TABLE>>',
                 style="rounded,filled" + (",dashed" if look.broken else ""),
                 color=PROBLEM if look.broken else look.colour, fillcolor=look.fill,
                 penwidth="2" if look.broken else look.penwidth, margin="5")
        if not stage.actions:
            box.node(empty_stage_node(stage), "(no actions)", shape="box", style="dashed", color=PROBLEM)
        groups = stage.run_order_groups()
        for group in groups:
            for action in group:
                box.node(action.node_id, action_label(action))
        for earlier, later in zip(groups, groups[1:]):
            for a in earlier:
                for b in later:
                    box.edge(a.node_id, b.node_id, color=MUTED, arrowsize="0.4")


def _edge_nodes(stage: Stage, first: bool) -> list[str]:
    groups = stage.run_order_groups()
    if not groups:
        return [empty_stage_node(stage)]
    return [action.node_id for action in (groups[0] if first else groups[-1])]


def _draw_transition(graph, before: Stage, after: Stage, look: Transition) -> None:
    tails, heads = _edge_nodes(before, first=False), _edge_nodes(after, first=True)
    tail, head = tails[len(tails) // 2], heads[len(heads) // 2]
    attrs = {"penwidth": "1.5", **look.attrs}
    rows = list(look.rows)
    if not look.enabled:
        attrs.update(color=DISABLED, style="dashed", penwidth="2")
        rows.append(_disabled_row(look.reason))
    if rows:
        via_id = node_id("transition", after.name)
        graph.node(via_id, f'<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2">{"".join(rows)}</TABLE>>')
        graph.edge(tail, via_id, ltail=cluster_id(before), **attrs)
        graph.edge(via_id, head, lhead=cluster_id(after), **attrs,
                   **({"arrowhead": "tee"} if not look.enabled else {}))
        for t in tails:
            if t != tail:
                graph.edge(t, via_id, style="invis")
        for h in heads:
            if h != head:
                graph.edge(via_id, h, style="invis")
        return
    graph.edge(tail, head, ltail=cluster_id(before), lhead=cluster_id(after), **attrs)
    for t in tails:
        for h in heads:
            if (t, h) != (tail, head):
                graph.edge(t, h, style="invis")
