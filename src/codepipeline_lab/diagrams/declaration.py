"""Read a pipeline declaration (the dict `get_pipeline()["pipeline"]` returns) into what diagrams draw.

Reading is lenient on purpose: a broken declaration is still drawn, with its problems marked
(see problems.py). Only data that is not a declaration at all raises DiagramInputError.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codepipeline_lab.diagrams.errors import DiagramInputError
from codepipeline_lab.diagrams.node_ids import node_id


@dataclass
class Action:
    node_id: str
    stage_name: str
    name: str
    category: str | None
    provider: str | None
    owner: str | None
    run_order: int
    input_artifacts: list[str]
    output_artifacts: list[str]
    region: str | None
    configuration: dict


@dataclass
class Stage:
    node_id: str
    name: str
    actions: list[Action]

    def run_order_groups(self) -> list[list[Action]]:
        """Actions grouped by runOrder, lowest first: each group runs in parallel."""
        orders = sorted({action.run_order for action in self.actions})
        return [[a for a in self.actions if a.run_order == order] for order in orders]


@dataclass
class Pipeline:
    name: str
    stages: list[Stage]
    artifact_stores: dict[str, dict] = field(default_factory=dict)  # region (or "") -> ArtifactStore
    region: str | None = None          # known from metadata.pipelineArn when given
    raw: dict = field(default_factory=dict)

    def actions(self) -> list[Action]:
        return [action for stage in self.stages for action in stage.actions]


def read_pipeline(data) -> Pipeline:
    """Accept `get_pipeline()` itself or its `["pipeline"]` member."""
    if not isinstance(data, dict):
        raise DiagramInputError(f"expected a pipeline declaration (a dict), got {type(data).__name__}")
    region = _region_from_metadata(data.get("metadata"))
    declaration = data["pipeline"] if isinstance(data.get("pipeline"), dict) else data
    stages = declaration.get("stages")
    if not isinstance(stages, list):
        raise DiagramInputError(
            "a pipeline declaration needs a 'stages' list; got keys: " + ", ".join(sorted(map(str, declaration))))
    name = str(declaration.get("name") or "(unnamed pipeline)")
    used: set[str] = set()
    return Pipeline(
        name=name,
        stages=[_read_stage(stage, index, used) for index, stage in enumerate(stages)],
        artifact_stores=_read_artifact_stores(declaration),
        region=region,
        raw=declaration,
    )


def _read_stage(stage, index: int, used: set[str]) -> Stage:
    stage = stage if isinstance(stage, dict) else {}
    name = str(stage.get("name") or f"(stage {index + 1})")
    stage_id = _unique(node_id("stage", name), used)
    actions = stage.get("actions") if isinstance(stage.get("actions"), list) else []
    return Stage(stage_id, name, [_read_action(name, action, i, used) for i, action in enumerate(actions)])


def _read_action(stage_name: str, action, index: int, used: set[str]) -> Action:
    action = action if isinstance(action, dict) else {}
    name = str(action.get("name") or f"(action {index + 1})")
    type_id = action.get("actionTypeId") if isinstance(action.get("actionTypeId"), dict) else {}
    return Action(
        node_id=_unique(node_id(f"{stage_name}.{name}"), used),
        stage_name=stage_name,
        name=name,
        category=type_id.get("category"),
        provider=type_id.get("provider"),
        owner=type_id.get("owner"),
        run_order=_run_order(action.get("runOrder")),
        input_artifacts=_artifact_names(action.get("inputArtifacts")),
        output_artifacts=_artifact_names(action.get("outputArtifacts")),
        region=action.get("region"),
        configuration=action.get("configuration") if isinstance(action.get("configuration"), dict) else {},
    )


def _run_order(value) -> int:
    try:
        return int(value) if value is not None else 1
    except (TypeError, ValueError):
        return 1


def _artifact_names(items) -> list[str]:
    if not isinstance(items, list):
        return []
    return [str(item.get("name")) for item in items if isinstance(item, dict) and item.get("name")]


def _read_artifact_stores(declaration: dict) -> dict[str, dict]:
    stores = declaration.get("artifactStores")
    if isinstance(stores, dict):
        return {str(region): store for region, store in sorted(stores.items()) if isinstance(store, dict)}
    store = declaration.get("artifactStore")
    return {"": store} if isinstance(store, dict) else {}


def _region_from_metadata(metadata) -> str | None:
    arn = metadata.get("pipelineArn") if isinstance(metadata, dict) else None
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[3] if len(parts) > 3 and parts[3] else None


def _unique(node_id: str, used: set[str]) -> str:
    candidate, n = node_id, 2
    while candidate in used:
        candidate, n = f"{node_id}~{n}", n + 1
    used.add(candidate)
    return candidate
