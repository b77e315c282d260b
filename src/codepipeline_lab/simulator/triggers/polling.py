"""Polling (PollForSourceChanges): CodePipeline checks a source on a schedule and starts the
pipeline when the revision moved since its last check (facts §C, §M4).

Applies to CodeCommit, S3 and GitHub (version 1) source actions whose ``PollForSourceChanges``
is "true" or left out (the default).

Each CodeCommit or S3 check is an ordinary call made as the pipeline's service role —
CodeCommit GetBranch, S3 HeadObject — so it is authorized and appears in the audit trail, where
a learner can count what polling costs next to an event rule (which makes no calls until
something changes). A GitHub (version 1) check asks GitHub with the action's OAuth token, not
AWS: it reads the branch head on the Lab's GitHub host and leaves nothing in the audit trail.
A check's baseline is the revision seen at the previous check (or when the schedule started),
not the last execution: an event rule left on beside polling starts a second execution for
the same change, as in AWS.

Schedules are timers on the virtual clock (``work=False``): they fire when ``lab.advance()``
passes them (or when later work carries the clock past), never keep ``lab.run()`` busy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from botocore.exceptions import ClientError

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.actions import github_source
from codepipeline_lab.simulator.identity.sessions import AssumeRoleError

# AWS does not document the interval; about a minute is what is usually observed (our choice).
POLL_INTERVAL = timedelta(minutes=1)
CODEPIPELINE = "codepipeline.amazonaws.com"
POLLED_PROVIDERS = {("AWS", "CodeCommit"), ("AWS", "S3"), ("ThirdParty", "GitHub")}


def polls(action: dict) -> bool:
    """Whether a source action is checked by polling: PollForSourceChanges "true" or omitted."""
    kind = action.get("actionTypeId", {})
    if kind.get("category") != "Source" or (kind.get("owner"), kind.get("provider")) not in POLLED_PROVIDERS:
        return False
    flag = (action.get("configuration") or {}).get("PollForSourceChanges", "true")
    return str(flag).lower() != "false"


@dataclass
class Schedule:
    region: str
    pipeline: str
    version: int
    seen: dict = field(default_factory=dict)       # action name -> revision at the last check
    timer: object = None
    checks: int = 0


class Polling:
    """The polling schedules of an account's pipelines, kept in step with the declarations."""

    def __init__(self, account) -> None:
        self._account = account
        self.schedules: dict[tuple[str, str], Schedule] = {}

    # -- the pipeline's life cycle (operations.account_hooks) ------------------------------------
    def pipeline_created(self, pipeline) -> None:
        self._arm(pipeline)

    def pipeline_updated(self, pipeline) -> None:
        self._arm(pipeline)

    def pipeline_deleted(self, pipeline) -> None:
        self._disarm((pipeline.region, pipeline.name))

    # -- schedules -------------------------------------------------------------------------------
    def _arm(self, pipeline) -> None:
        key = (pipeline.region, pipeline.name)
        self._disarm(key)
        sources = _polled_sources(pipeline.declaration)
        if not sources:
            return          # polling off (or nothing that polls): no schedule
        schedule = Schedule(pipeline.region, pipeline.name, pipeline.version)
        schedule.seen = {action["name"]: self._current(pipeline.region, action) for action in sources}
        self.schedules[key] = schedule
        self._next(schedule)

    def _disarm(self, key) -> None:
        schedule = self.schedules.pop(key, None)
        if schedule is not None and schedule.timer is not None:
            schedule.timer.cancel()

    def _next(self, schedule: Schedule) -> None:
        scheduler = self._account.lab.scheduler
        schedule.timer = scheduler.after(POLL_INTERVAL, lambda: self._check(schedule), work=False)

    # -- one check ----------------------------------------------------------------------------------
    def _check(self, schedule: Schedule) -> None:
        if self.schedules.get((schedule.region, schedule.pipeline)) is not schedule:
            return          # deleted or re-armed meanwhile
        pipeline = self._account.pipelines.get(schedule.region, schedule.pipeline)
        schedule.checks += 1
        changed = []
        for action in _polled_sources(pipeline.declaration):
            revision = self._poll(pipeline, action)
            if revision is None:
                continue    # not readable now: no start, the baseline stays
            if revision != schedule.seen.get(action["name"]):
                changed.append(action["name"])
            schedule.seen[action["name"]] = revision
        if changed:
            self._account.engine.start_execution(
                pipeline, {"triggerType": "PollForSourceChanges", "triggerDetail": changed[0]})
        self._next(schedule)

    def _poll(self, pipeline, action: dict) -> str | None:
        """The source's revision, read by an ordinary call as the pipeline's role."""
        config = action.get("configuration") or {}
        if action["actionTypeId"]["owner"] == "ThirdParty":
            return github_source.head(self._account, config)       # GitHub, not AWS: no role, no call to count
        region = action.get("region") or pipeline.region
        try:
            session = self._account.sessions.for_service(pipeline.declaration["roleArn"], CODEPIPELINE, region)
        except AssumeRoleError:
            return None
        client = self._account.lab.client
        try:
            if action["actionTypeId"]["provider"] == "CodeCommit":
                answer = client("codecommit", region_name=region, credentials=session.credentials).get_branch(
                    repositoryName=config.get("RepositoryName", ""), branchName=config.get("BranchName", ""))
                return answer["branch"].get("commitId")
            head = client("s3", region_name=region, credentials=session.credentials).head_object(
                Bucket=config.get("S3Bucket", ""), Key=config.get("S3ObjectKey", ""))
            return head.get("VersionId") or head["ETag"].strip('"')
        except ClientError:
            return None

    def _current(self, region: str, action: dict) -> str | None:
        """The revision now, read from the simulator's state without a call (a schedule's start)."""
        config = action.get("configuration") or {}
        if action["actionTypeId"]["owner"] == "ThirdParty":
            return github_source.head(self._account, config)
        if action["actionTypeId"]["provider"] == "CodeCommit":
            repo = self._account.codecommit.repositories.get((action.get("region") or region, config.get("RepositoryName")))
            return repo.branches.get(config.get("BranchName")) if repo else None
        state = api.s3_object_state(config.get("S3Bucket", ""), config.get("S3ObjectKey", ""))
        return (state.version_id or state.etag) if state else None


def _polled_sources(declaration: dict) -> list[dict]:
    stages = declaration.get("stages") or []
    return [action for action in (stages[0].get("actions", []) if stages else []) if polls(action)]
