"""The structural rules of a pipeline declaration that a picture can show being broken.

Diagrams draw a broken declaration anyway and mark the parts that break a rule (red, dashed,
with the rule written in a note), because seeing *where* a declaration is wrong is the point.
The rules are the simulator's own (the ones create_pipeline applies), so a picture and the
API never disagree about what is wrong.
"""

from __future__ import annotations

import re
from collections import defaultdict

from codepipeline_lab.diagrams.declaration import Pipeline
from codepipeline_lab.simulator import validation


class Problems:
    """Rule breaks found in a declaration, by the node id of the stage or action that breaks them."""

    def __init__(self) -> None:
        self.by_node: dict[str, list[str]] = defaultdict(list)
        self.general: list[str] = []

    def add(self, node_id: str | None, message: str) -> None:
        (self.by_node[node_id] if node_id else self.general).append(message)

    def messages(self) -> list[str]:
        return self.general + [m for node in self.by_node for m in self.by_node[node]]

    def __bool__(self) -> bool:
        return bool(self.general or self.by_node)


def find_problems(pipeline: Pipeline) -> Problems:
    """The structural rules the declaration breaks, as CodePipeline's validation finds them
    (codepipeline_lab.simulator.validation, the same rules create_pipeline applies), each
    attached to the stage or action it names. Field-format problems are left out of pictures."""
    context = validation.Context(region=pipeline.region or _any_store_region(pipeline))
    problems = Problems()
    for problem in validation.problems(pipeline.raw, context):
        if problem.code != validation.VALIDATION:
            problems.add(_node_of(pipeline, problem.path), problem.message)
    return problems


def _any_store_region(pipeline: Pipeline) -> str:
    regions = sorted(r for r in pipeline.artifact_stores if r)
    return regions[0] if regions else "us-east-1"


def _node_of(pipeline: Pipeline, path: str) -> str | None:
    """pipeline.stages[1].actions[0].inputArtifacts -> the node id of that action (or stage)."""
    match = _PLACE.match(path)
    if match is None:
        return None
    stage_index, action_index = int(match.group(1)), match.group(2)
    if stage_index >= len(pipeline.stages):
        return None
    stage = pipeline.stages[stage_index]
    if action_index is not None and int(action_index) < len(stage.actions):
        return stage.actions[int(action_index)].node_id
    return stage.node_id if path.endswith("]") or ".actions" in path or ".name" in path else None


_PLACE = re.compile(r"pipeline\.stages\[(\d+)\](?:\.actions\[(\d+)\])?")
