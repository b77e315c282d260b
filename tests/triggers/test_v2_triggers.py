"""V2 triggers on connection sources: push (branches, tags, file paths) and pull-request
filters, the default detection, DetectChanges false, glob rules and validation."""

import pytest
from botocore.exceptions import ClientError
from connections_kit import REPO, connection, executions, pipeline, repository, source_detail, triggered

from codepipeline_lab.simulator.triggers.glob_patterns import matches


def trigger(push=None, pull_request=None, action="Source"):
    git = {"sourceActionName": action}
    if push is not None:
        git["push"] = push
    if pull_request is not None:
        git["pullRequest"] = pull_request
    return [{"providerType": "CodeStarSourceConnection", "gitConfiguration": git}]


@pytest.mark.parametrize("pattern, text, expected", [
    ("main", "main", True), ("release/*", "release/1.0", True), ("release/*", "release/1/hotfix", False),
    ("release/**", "release/1/hotfix", True), ("v?.0", "v1.0", True), ("v?.0", "v10.0", False),
    ("src/**/*.py", "src/a/b/c.py", True), ("*.md", "docs/a.md", False), ("**.md", "docs/a.md", True),
    ("{main,dev}", "dev", True), ("{main,dev}", "qa", False), ("[a-c]x", "bx", True), ("[!a-c]x", "bx", False),
    ("\\*", "*", True), ("\\*", "a", False),
])
def test_glob_rules(pattern, text, expected):
    assert matches(pattern, text) is expected


def test_without_a_trigger_every_push_to_the_branch_starts_the_pipeline(lab):
    arn = connection(lab)
    host, _ = repository(lab)
    pipeline(lab, arn)
    pushed = host.push(REPO, "main", {"a": "1"}, "to main")
    host.push(REPO, "other", {"b": "1"}, "elsewhere")
    host.create_tag(REPO, "v1")
    assert triggered(lab) == [("Webhook", pushed)]
    assert executions(lab)[-1]["trigger"]["triggerDetail"] == arn


def test_detect_changes_false_starts_nothing_automatically(lab):
    arn = connection(lab)
    host, _ = repository(lab)
    pipeline(lab, arn, DetectChanges="false")
    host.push(REPO, "main", {"a": "1"}, "to main")
    assert triggered(lab) == []


def test_a_pending_connection_receives_no_events(lab):
    arn = connection(lab, complete=False)
    host, _ = repository(lab)
    pipeline(lab, arn)
    host.push(REPO, "main", {"a": "1"}, "to main")
    assert triggered(lab) == []


def test_push_filter_on_branches_with_excludes_winning(lab):
    arn = connection(lab)
    host, _ = repository(lab)
    pipeline(lab, arn, triggers=trigger(push=[{"branches": {"includes": ["release/**", "main"], "excludes": ["release/old*"]}}]))
    fired = host.push(REPO, "release/2.0", {"a": "1"}, "release")
    host.push(REPO, "release/old-1", {"a": "1"}, "old release")       # excluded
    host.push(REPO, "feature", {"a": "1"}, "feature")                 # not included
    assert triggered(lab) == [("WebhookV2", fired)]
    lab.run()
    execution = executions(lab)[-1]
    variables = source_detail(lab, execution["pipelineExecutionId"])["output"]["outputVariables"]
    assert variables["BranchName"] == "release/2.0" and variables["CommitId"] == fired


def test_push_filter_on_file_paths(lab):
    arn = connection(lab)
    host, _ = repository(lab)
    pipeline(lab, arn, triggers=trigger(push=[{"branches": {"includes": ["main"]},
                                             "filePaths": {"includes": ["src/**"], "excludes": ["**/*.md"]}}]))
    fired = host.push(REPO, "main", {"src/app/core.py": "x = 1\n"}, "code")
    host.push(REPO, "main", {"src/README.md": "docs"}, "docs only")        # only an excluded file changed
    host.push(REPO, "main", {"tests/test_a.py": "pass"}, "tests only")      # no included file changed
    assert triggered(lab) == [("WebhookV2", fired)]


def test_push_filter_on_tags(lab):
    arn = connection(lab)
    host, first = repository(lab)
    pipeline(lab, arn, triggers=trigger(push=[{"tags": {"includes": ["v*"], "excludes": ["v*-rc*"]}}]))
    host.push(REPO, "main", {"a": "1"}, "no tag, no start")
    host.create_tag(REPO, "v1.0-rc1")
    assert host.create_tag(REPO, "v1.0", commit_id=first) == first
    assert triggered(lab) == [("WebhookV2", first)]


def test_pull_request_filter_on_events_branches_and_file_paths(lab):
    arn = connection(lab)
    host, _ = repository(lab)
    pipeline(lab, arn, triggers=trigger(pull_request=[{"events": ["OPEN", "UPDATED"], "branches": {"includes": ["main"]},
                                                     "filePaths": {"includes": ["**.py"]}}]))
    opened = host.push(REPO, "feature", {"lib.py": "x = 1\n"}, "feature")
    number = host.open_pull_request(REPO, "feature", "main", "Feature")
    updated = host.push(REPO, "feature", {"notes.txt": "n"}, "notes")       # still a .py change in the PR
    host.push(REPO, "docs", {"guide.txt": "g"}, "docs")
    host.open_pull_request(REPO, "docs", "main", "Docs only")               # no .py file: must not fire
    host.push(REPO, "next", {"next.py": "n"}, "next")
    host.open_pull_request(REPO, "next", "feature", "Into feature")         # other destination: must not fire
    host.merge_pull_request(REPO, number)                                   # CLOSED is not among the events
    assert triggered(lab) == [("WebhookV2", opened), ("WebhookV2", updated)]
    lab.run()
    pr_execution = executions(lab)[-1]
    variables = source_detail(lab, pr_execution["pipelineExecutionId"])["output"]["outputVariables"]
    assert variables["BranchName"] == "feature"


def test_pull_request_closed_fires_on_merge(lab):
    arn = connection(lab)
    host, _ = repository(lab)
    pipeline(lab, arn, triggers=trigger(pull_request=[{"events": ["CLOSED"], "branches": {"includes": ["main"]}}]))
    source = host.push(REPO, "feature", {"lib.py": "x"}, "feature")
    number = host.open_pull_request(REPO, "feature", "main", "Feature")
    host.merge_pull_request(REPO, number)
    assert triggered(lab) == [("WebhookV2", source)]


def test_a_trigger_replaces_the_default_detection(lab):
    arn = connection(lab)
    host, _ = repository(lab)
    pipeline(lab, arn, triggers=trigger(push=[{"branches": {"includes": ["release"]}}]))
    host.push(REPO, "main", {"a": "1"}, "to the action's BranchName")
    assert triggered(lab) == []


@pytest.mark.parametrize("triggers, words", [
    (trigger(push=[{"filePaths": {"includes": ["src/**"]}}]), "must filter on"),
    (trigger(push=[{"tags": {"includes": ["v*"]}, "branches": {"includes": ["main"]}}]), "must filter on"),
    (trigger(pull_request=[{"events": ["OPEN"]}]), "must filter on"),
    (trigger(push=[{"branches": {}}]), "need includes or excludes"),
    (trigger(push=[{"branches": {"includes": ["{a,{b}}"]}}]), "nests"),
    (trigger(push=[{"branches": {"includes": ["main"]}}], action="Hold"), "only supported for CodeStarSourceConnection"),
    (trigger(push=[{"branches": {"includes": ["main"]}}], action="Nope"), "is not an action"),
    (trigger(push=[{"branches": {"includes": ["main"]}}]) * 2, "more than one trigger"),
])
def test_trigger_declarations_are_validated(lab, triggers, words):
    arn = connection(lab)
    with pytest.raises(ClientError) as seen:
        pipeline(lab, arn, triggers=triggers)
    assert seen.value.response["Error"]["Code"] == "ValidationException"
    assert words in seen.value.response["Error"]["Message"]


def test_botocore_limits_on_filters_apply(lab):
    arn = connection(lab)
    too_many = [{"branches": {"includes": ["main"]}}] * 4
    with pytest.raises(ClientError) as seen:
        pipeline(lab, arn, triggers=trigger(push=too_many))
    assert seen.value.response["Error"]["Code"] == "ValidationException"
