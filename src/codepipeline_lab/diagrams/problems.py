"""The structural rules of a pipeline declaration that a picture can show being broken.

Diagrams draw a broken declaration anyway and mark the parts that break a rule (red, dashed,
with the rule written in a note), because seeing *where* a declaration is wrong is the point.
This is a drawing aid, not the service's validation: create_pipeline gives AWS's errors.
"""

from __future__ import annotations

from collections import defaultdict

from codepipeline_lab.diagrams.declaration import Pipeline
from codepipeline_lab.diagrams.style import CATEGORY_COLOURS


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
    problems = Problems()
    if len(pipeline.stages) < 2:
        problems.add(None, f"a pipeline needs at least 2 stages; it has {len(pipeline.stages)}")
    _check_stages(pipeline, problems)
    _check_actions(pipeline, problems)
    _check_artifacts(pipeline, problems)
    return problems


def _check_stages(pipeline: Pipeline, problems: Problems) -> None:
    seen: set[str] = set()
    for stage in pipeline.stages:
        if stage.name in seen:
            problems.add(stage.node_id, f"stage name {stage.name!r} is used twice")
        seen.add(stage.name)
        if not stage.actions:
            problems.add(stage.node_id, f"stage {stage.name!r} has no actions")


def _check_actions(pipeline: Pipeline, problems: Problems) -> None:
    regions = set(pipeline.artifact_stores) - {""}
    for index, stage in enumerate(pipeline.stages):
        names: set[str] = set()
        for action in stage.actions:
            where = f"{stage.name}.{action.name}"
            if action.name in names:
                problems.add(action.node_id, f"action name {action.name!r} is used twice in stage {stage.name!r}")
            names.add(action.name)
            if action.category not in CATEGORY_COLOURS:
                problems.add(action.node_id, f"{where}: unknown action category {action.category!r}")
            elif index == 0 and action.category != "Source":
                problems.add(action.node_id, f"{where}: the first stage may hold only Source actions")
            elif index > 0 and action.category == "Source":
                problems.add(action.node_id, f"{where}: Source actions belong in the first stage only")
            if action.region and regions and action.region not in regions:
                problems.add(action.node_id, f"{where}: region {action.region} has no entry in artifactStores")


def _check_artifacts(pipeline: Pipeline, problems: Problems) -> None:
    produced: set[str] = set()
    for stage in pipeline.stages:
        for group in stage.run_order_groups():
            for action in group:
                for name in action.input_artifacts:
                    if name not in produced:
                        problems.add(action.node_id, f"{stage.name}.{action.name}: input artifact {name!r} "
                                                     "is not the output of an earlier action")
            for action in group:
                for name in action.output_artifacts:
                    if name in produced:
                        problems.add(action.node_id, f"output artifact name {name!r} is used more than once")
                    produced.add(name)
