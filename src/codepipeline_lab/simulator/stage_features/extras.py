"""What one execution keeps about one of its stages besides the StageRun: its condition runs,
every rule run, and its retries (RetryStageMetadata)."""

from __future__ import annotations

from dataclasses import dataclass, field

from codepipeline_lab.simulator.stage_features.records import ConditionRun, RuleRun


@dataclass
class StageExtras:
    conditions: dict[str, ConditionRun] = field(default_factory=dict)   # kind -> latest condition run
    rule_runs: list[RuleRun] = field(default_factory=list)               # every rule run, oldest first
    auto_retries: int = 0
    manual_retries: int = 0
    latest_retry_trigger: str | None = None
    passthrough: bool = False          # the next _stage_done call is ours: do not intercept it
    ended_by_condition: bool = False   # the stage failed because of a condition (onFailure does not apply)

    def retry_metadata(self) -> dict | None:
        if not self.latest_retry_trigger:
            return None
        metadata = {"latestRetryTrigger": self.latest_retry_trigger}
        if self.auto_retries:
            metadata["autoStageRetryAttempt"] = self.auto_retries
        if self.manual_retries:
            metadata["manualStageRetryAttempt"] = self.manual_retries
        return metadata


def extras_of(execution, stage: str) -> StageExtras:
    return execution.stage_extras.setdefault(stage, StageExtras())
