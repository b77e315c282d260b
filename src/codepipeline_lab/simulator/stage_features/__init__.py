"""V2 stage features (facts §K): entry, success and failure conditions, automatic retry and
automatic rollback. The engine calls two hooks: ``before_entry`` when an execution has entered a
stage, and ``stage_ending`` when a stage is about to end; each returns True when it has taken
the stage over (and will hand it back to the engine later)."""

from __future__ import annotations

from datetime import timedelta

from codepipeline_lab.simulator.executions import FAILED, IN_PROGRESS, SUCCEEDED
from codepipeline_lab.simulator.stage_features import rollback
from codepipeline_lab.simulator.stage_features.conditions import Conditions
from codepipeline_lab.simulator.stage_features.extras import extras_of
from codepipeline_lab.simulator.stage_features.records import OVERRIDDEN
from codepipeline_lab.simulator.stage_features.records import SUCCEEDED as CONDITION_SUCCEEDED

SKIPPED = "Skipped"
AUTOMATED_RETRY, MANUAL_RETRY = "AutomatedStageRetry", "ManualStageRetry"
AUTO_RETRY_DELAY = timedelta(seconds=1)     # between the failure and the automatic retry (our choice)


class StageFeatures:
    def __init__(self, engine) -> None:
        self.engine = engine
        self.conditions = Conditions(engine)

    # -- entry conditions --------------------------------------------------------------------
    def before_entry(self, execution, index: int) -> bool:
        declared = self._condition(execution, index, "beforeEntry")
        if declared is None:
            return False
        self.conditions.evaluate(execution, index, "beforeEntry", declared,
                                 lambda condition: self._entry_decided(execution, index, condition))
        return True

    def _entry_decided(self, execution, index: int, condition) -> None:
        if not self._still_in(execution, index):
            return
        stage = execution.stage_names[index]
        if condition.status in (CONDITION_SUCCEEDED, OVERRIDDEN):
            self.engine._next_group(execution, index)
        elif condition.result == "SKIP":
            self._skip(execution, index)
        else:
            execution.status_summary = f"Stage {stage} failed: its entry condition failed: {condition.summary}"
            self._end_stage(execution, index, FAILED, by_condition=True)

    def _skip(self, execution, index: int) -> None:
        """A skipped stage: status Skipped, its actions do not run, the execution goes on."""
        engine, stage = self.engine, execution.stage_names[index]
        runtime = engine._runtime_of(execution)
        execution.stages[stage].status = SKIPPED
        execution.stages[stage].run_orders = []
        engine._touch(execution)
        engine._release(runtime, execution, stage)
        if index + 1 == len(execution.stage_names):
            engine._finish_execution(execution, SUCCEEDED, "SUCCEEDED", None)
        else:
            engine._arrive(execution, index + 1)
        engine._admit_waiting(runtime, stage)

    # -- the end of a stage --------------------------------------------------------------------
    def stage_ending(self, execution, index: int, status: str) -> bool:
        stage = execution.stage_names[index]
        extras = extras_of(execution, stage)
        if extras.passthrough:
            extras.passthrough = False
            return False
        self.conditions.cancel_open(execution, stage)
        if execution.execution_type == rollback.ROLLBACK:
            return False
        if status == SUCCEEDED:
            declared = self._condition(execution, index, "onSuccess")
            if declared is None:
                return False
            self.conditions.evaluate(execution, index, "onSuccess", declared,
                                     lambda condition: self._success_decided(execution, index, condition))
            return True
        if status == FAILED and not extras.ended_by_condition:
            return self._on_failure(execution, index)
        return False

    def _success_decided(self, execution, index: int, condition) -> None:
        if not self._still_in(execution, index):
            return
        stage = execution.stage_names[index]
        if condition.status in (CONDITION_SUCCEEDED, OVERRIDDEN):
            self._end_stage(execution, index, SUCCEEDED)
            return
        execution.status_summary = f"Stage {stage} failed: its success condition failed: {condition.summary}"
        self._end_stage(execution, index, FAILED, by_condition=True)
        if condition.result == "ROLLBACK":
            self._roll_back(execution, stage)

    def _on_failure(self, execution, index: int) -> bool:
        stage_declaration = execution.stage_declaration(index)
        on_failure = stage_declaration.get("onFailure")
        if not on_failure:
            return False
        stage = stage_declaration["name"]
        extras = extras_of(execution, stage)
        result = on_failure.get("result")
        if result == "RETRY":
            if extras.auto_retries >= 1:      # one automatic attempt only (facts §K2)
                return False
            extras.auto_retries += 1
            extras.latest_retry_trigger = AUTOMATED_RETRY
            mode = (on_failure.get("retryConfiguration") or {}).get("retryMode", "FAILED_ACTIONS")
            execution.stages[stage].status = FAILED
            self.engine.events.stage(execution, stage, "FAILED")
            self.engine.scheduler.after(AUTO_RETRY_DELAY,
                                        lambda: self._auto_retry(execution, index, mode))
            return True
        if result != "ROLLBACK":
            return False
        declared = (on_failure.get("conditions") or [None])[0]
        if declared is None:
            self._end_stage(execution, index, FAILED)
            self._roll_back(execution, stage)
            return True
        self.conditions.evaluate(execution, index, "onFailure", declared,
                                 lambda condition: self._failure_decided(execution, index, condition))
        return True

    def _auto_retry(self, execution, index: int, mode: str) -> None:
        stage = execution.stage_names[index]
        run = execution.stages.get(stage)
        if execution.finished or run is None or run.status != FAILED:
            return
        self.engine.restart_stage(execution, index, mode, AUTOMATED_RETRY)

    def _failure_decided(self, execution, index: int, condition) -> None:
        if not self._still_in(execution, index):
            return
        self._end_stage(execution, index, FAILED)
        if condition.status not in (CONDITION_SUCCEEDED, OVERRIDDEN):
            self._roll_back(execution, execution.stage_names[index])

    def _roll_back(self, execution, stage: str) -> None:
        """Automatic rollback to the last execution that succeeded in the stage, if there is one."""
        engine = self.engine
        pipeline = engine.account.pipelines.find(execution.region, execution.pipeline_name)
        if pipeline is None or pipeline.version != execution.pipeline_version or pipeline.declaration.get("executionMode") == "PARALLEL":
            return
        target = rollback.last_success(engine.runtime(pipeline), stage, pipeline.version, execution.id)
        if target is None:
            return        # auto-rollback only after a success in that stage (facts §K4)
        trigger = {"triggerType": "AutomatedRollback", "triggerDetail": execution.id}
        rollback.start_rollback(engine, pipeline, stage, target, trigger)

    # -- retries -----------------------------------------------------------------------------
    def retried(self, execution, stage: str, trigger: str) -> None:
        extras = extras_of(execution, stage)
        if trigger == MANUAL_RETRY:
            extras.manual_retries += 1
        extras.latest_retry_trigger = trigger
        extras.ended_by_condition = False

    # -- helpers -----------------------------------------------------------------------------
    def _end_stage(self, execution, index: int, status: str, by_condition: bool = False) -> None:
        extras = extras_of(execution, execution.stage_names[index])
        extras.passthrough = True
        extras.ended_by_condition = by_condition
        self.engine._stage_done(execution, index, status)

    def _still_in(self, execution, index: int) -> bool:
        stage = execution.stage_names[index]
        run = execution.stages.get(stage)
        return not execution.finished and run is not None and run.status == IN_PROGRESS

    @staticmethod
    def _condition(execution, index: int, kind: str) -> dict | None:
        if execution.execution_type == rollback.ROLLBACK:
            return None
        conditions = (execution.stage_declaration(index).get(kind) or {}).get("conditions") or []
        return conditions[0] if conditions else None
