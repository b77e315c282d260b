"""Evaluating a stage condition: its rules run together; the condition fails as soon as one rule
fails (the others are abandoned) and succeeds when all have succeeded (facts §K2).
What the stage does with the outcome is decided by the caller (stage_features/__init__.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

from codepipeline_lab.simulator import variables
from codepipeline_lab.simulator.artifacts import ArtifactStoreError
from codepipeline_lab.simulator.identity.failures import PERMISSION_ERROR, as_denial, role_cannot_access
from codepipeline_lab.simulator.identity.sessions import AssumeRoleError
from codepipeline_lab.simulator.rules import RuleJob, rule_for
from codepipeline_lab.simulator.stage_features.extras import extras_of
from codepipeline_lab.simulator.stage_features.records import (
    ABANDONED, CANCELLED, FAILED, IN_PROGRESS, OVERRIDDEN, SUCCEEDED, ConditionRun, RuleRun,
)


class Conditions:
    def __init__(self, engine) -> None:
        self.engine = engine
        self.scheduler = engine.scheduler

    def evaluate(self, execution, index: int, kind: str, declared: dict, on_done: Callable[[ConditionRun], None]) -> ConditionRun:
        stage = execution.stage_names[index]
        extras = extras_of(execution, stage)
        now = self.scheduler.now
        condition = ConditionRun(kind, declared.get("result"), now, now, on_done=on_done)
        extras.conditions[kind] = condition
        for rule in declared.get("rules", []):
            run = RuleRun(self.engine.ids.uuid(), execution.id, execution.pipeline_version, stage, rule,
                          rule.get("region") or execution.region, now, now,
                          role_arn=rule.get("roleArn") or execution.declaration.get("roleArn"))
            condition.rules.append(run)
            extras.rule_runs.append(run)
        for run in list(condition.rules):
            self._start(execution, condition, run)
        return condition

    def _start(self, execution, condition: ConditionRun, run: RuleRun) -> None:
        job = RuleJob(self.engine, execution, run, lambda ended: self._rule_ended(execution, condition, ended))
        rule = run.declaration
        problem = None
        try:
            run.resolved_configuration = variables.resolve(rule.get("configuration", {}), execution)
        except variables.UnresolvedVariable as error:
            run.resolved_configuration = dict(rule.get("configuration", {}))
            problem = (str(error), "ConfigurationError")
        job.configuration = run.resolved_configuration
        provider = rule_for(rule["ruleTypeId"]["provider"])
        if provider is None and problem is None:
            problem = (f"The simulator cannot run {rule['ruleTypeId']['provider']} rules yet (see docs/simulation-notes.md)", "ConfigurationError")
        if rule.get("timeoutInMinutes") and problem is None:
            minutes = int(rule["timeoutInMinutes"])
            job.later(timedelta(minutes=minutes), lambda: job.fail(f"Rule {rule['name']} did not complete within {minutes} minutes", "JobFailed"),
                      work=False)
        if problem:
            job.later(timedelta(0), lambda: job.fail(*problem), work=True)
        else:
            job.later(provider.duration, lambda: self._run(provider, job), work=True)

    def _run(self, provider, job: RuleJob) -> None:
        try:
            job.session = self.engine.action_session(job.execution, job.rule, job.region)
            provider.run(job)
        except AssumeRoleError as problem:
            job.fail(str(problem), PERMISSION_ERROR)
        except ArtifactStoreError as problem:
            job.fail(str(problem), problem.code)
        except Exception as problem:  # a rule bug must not become a traceback for the learner
            denial = as_denial(problem)
            if denial is not None:
                job.fail(role_cannot_access(f"the resources of rule {job.rule['name']}", denial), PERMISSION_ERROR)
            else:
                job.fail(f"InternalError: {type(problem).__name__}: {problem}", "JobFailed")

    def _rule_ended(self, execution, condition: ConditionRun, job: RuleJob) -> None:
        if condition.status != IN_PROGRESS:
            return
        if execution.finished:
            self._close(condition, CANCELLED, "The execution ended before the condition was evaluated")
            return
        failed = [r for r in condition.rules if r.status == FAILED]
        if failed:
            self._close(condition, FAILED, f"Rule {failed[0].name} failed: {failed[0].summary}")
        elif all(r.status == SUCCEEDED for r in condition.rules):
            self._close(condition, SUCCEEDED, "All rules succeeded")
        else:
            return
        self.engine._touch(execution)
        condition.on_done(condition)

    def _close(self, condition: ConditionRun, status: str, summary: str) -> None:
        now = self.scheduler.now
        for run in condition.rules:
            if not run.ended:
                run.ended = True
                for entry in run.pending:
                    entry.cancel()
                run.pending.clear()
                run.status, run.last_update = ABANDONED, now
        condition.status, condition.summary, condition.last_change = status, summary, now

    def override(self, execution, condition: ConditionRun) -> None:
        self._close(condition, OVERRIDDEN, "The condition was overridden")
        self.engine._touch(execution)
        condition.on_done(condition)

    def cancel_open(self, execution, stage: str) -> None:
        """The stage ended (stopped, cancelled): conditions still being evaluated are cancelled."""
        for condition in extras_of(execution, stage).conditions.values():
            if condition.status == IN_PROGRESS:
                self._close(condition, CANCELLED, "The stage ended before the condition was evaluated")
