"""Pipeline declarations in the account: create, read, update, list, delete, and their tags."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from codepipeline_lab.simulator import errors, validation
from codepipeline_lab.simulator.arns import pipeline_arn
from codepipeline_lab.simulator.pagination import paginate


@dataclass
class Pipeline:
    arn: str
    region: str
    versions: list[dict]          # every declaration ever accepted; versions[-1] is current
    created: datetime
    updated: datetime
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.declaration["name"]

    @property
    def declaration(self) -> dict:
        return self.versions[-1]

    @property
    def version(self) -> int:
        return len(self.versions)

    def metadata(self) -> dict:
        return {"pipelineArn": self.arn, "created": self.created, "updated": self.updated}


def with_defaults(declaration: dict, version: int) -> dict:
    """The declaration as GetPipeline returns it: AWS fills in what was left out."""
    stored = copy.deepcopy(declaration)
    stored["version"] = version
    stored.setdefault("executionMode", "SUPERSEDED")
    stored.setdefault("pipelineType", "V1")
    for stage in stored["stages"]:
        for action in stage["actions"]:
            action.setdefault("runOrder", 1)
            action.setdefault("configuration", {})
            action.setdefault("outputArtifacts", [])
            action.setdefault("inputArtifacts", [])
    return stored


class PipelineStore:
    def __init__(self, account_id: str, clock, validation_context) -> None:
        self.account_id = account_id
        self._clock = clock
        self._context = validation_context          # region -> validation.Context
        self._pipelines: dict[tuple[str, str], Pipeline] = {}

    # -- lookups -----------------------------------------------------------------------
    def get(self, region: str, name) -> Pipeline:
        pipeline = self._pipelines.get((region, name))
        if pipeline is None:
            raise errors.PipelineNotFoundException(f"Account '{self.account_id}' does not have a pipeline with name '{name}'")
        return pipeline

    def find(self, region: str, name) -> Pipeline | None:
        return self._pipelines.get((region, name))

    def all(self) -> list[Pipeline]:
        return list(self._pipelines.values())

    def by_arn(self, arn) -> Pipeline:
        for pipeline in self._pipelines.values():
            if pipeline.arn == arn:
                return pipeline
        raise errors.ResourceNotFoundException(f"The resource with the ARN {arn} does not exist")

    # -- operations --------------------------------------------------------------------
    def validate(self, region: str, declaration) -> dict:
        found = validation.problems(declaration, self._context(region))
        if found:
            first = found[0]
            extra = f" ({len(found) - 1} more problem(s); `codepipeline-lab validate` lists them all)" if len(found) > 1 else ""
            raise errors.BY_CODE[first.code](first.message + extra)
        return declaration

    def create(self, region: str, declaration, tags) -> Pipeline:
        self.validate(region, declaration)
        name = declaration["name"]
        if (region, name) in self._pipelines:
            raise errors.PipelineNameInUseException(f"A pipeline with the name '{name}' already exists in account '{self.account_id}'")
        now = self._clock()
        pipeline = Pipeline(pipeline_arn(region, self.account_id, name), region, [with_defaults(declaration, 1)], now, now)
        pipeline.tags = _tags_to_dict(tags)
        self._pipelines[(region, name)] = pipeline
        return pipeline

    def update(self, region: str, declaration) -> Pipeline:
        if not isinstance(declaration, dict):
            raise errors.ValidationException("'pipeline' must be an object")
        pipeline = self.get(region, declaration.get("name"))
        self.validate(region, declaration)
        pipeline.versions.append(with_defaults(declaration, pipeline.version + 1))
        pipeline.updated = self._clock()
        return pipeline

    def declaration(self, region: str, name, version=None) -> dict:
        pipeline = self.get(region, name)
        if version is None:
            return pipeline.declaration
        if not isinstance(version, int) or not 1 <= version <= pipeline.version:
            raise errors.PipelineVersionNotFoundException(f"Pipeline '{name}' has no version {version}; its versions are 1 to {pipeline.version}")
        return pipeline.versions[version - 1]

    def delete(self, region: str, name) -> Pipeline | None:
        return self._pipelines.pop((region, name), None)

    def summaries(self, region: str, next_token=None, max_results=None) -> dict:
        pipelines = sorted((p for (r, _), p in self._pipelines.items() if r == region), key=lambda p: p.name)
        items = [{"name": p.name, "version": p.version, "pipelineType": p.declaration["pipelineType"],
                  "executionMode": p.declaration["executionMode"], "created": p.created, "updated": p.updated}
                 for p in pipelines]
        page, token = paginate(items, next_token, max_results, default=100)
        return {"pipelines": page, **({"nextToken": token} if token else {})}


def _tags_to_dict(tags) -> dict[str, str]:
    return {t["key"]: t["value"] for t in tags or [] if isinstance(t, dict) and "key" in t}
