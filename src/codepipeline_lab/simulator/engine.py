"""The execution engine: how executions move through stages (facts §A6, "how it works").

An execution enters stage after stage. Inside a stage, actions run in runOrder groups (equal
runOrder in parallel). In SUPERSEDED and QUEUED mode a stage holds one execution at a time;
others wait in front of it — in SUPERSEDED mode at most one, a newer arrival superseding the
older — and in PARALLEL mode executions never wait for each other. Every state change is
also published as an EventBridge event (facts §B).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from codepipeline_lab.simulator import errors, variables
from codepipeline_lab.simulator.actions import Job
from codepipeline_lab.simulator.actions.base import provider_for
from codepipeline_lab.simulator.artifacts import ArtifactStore, ArtifactStoreError
from codepipeline_lab.simulator.executions import (
    ABANDONED, CANCELLED, FAILED, IN_PROGRESS, STOPPED, STOPPING, SUCCEEDED, SUPERSEDED,
    ActionRun, Execution, StageRun,
)
from codepipeline_lab.simulator.identity.failures import PERMISSION_ERROR, as_denial
from codepipeline_lab.simulator.identity.sessions import AssumeRoleError
from codepipeline_lab.simulator.pipeline_events import PipelineEvents
from codepipeline_lab.simulator.stage_features import MANUAL_RETRY, StageFeatures

CODEPIPELINE = "codepipeline.amazonaws.com"


@dataclass
class Transition:
    enabled: bool = True
    last_changed_by: str | None = None
    last_changed_at: object = None
    disabled_reason: str | None = None


@dataclass
class PipelineRuntime:
    """Everything the engine keeps about one pipeline besides its declaration."""
    executions: dict[str, Execution] = field(default_factory=dict)      # in start order
    locks: dict[str, str] = field(default_factory=dict)                  # stage -> execution id inside
    waiting: dict[str, list[Execution]] = field(default_factory=dict)    # stage -> executions in front
    inbound: dict[str, Transition] = field(default_factory=dict)
    outbound: dict[str, Transition] = field(default_factory=dict)
    latest_in_stage: dict[str, Execution] = field(default_factory=dict)
    latest_action: dict[tuple[str, str], ActionRun] = field(default_factory=dict)
    action_runs: list[tuple[Execution, ActionRun]] = field(default_factory=list)
    request_tokens: dict[str, str] = field(default_factory=dict)          # clientRequestToken -> execution id


class Engine:
    def __init__(self, account) -> None:
        self.account = account
        self.lab = account.lab
        self.scheduler = account.lab.scheduler
        self.ids = account.lab.ids
        self.artifacts = ArtifactStore(account.lab, account.lab.ids)
        self.events = PipelineEvents(account)
        self.runtimes: dict[tuple[str, str], PipelineRuntime] = {}
        self._sequence = 0
        self.stage_features = StageFeatures(self)      # conditions, automatic retry and rollback (V2)

    # -- pipeline life cycle (called by the declaration operations) -------------------------
    def runtime(self, pipeline) -> PipelineRuntime:
        return self.runtimes.setdefault((pipeline.region, pipeline.name), PipelineRuntime())

    def pipeline_created(self, pipeline) -> None:
        self.start_execution(pipeline, {"triggerType": "CreatePipeline", "triggerDetail": self._caller()})

    def pipeline_updated(self, pipeline) -> None:
        """UpdatePipeline cancels what is in flight; it must be started again (facts §A6)."""
        runtime = self.runtime(pipeline)
        for execution in list(runtime.executions.values()):
            if not execution.finished:
                self._cancel(pipeline, execution)
        runtime.locks.clear()
        runtime.waiting.clear()

    def pipeline_deleted(self, pipeline) -> None:
        runtime = self.runtimes.pop((pipeline.region, pipeline.name), None)
        for _, run in (runtime.action_runs if runtime else []):
            if run.pending is not None:
                run.pending.cancel()

    def _caller(self) -> str:
        return f"arn:aws:iam::{self.account.account_id}:root"

    # -- starting ------------------------------------------------------------------------------
    def start_execution(self, pipeline, trigger: dict, overrides: list | None = None,
                        source_revisions: list | None = None) -> Execution:
        declaration = pipeline.declaration
        self._sequence += 1
        now = self.scheduler.now
        execution = Execution(
            id=self.ids.uuid(), pipeline_name=pipeline.name, pipeline_version=pipeline.version,
            declaration=declaration, execution_mode=declaration.get("executionMode", "SUPERSEDED"),
            trigger=trigger, start=now, last_update=now, sequence=self._sequence,
            variables=resolve_pipeline_variables(declaration, overrides or [], trigger["triggerType"] == "StartPipelineExecution"),
            region=pipeline.region,
        )
        self._read_source_revisions(execution, source_revisions or [])
        self.runtime(pipeline).executions[execution.id] = execution
        self.events.pipeline(execution, "STARTED")
        self._arrive(execution, 0)
        return execution

    def _read_source_revisions(self, execution: Execution, overrides: list) -> None:
        """Sources are read when the execution starts: it builds the revision current then."""
        chosen = {o["actionName"]: o for o in overrides}
        for action in execution.stage_declaration(0)["actions"]:
            provider = provider_for(*_type_key(action))
            if provider is None:
                continue
            revision = provider.source_revision(SourceContext(self, execution, action, chosen.get(action["name"])))
            if revision is not None:
                execution.source_revisions[action["name"]] = revision

    # -- moving between stages -------------------------------------------------------------
    def _arrive(self, execution: Execution, index: int) -> None:
        runtime = self._runtime_of(execution)
        stage = execution.stage_names[index]
        execution.stage_index = index
        locked = execution.execution_mode != "PARALLEL" and stage in runtime.locks
        if locked or not self._gate_open(runtime, execution, index):
            self._wait(runtime, execution, stage)
        else:
            self._enter(runtime, execution, index)

    def _gate_open(self, runtime: PipelineRuntime, execution: Execution, index: int) -> bool:
        stage = execution.stage_names[index]
        inbound = runtime.inbound.get(stage, Transition()).enabled
        previous = execution.stage_names[index - 1] if index > 0 else None
        outbound = previous is None or runtime.outbound.get(previous, Transition()).enabled
        return inbound and outbound

    def _wait(self, runtime: PipelineRuntime, execution: Execution, stage: str) -> None:
        execution.waiting = True
        queue = runtime.waiting.setdefault(stage, [])
        queue.append(execution)
        if execution.execution_mode == "SUPERSEDED" and len(queue) > 1:
            queue.sort(key=lambda e: e.sequence)
            for older in queue[:-1]:
                self._supersede(older)
            del queue[:-1]

    def _supersede(self, execution: Execution) -> None:
        execution.waiting = False
        self._finish_execution(execution, SUPERSEDED, "SUPERSEDED",
                               "A newer execution moved ahead while this one waited between stages")

    def _enter(self, runtime: PipelineRuntime, execution: Execution, index: int) -> None:
        stage = execution.stage_declaration(index)
        execution.waiting = False
        if execution.execution_mode != "PARALLEL":
            runtime.locks[stage["name"]] = execution.id
        runtime.latest_in_stage[stage["name"]] = execution
        orders = sorted({a.get("runOrder", 1) for a in stage["actions"]})
        execution.stages[stage["name"]] = StageRun(stage["name"], IN_PROGRESS, orders)
        self._touch(execution)
        self.events.stage(execution, stage["name"], "STARTED")
        if not self.stage_features.before_entry(execution, index):
            self._next_group(execution, index)

    def _admit_waiting(self, runtime: PipelineRuntime, stage: str) -> None:
        """A stage came free or its transition opened: let the executions in front of it in."""
        queue = runtime.waiting.get(stage, [])
        while queue:
            execution = queue[0]
            index = execution.stage_index
            if execution.finished:
                queue.pop(0)
                continue
            locked = execution.execution_mode != "PARALLEL" and stage in runtime.locks
            if locked or not self._gate_open(runtime, execution, index):
                return
            queue.pop(0)
            self._enter(runtime, execution, index)

    # -- inside a stage ----------------------------------------------------------------------
    def _next_group(self, execution: Execution, index: int) -> None:
        stage = execution.stage_declaration(index)
        stage_run = execution.stages[stage["name"]]
        if execution.status == STOPPING:
            self._stage_done(execution, index, STOPPED)
            return
        if not stage_run.run_orders:
            self._stage_done(execution, index, SUCCEEDED)
            return
        order = stage_run.run_orders.pop(0)
        for action in stage["actions"]:
            if action.get("runOrder", 1) == order:
                self._start_action(execution, index, action)

    def _start_action(self, execution: Execution, index: int, action: dict) -> None:
        runtime = self._runtime_of(execution)
        stage_name = execution.stage_names[index]
        now = self.scheduler.now
        run = ActionRun(self.ids.uuid(), stage_name, action, action.get("region") or execution.region, now, now)
        execution.stages[stage_name].actions[action["name"]] = run
        runtime.latest_action[(stage_name, action["name"])] = run
        runtime.action_runs.append((execution, run))
        try:
            copies = [a for a in action.get("inputArtifacts", []) if a["name"] in execution.artifacts]
            credentials = self.pipeline_session(execution).credentials if any(
                execution.artifacts[a["name"]].region != run.region for a in copies) else None
            run.inputs = [self.artifacts.copy_to_region(execution.declaration, execution.artifacts[a["name"]], run.region, credentials)
                          for a in copies]
            problem = None
        except ArtifactStoreError as error:
            problem = (str(error), error.code)
        except AssumeRoleError as error:
            problem = (str(error), PERMISSION_ERROR)
        self.events.action(execution, run, "STARTED")
        try:
            run.resolved_configuration = variables.resolve(action.get("configuration", {}), execution)
        except variables.UnresolvedVariable as error:
            run.resolved_configuration = dict(action.get("configuration", {}))
            problem = problem or (str(error), "ConfigurationError")
        provider = provider_for(*_type_key(action))
        job = self._job(execution, run)
        if provider is None:
            problem = problem or (f"The simulator cannot run {'/'.join(_type_key(action))} actions yet (see docs/simulation-notes.md)", "ConfigurationError")
        # Even a failure at the start is reported through the scheduler, so that every action of
        # a runOrder group has started before any of them can end the stage.
        work = (lambda: job.fail(*problem)) if problem else (lambda: self._run_provider(provider, job))
        run.pending = self.scheduler.after(timedelta(0) if problem else provider.duration, work)

    def _job(self, execution: Execution, run: ActionRun) -> Job:
        if run.job is None:
            run.job = Job(self, execution, run, run.resolved_configuration, self._action_ended)
        return run.job

    def _run_provider(self, provider, job: Job) -> None:
        job.run_record.pending = None
        if job.ended:
            return
        try:
            job.session = self.action_session(job.execution, job.action, job.region)
            provider.run(job)
        except AssumeRoleError as problem:
            job.fail(str(problem), PERMISSION_ERROR)
        except ArtifactStoreError as problem:
            job.fail(str(problem), problem.code)
        except Exception as problem:  # a provider bug must not become a traceback for the learner
            denial = as_denial(problem)
            if denial is not None:
                job.fail(provider.denied_message(job, denial), PERMISSION_ERROR)
            else:
                job.fail(f"InternalError: {type(problem).__name__}: {problem}", "JobFailed")

    # -- the roles actions act as --------------------------------------------------------------
    def pipeline_session(self, execution: Execution):
        """CodePipeline's session of the pipeline's service role (it must trust codepipeline)."""
        return self.account.sessions.for_service(execution.declaration["roleArn"], CODEPIPELINE, execution.region)

    def action_session(self, execution: Execution, action: dict, region: str):
        """The action's roleArn, assumed by the pipeline's role; else the pipeline's role."""
        pipeline = self.pipeline_session(execution)
        if not action.get("roleArn"):
            return pipeline
        return self.account.sessions.assume(pipeline, action["roleArn"], region)

    def _action_ended(self, job: Job) -> None:
        execution, run = job.execution, job.run_record
        run.last_update = self.scheduler.now
        self._touch(execution)
        if run.status == SUCCEEDED:
            for ref in run.outputs:
                execution.artifacts[ref.name] = ref
            namespace = run.declaration.get("namespace")
            if namespace:
                execution.namespaces[namespace] = dict(run.output_variables)
            self._record_source_revision(execution, run)
        self.events.action(execution, run, {SUCCEEDED: "SUCCEEDED", FAILED: "FAILED", ABANDONED: "ABANDONED"}[run.status])
        if execution.finished or run.stage_name not in execution.stages:
            return
        self._group_check(execution, execution.stage_names.index(run.stage_name))

    def _record_source_revision(self, execution: Execution, run: ActionRun) -> None:
        revision = execution.source_revisions.get(run.name)
        if revision is None or not run.outputs:
            return
        execution.artifact_revisions.append({"name": run.outputs[0].name, **revision})

    def _group_check(self, execution: Execution, index: int) -> None:
        stage_run = execution.stages[execution.stage_names[index]]
        statuses = [a.status for a in stage_run.actions.values()]
        if IN_PROGRESS in statuses or stage_run.status != IN_PROGRESS:
            return
        if FAILED in statuses:
            self._stage_done(execution, index, FAILED)
        elif ABANDONED in statuses or execution.status == STOPPING:
            self._stage_done(execution, index, STOPPED)
        else:
            self._next_group(execution, index)

    def _stage_done(self, execution: Execution, index: int, status: str) -> None:
        if self.stage_features.stage_ending(execution, index, status):
            return
        runtime = self._runtime_of(execution)
        stage = execution.stage_names[index]
        execution.stages[stage].status = status
        self._touch(execution)
        self.events.stage(execution, stage, {SUCCEEDED: "SUCCEEDED", FAILED: "FAILED", STOPPED: "STOPPED"}[status])
        self._release(runtime, execution, stage)
        if status == FAILED:
            failed = [a for a in execution.stages[stage].actions.values() if a.status == FAILED]
            summary = f"Stage {stage} failed: action {failed[0].name}: {failed[0].error['message']}" if failed else None
            self._finish_execution(execution, FAILED, "FAILED", summary)
        elif status == STOPPED:
            self._finish_execution(execution, STOPPED, "STOPPED", execution.status_summary)
        elif index + 1 == len(execution.stage_names):
            self._finish_execution(execution, SUCCEEDED, "SUCCEEDED", None)
        else:
            self._arrive(execution, index + 1)
        self._admit_waiting(runtime, stage)

    def _release(self, runtime: PipelineRuntime, execution: Execution, stage: str) -> None:
        if runtime.locks.get(stage) == execution.id:
            del runtime.locks[stage]

    def _finish_execution(self, execution: Execution, status: str, state: str, summary: str | None) -> None:
        execution.status = status
        if summary:
            execution.status_summary = summary
        self._touch(execution)
        self.events.pipeline(execution, state)

    def _cancel(self, pipeline, execution: Execution) -> None:
        for stage_run in execution.stages.values():
            for run in stage_run.actions.values():
                if run.status == IN_PROGRESS:
                    self._abandon(execution, run, event_state="CANCELED")
            if stage_run.status == IN_PROGRESS:
                stage_run.status = CANCELLED
                self.events.stage(execution, stage_run.name, "CANCELED")
        execution.waiting = False
        self._finish_execution(execution, CANCELLED, "CANCELED", "The pipeline was updated while this execution was in progress")

    def _abandon(self, execution: Execution, run: ActionRun, event_state: str = "ABANDONED") -> None:
        if run.pending is not None:
            run.pending.cancel()
            run.pending = None
        job = self._job(execution, run)
        job.ended = True
        run.status = ABANDONED
        run.last_update = self.scheduler.now
        run.token = None
        self.events.action(execution, run, event_state)

    def _touch(self, execution: Execution) -> None:
        execution.last_update = self.scheduler.now

    def _runtime_of(self, execution: Execution) -> PipelineRuntime:
        return self.runtimes[(execution.region, execution.pipeline_name)]

    # -- control: stop, retry, transitions -----------------------------------------------------
    def stop(self, pipeline, execution: Execution, abandon: bool, reason: str | None) -> None:
        if execution.finished:
            raise errors.PipelineExecutionNotStoppableException(
                f"Execution {execution.id} of pipeline {pipeline.name} is {execution.status} and cannot be stopped")
        if execution.status == STOPPING and not abandon:
            raise errors.DuplicatedStopRequestException(
                f"Execution {execution.id} is already stopping; only a stop with abandon=true can be requested now")
        execution.status_summary = reason
        execution.stop_trigger = {"reason": reason} if reason else {}
        runtime = self.runtime(pipeline)
        if execution.waiting:
            queue = runtime.waiting.get(execution.stage_names[execution.stage_index], [])
            if execution in queue:
                queue.remove(execution)
            execution.waiting = False
            self._finish_execution(execution, STOPPED, "STOPPED", reason)
            return
        if execution.status != STOPPING:
            execution.status = STOPPING
            self.events.pipeline(execution, "STOPPING")
        stage = execution.stage_names[execution.stage_index]
        stage_run = execution.stages[stage]
        if abandon:
            for run in stage_run.actions.values():
                if run.status == IN_PROGRESS:
                    self._abandon(execution, run)
        self._group_check(execution, execution.stage_index)

    def retry(self, pipeline, execution: Execution, stage: str, mode: str) -> None:
        runtime = self.runtime(pipeline)
        stage_run = execution.stages.get(stage)
        if stage_run is None or stage_run.status not in (FAILED, STOPPED) or execution.status not in (FAILED, STOPPED):
            state = stage_run.status if stage_run else "not run"
            raise errors.StageNotRetryableException(
                f"Stage {stage} of execution {execution.id} is {state}; only a failed or stopped stage of a failed or stopped execution can be retried")
        if execution.pipeline_version != pipeline.version:
            raise errors.StageNotRetryableException(
                f"Pipeline {pipeline.name} changed (version {execution.pipeline_version} -> {pipeline.version}) since execution {execution.id} started; start a new execution")
        if runtime.latest_in_stage.get(stage) is not execution:
            raise errors.NotLatestPipelineExecutionException(
                f"Execution {execution.id} is not the latest execution of stage {stage}; a newer execution has run in it")
        holder = runtime.locks.get(stage)
        if holder is not None and holder != execution.id:
            raise errors.ConflictException(f"Stage {stage} is in progress for execution {holder}; retry when it is free")
        self.restart_stage(execution, execution.stage_names.index(stage), mode, MANUAL_RETRY)

    def restart_stage(self, execution: Execution, index: int, mode: str, trigger: str) -> None:
        """Run a failed or stopped stage again (a manual retry, or the automatic retry of onFailure)."""
        runtime = self._runtime_of(execution)
        stage = execution.stage_names[index]
        stage_run = execution.stages[stage]
        declared = execution.stage_declaration(index)["actions"]
        if mode == "FAILED_ACTIONS" and not any(r.status in (FAILED, ABANDONED) for r in stage_run.actions.values()):
            mode = "ALL_ACTIONS"       # failed by a condition: nothing failed to re-run, so run it all
        self.stage_features.retried(execution, stage, trigger)
        resumed = execution.status != IN_PROGRESS
        if mode == "ALL_ACTIONS":
            to_run = sorted({a.get("runOrder", 1) for a in declared})
            stage_run.actions.clear()
        else:
            failed = {n for n, r in stage_run.actions.items() if r.status in (FAILED, ABANDONED)}
            first = min(a.get("runOrder", 1) for a in declared if a["name"] in failed)
            to_run = sorted({a.get("runOrder", 1) for a in declared if a.get("runOrder", 1) > first})
            for name in failed:
                del stage_run.actions[name]
        execution.status, execution.status_summary, execution.stop_trigger = IN_PROGRESS, None, None
        stage_run.status = IN_PROGRESS
        if execution.execution_mode != "PARALLEL":
            runtime.locks[stage] = execution.id
        self._touch(execution)
        if resumed:
            self.events.pipeline(execution, "RESUMED")
        self.events.stage(execution, stage, "RESUMED")
        stage_run.run_orders = to_run
        if mode == "ALL_ACTIONS":
            self._next_group(execution, index)
        else:
            for action in declared:
                if action["name"] in failed:
                    self._start_action(execution, index, action)

    def set_transition(self, pipeline, stage: str, direction: str, enabled: bool, reason: str | None,
                       changed_by: str | None = None) -> None:
        runtime = self.runtime(pipeline)
        table = runtime.inbound if direction == "Inbound" else runtime.outbound
        table[stage] = Transition(enabled, changed_by or self._caller(), self.scheduler.now, None if enabled else reason)
        if enabled:
            names = [s["name"] for s in pipeline.declaration["stages"]]
            target = stage if direction == "Inbound" else (names[names.index(stage) + 1] if names.index(stage) + 1 < len(names) else None)
            if target:
                self._admit_waiting(runtime, target)


@dataclass
class SourceContext:
    """What a source provider needs to read the revision an execution starts from."""
    engine: Engine
    execution: Execution
    action: dict
    override: dict | None

    @property
    def lab(self):
        return self.engine.lab

    @property
    def region(self) -> str:
        return self.execution.region


def _type_key(action: dict) -> tuple[str, str, str]:
    t = action["actionTypeId"]
    return (t["owner"], t["category"], t["provider"])


def resolve_pipeline_variables(declaration: dict, overrides: list, manual: bool = True) -> list[dict]:
    """The execution's variables. A manual start must give a value to every variable without a
    default; an automatic start (CreatePipeline, an event) leaves such a variable out, and an
    action that references it fails with ConfigurationError (our choice, simulation-notes)."""
    declared = {v["name"]: v for v in declaration.get("variables", [])}
    given = {}
    for item in overrides:
        if item.get("name") not in declared:
            raise errors.ValidationException(f"Variable '{item.get('name')}' is not declared by pipeline {declaration['name']}; declared: {', '.join(declared) or 'none'}")
        if not item.get("value"):
            raise errors.ValidationException(f"Variable '{item['name']}' needs a non-empty value")
        given[item["name"]] = item["value"]
    resolved = []
    for name, variable in declared.items():
        value = given.get(name, variable.get("defaultValue"))
        if value is None and not manual:
            continue
        if value is None:
            raise errors.ValidationException(f"Variable '{name}' of pipeline {declaration['name']} has no default value; pass it in variables")
        resolved.append({"name": name, "resolvedValue": value})
    return resolved
