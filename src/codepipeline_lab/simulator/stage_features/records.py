"""The records of stage conditions: a condition run and the rule runs it is made of.

Status values are AWS's (botocore model): ConditionExecutionStatus for a condition, and
RuleExecutionStatus for a rule. They are what GetPipelineState and ListRuleExecutions show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# ConditionExecutionStatus
IN_PROGRESS, FAILED, ERRORED, SUCCEEDED = "InProgress", "Failed", "Errored", "Succeeded"
CANCELLED, ABANDONED, OVERRIDDEN = "Cancelled", "Abandoned", "Overridden"

# The three kinds of condition of a stage: declaration key -> GetPipelineState key
KINDS = {"beforeEntry": "beforeEntryConditionState", "onSuccess": "onSuccessConditionState",
         "onFailure": "onFailureConditionState"}
# OverrideStageCondition's conditionType -> declaration key
CONDITION_TYPES = {"BEFORE_ENTRY": "beforeEntry", "ON_SUCCESS": "onSuccess"}


@dataclass
class RuleRun:
    rule_execution_id: str
    pipeline_execution_id: str
    pipeline_version: int
    stage_name: str
    declaration: dict
    region: str
    start: datetime
    last_update: datetime
    status: str = IN_PROGRESS
    resolved_configuration: dict = field(default_factory=dict)
    summary: str | None = None
    error: dict | None = None             # {"code", "message"}
    external_execution_id: str | None = None
    external_execution_url: str | None = None
    role_arn: str | None = None
    pending: list = field(default_factory=list)   # scheduler entries to cancel when it ends
    ended: bool = False

    @property
    def name(self) -> str:
        return self.declaration["name"]


@dataclass
class ConditionRun:
    kind: str                              # beforeEntry | onSuccess | onFailure
    result: str | None                     # the result that engages when the condition fails
    start: datetime
    last_change: datetime
    status: str = IN_PROGRESS
    summary: str | None = None
    rules: list[RuleRun] = field(default_factory=list)
    on_done: object = None                 # callback(condition) once it has a final status
