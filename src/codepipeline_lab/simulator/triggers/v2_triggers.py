"""Change detection for CodeStarSourceConnection sources: the default (every push to the
action's BranchName, unless ``DetectChanges`` is false) and V2 ``triggers`` with
``gitConfiguration`` push and pull-request filters (facts §A3, §M3).

A Git host's event reaches every pipeline whose connection source points at that repository
through an AVAILABLE connection of the host's provider type. A source action with a trigger
reacts only to what its filters let through; one without reacts to pushes to BranchName.
Executions started by the default detection record ``triggerType`` ``Webhook``, those started
by a filtered trigger ``WebhookV2``; ``triggerDetail`` is the connection's ARN.
"""

from __future__ import annotations

from typing import Iterator

from codepipeline_lab.simulator.shapes import Problem
from codepipeline_lab.simulator.triggers.glob_patterns import GlobError, compile_glob, matches
from codepipeline_lab.simulator.triggers.git_hosts import GitEvent

PROVIDER = "CodeStarSourceConnection"
PULL_REQUEST_EVENTS = ("OPEN", "UPDATED", "CLOSED")
MAX_FILES_CHECKED = 100          # AWS checks only the first 100 changed files
VALIDATION = "ValidationException"


# -- starting pipelines ----------------------------------------------------------------------------

def start_pipelines_for(account, event: GitEvent) -> None:
    for pipeline in list(account.pipelines.all()):
        declaration = pipeline.declaration
        triggers = {t.get("gitConfiguration", {}).get("sourceActionName"): t for t in declaration.get("triggers") or []}
        overrides, filtered, connection_arn = [], False, None
        for action in _connection_sources(declaration):
            config = action.get("configuration", {})
            connection = account.connections.connection_for(config.get("ConnectionArn"))
            if (connection is None or connection.status != "AVAILABLE" or connection.owner != account.account_id
                    or connection.provider_type != event.provider or config.get("FullRepositoryId") != event.repository):
                continue
            trigger = triggers.get(action["name"])
            if trigger is not None:
                fired = git_configuration_matches(trigger.get("gitConfiguration", {}), event)
                filtered = filtered or fired
            else:
                fired = (str(config.get("DetectChanges", "true")).lower() != "false" and event.kind == "push"
                         and event.tag is None and event.branch == config.get("BranchName"))
            if fired:
                branch = event.branch if event.tag is None else config.get("BranchName")
                overrides.append({"actionName": action["name"], "revisionType": "COMMIT_ID",
                                  "revisionValue": event.commit_id, "branch": branch})
                connection_arn = connection_arn or connection.arn
        if overrides:
            trigger = {"triggerType": "WebhookV2" if filtered else "Webhook", "triggerDetail": connection_arn}
            account.engine.start_execution(pipeline, trigger, source_revisions=overrides)


def _connection_sources(declaration: dict) -> list[dict]:
    stages = declaration.get("stages") or []
    return [a for a in (stages[0].get("actions", []) if stages else [])
            if a.get("actionTypeId", {}).get("provider") == PROVIDER and a.get("actionTypeId", {}).get("category") == "Source"]


# -- the filters -------------------------------------------------------------------------------------

def git_configuration_matches(git: dict, event: GitEvent) -> bool:
    """Whether an event passes one of the trigger's filters (filters of a kind are alternatives)."""
    if event.kind == "push":
        return any(_push_matches(f, event) for f in git.get("push") or [])
    return any(_pull_request_matches(f, event) for f in git.get("pullRequest") or [])


def criteria_match(criteria: dict | None, value: str | None) -> bool:
    """An includes/excludes block: the value matches an include (or there are none) and no
    exclude — excludes win, so a pattern in both lists excludes."""
    if criteria is None:
        return True
    if value is None:
        return False
    includes, excludes = criteria.get("includes") or [], criteria.get("excludes") or []
    if includes and not any(matches(p, value) for p in includes):
        return False
    return not any(matches(p, value) for p in excludes)


def files_match(criteria: dict | None, changed: tuple[str, ...]) -> bool:
    """A file-path block passes when at least one of the (first 100) changed files passes it."""
    if criteria is None:
        return True
    return any(criteria_match(criteria, path) for path in changed[:MAX_FILES_CHECKED])


def _push_matches(flt: dict, event: GitEvent) -> bool:
    if "tags" in flt:
        return event.tag is not None and criteria_match(flt["tags"], event.tag)
    if "branches" in flt:
        return (event.tag is None and criteria_match(flt["branches"], event.branch)
                and files_match(flt.get("filePaths"), event.changed_files))
    return False


def _pull_request_matches(flt: dict, event: GitEvent) -> bool:
    wanted = flt.get("events") or list(PULL_REQUEST_EVENTS)
    return (event.pull_request_event in wanted and criteria_match(flt.get("branches"), event.destination_branch)
            and files_match(flt.get("filePaths"), event.changed_files))


# -- validation (called from simulator/validation.py) --------------------------------------------------

def trigger_problems(pipeline: dict) -> Iterator[Problem]:
    """CodePipeline's rules for ``triggers`` beyond botocore's shapes (those check the counts:
    ≤50 triggers, 1–3 filters of each kind, 1–8 patterns of ≤255 characters, 1–3 events)."""
    triggers = pipeline.get("triggers")
    if not isinstance(triggers, list):
        return
    stages = [s for s in pipeline.get("stages") or [] if isinstance(s, dict)]
    actions = {a.get("name"): a for s in stages for a in s.get("actions") or [] if isinstance(a, dict)}
    seen: set = set()
    for index, trigger in enumerate(triggers):
        path = f"pipeline.triggers[{index}]"
        git = trigger.get("gitConfiguration") if isinstance(trigger, dict) else None
        if not isinstance(git, dict):
            continue
        name = git.get("sourceActionName")
        action = actions.get(name)
        kind = (action or {}).get("actionTypeId") or {}
        if action is None:
            yield Problem(f"{path}.gitConfiguration.sourceActionName", f"The trigger's source action {name} is not an action of pipeline {pipeline.get('name')}", VALIDATION)
        elif (kind.get("category"), kind.get("provider")) != ("Source", PROVIDER):
            yield Problem(f"{path}.gitConfiguration.sourceActionName", f"Triggers are only supported for {PROVIDER} source actions; action {name} is {kind.get('category')}/{kind.get('provider')}", VALIDATION)
        if name in seen:
            yield Problem(f"{path}.gitConfiguration.sourceActionName", f"Source action {name} has more than one trigger; a source action can have one trigger only", VALIDATION)
        seen.add(name)
        for f_index, flt in enumerate(git.get("push") or []):
            yield from _filter_problems(flt, f"{path}.gitConfiguration.push[{f_index}]", "push")
        for f_index, flt in enumerate(git.get("pullRequest") or []):
            yield from _filter_problems(flt, f"{path}.gitConfiguration.pullRequest[{f_index}]", "pullRequest")


def _filter_problems(flt, path: str, kind: str) -> Iterator[Problem]:
    if not isinstance(flt, dict):
        return
    present = {k for k in ("tags", "branches", "filePaths") if flt.get(k) is not None}
    allowed = ({"tags"}, {"branches"}, {"branches", "filePaths"}) if kind == "push" else ({"branches"}, {"branches", "filePaths"})
    if present not in allowed:
        combos = " or ".join("+".join(sorted(a)) for a in allowed)
        yield Problem(path, f"A {kind} filter must filter on {combos}; this one has {'+'.join(sorted(present)) or 'no criteria'}", VALIDATION)
    events = flt.get("events") or []
    if isinstance(events, list) and len(set(events)) != len(events):
        yield Problem(f"{path}.events", "A pull request filter lists an event more than once", VALIDATION)
    for key in sorted(present):
        block = flt[key]
        if not isinstance(block, dict):
            continue
        if not block.get("includes") and not block.get("excludes"):
            yield Problem(f"{path}.{key}", f"The {key} criteria need includes or excludes", VALIDATION)
        for side in ("includes", "excludes"):
            for p_index, pattern in enumerate(block.get(side) or []):
                try:
                    compile_glob(pattern) if isinstance(pattern, str) else None
                except GlobError as problem:
                    yield Problem(f"{path}.{key}.{side}[{p_index}]", str(problem), VALIDATION)
