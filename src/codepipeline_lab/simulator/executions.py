"""The records of a pipeline run: an execution, its stage runs and its action runs.

Status values are AWS's own (facts §A6): they are what GetPipelineState, GetPipelineExecution
and ListActionExecutions return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# PipelineExecutionStatus
IN_PROGRESS, STOPPING, STOPPED, SUCCEEDED = "InProgress", "Stopping", "Stopped", "Succeeded"
SUPERSEDED, FAILED, CANCELLED = "Superseded", "Failed", "Cancelled"
# ActionExecutionStatus adds
ABANDONED = "Abandoned"
FINISHED = {STOPPED, SUCCEEDED, SUPERSEDED, FAILED, CANCELLED}


@dataclass
class ArtifactRef:
    name: str
    bucket: str
    key: str
    region: str

    def s3location(self) -> dict:
        return {"bucket": self.bucket, "key": self.key}


@dataclass
class ActionRun:
    action_execution_id: str
    stage_name: str
    declaration: dict
    region: str
    start: datetime
    last_update: datetime
    status: str = IN_PROGRESS
    resolved_configuration: dict = field(default_factory=dict)
    inputs: list[ArtifactRef] = field(default_factory=list)
    outputs: list[ArtifactRef] = field(default_factory=list)
    output_variables: dict = field(default_factory=dict)
    summary: str | None = None
    external_execution_id: str | None = None
    external_execution_url: str | None = None
    error: dict | None = None          # {"code": ..., "message": ...}
    token: str | None = None           # manual approval token while it waits
    last_updated_by: str | None = None  # the ARN of who answered it (a manual approval)
    job: object = None                 # the Job the provider works on
    pending: object = None             # the scheduler entry that will run the provider

    @property
    def name(self) -> str:
        return self.declaration["name"]


@dataclass
class StageRun:
    name: str
    status: str = IN_PROGRESS
    run_orders: list[int] = field(default_factory=list)   # the groups still to run, ascending
    actions: dict[str, ActionRun] = field(default_factory=dict)


@dataclass
class Execution:
    id: str
    pipeline_name: str
    pipeline_version: int
    declaration: dict
    execution_mode: str
    trigger: dict
    start: datetime
    last_update: datetime
    sequence: int                      # arrival order: a larger number is a newer execution
    status: str = IN_PROGRESS
    status_summary: str | None = None
    variables: list[dict] = field(default_factory=list)          # [{name, resolvedValue}]
    source_revisions: dict[str, dict] = field(default_factory=dict)  # source action -> revision
    artifact_revisions: list[dict] = field(default_factory=list)
    stages: dict[str, StageRun] = field(default_factory=dict)
    stage_index: int = 0               # the stage it is in, or waits in front of
    waiting: bool = False              # True while it waits in front of stages[stage_index]
    artifacts: dict[str, ArtifactRef] = field(default_factory=dict)
    namespaces: dict[str, dict] = field(default_factory=dict)
    region: str = ""                   # the pipeline's region
    stop_trigger: dict | None = None   # StopExecutionTrigger {reason} once StopPipelineExecution was called
    execution_type: str = "STANDARD"   # ExecutionType: STANDARD, or ROLLBACK (RollbackStage, automatic rollback)
    rollback_target: str | None = None  # rollbackMetadata.rollbackTargetPipelineExecutionId of a ROLLBACK execution
    stage_extras: dict = field(default_factory=dict)  # stage -> StageExtras (conditions, rule runs, retries)

    @property
    def stage_names(self) -> list[str]:
        return [s["name"] for s in self.declaration["stages"]]

    def stage_declaration(self, index: int) -> dict:
        return self.declaration["stages"][index]

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
