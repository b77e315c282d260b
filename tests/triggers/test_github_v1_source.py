"""The legacy GitHub (version 1, OAuth) source action, ThirdParty/Source/GitHub/1: the branch head
on the Lab's GitHub, its output variables, polling, webhooks, and the masked OAuthToken."""

import hashlib
import hmac
import io
import json
import urllib.error
import urllib.request
import zipfile

from builders import action, declaration
from connections_kit import executions, source_detail, triggered

from codepipeline_lab.setup_helpers import create_bucket, create_service_role
from codepipeline_lab.simulator.triggers.polling import POLL_INTERVAL

TOKEN = "ghp_lab-token-never-shown"
SECRET = "webhook-secret-for-tests"


def github_source(poll=None, **configuration):
    config = {"Owner": "octo", "Repo": "app", "Branch": "main", "OAuthToken": TOKEN, **configuration}
    if poll is not None:
        config["PollForSourceChanges"] = poll
    return action("Source", "Source", "GitHub", owner="ThirdParty", outputs=["SourceOutput"],
                  namespace="SourceVariables", configuration=config)


def create(lab, source):
    role = create_service_role(lab)
    create_bucket(lab, "demo-artifacts")
    lab.client("codepipeline").create_pipeline(pipeline=declaration(role, stages=[
        {"name": "Source", "actions": [source]},
        {"name": "Hold", "actions": [action("Hold", "Approval", "Manual")]}]))
    lab.run()


def repository(lab):
    host = lab.git_host("GitHub")
    host.create_repository("octo/app")
    first = host.push("octo/app", "main", {"app.py": "print('hi')\n"}, "Initial commit")
    return host, first


def artifact_files(lab, detail):
    location = detail["output"]["outputArtifacts"][0]["s3location"]
    data = lab.client("s3").get_object(Bucket=location["bucket"], Key=location["key"])["Body"].read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_branch_head_zipped_with_github_v1_variables(lab):
    host, _ = repository(lab)
    second = host.push("octo/app", "main", {"docs/readme.md": "# app\n"}, "Add docs\n\nLonger text.")
    create(lab, github_source(poll="false"))
    execution = executions(lab)[0]
    assert execution["status"] == "InProgress"          # held by the approval
    revision = execution["sourceRevisions"][0]
    assert revision["revisionId"] == second
    assert revision["revisionUrl"] == f"https://github.com/octo/app/commit/{second}"
    assert json.loads(revision["revisionSummary"]) == {"ProviderType": "GitHub", "CommitMessage": "Add docs\n\nLonger text."}
    detail = source_detail(lab, execution["pipelineExecutionId"])
    assert detail["status"] == "Succeeded"
    assert artifact_files(lab, detail) == {"app.py": "print('hi')\n", "docs/readme.md": "# app\n"}
    variables = detail["output"]["outputVariables"]
    assert set(variables) == {"AuthorDate", "BranchName", "CommitId", "CommitMessage", "CommitterDate", "CommitUrl", "RepositoryName"}
    assert variables["CommitId"] == second and variables["BranchName"] == "main" and variables["RepositoryName"] == "app"
    assert variables["CommitMessage"] == "Add docs\n\nLonger text."
    assert variables["CommitUrl"] == f"https://api.github.com/repos/octo/app/commits/{second}"
    assert variables["AuthorDate"].endswith("Z")
    assert detail["output"]["executionResult"]["externalExecutionSummary"] == "Add docs"


def test_a_missing_branch_or_repository_fails_with_a_clear_message(lab):
    repository(lab)
    create(lab, github_source(poll="false", Branch="release"))
    execution = executions(lab)[0]
    assert execution["status"] == "Failed"
    message = source_detail(lab, execution["pipelineExecutionId"])["output"]["executionResult"]["externalExecutionSummary"]
    assert "no branch named release" in message and "octo/app" in message


def test_a_missing_repository_or_the_mask_as_token_fails_like_a_bad_token(lab):
    create(lab, github_source(poll="false", Repo="nothing"))
    execution = executions(lab)[0]
    assert execution["status"] == "Failed"
    message = source_detail(lab, execution["pipelineExecutionId"])["output"]["executionResult"]["externalExecutionSummary"]
    assert "does not exist, or the GitHub access token" in message
    repository(lab)
    cp = lab.client("codepipeline")
    shown = cp.get_pipeline(name="demo")["pipeline"]        # pasted back unchanged: the token is now ****
    shown["stages"][0]["actions"][0]["configuration"]["Repo"] = "app"
    cp.update_pipeline(pipeline=shown)
    cp.start_pipeline_execution(name="demo")
    lab.run()
    latest = executions(lab)[-1]
    assert latest["status"] == "Failed"
    message = source_detail(lab, latest["pipelineExecutionId"])["output"]["executionResult"]["externalExecutionSummary"]
    assert "****" in message


def test_get_pipeline_masks_the_oauth_token(lab):
    repository(lab)
    create(lab, github_source(poll="false"))
    cp = lab.client("codepipeline")
    config = cp.get_pipeline(name="demo")["pipeline"]["stages"][0]["actions"][0]["configuration"]
    assert config["OAuthToken"] == "****" and config["Owner"] == "octo"
    assert cp.get_pipeline(name="demo", version=1)["pipeline"]["stages"][0]["actions"][0]["configuration"]["OAuthToken"] == "****"
    assert TOKEN not in json.dumps(cp.get_pipeline(name="demo"), default=str)
    assert TOKEN not in json.dumps(lab.account.audit.records(), default=str)       # CreatePipeline's record hides it
    # the pipeline itself keeps the token: it still runs
    assert lab.account.pipelines.get("us-east-1", "demo").declaration["stages"][0]["actions"][0]["configuration"]["OAuthToken"] == TOKEN


def test_polling_starts_on_a_change_and_not_without(lab):
    host, _ = repository(lab)
    create(lab, github_source())                # PollForSourceChanges left out: polling on
    lab.advance(minutes=5)
    assert triggered(lab) == []
    pushed = host.push("octo/app", "main", {"app.py": "print(2)\n"}, "two")
    assert triggered(lab) == []                 # nothing until the next check
    lab.advance(POLL_INTERVAL)
    assert triggered(lab) == [("PollForSourceChanges", pushed)]
    lab.advance(minutes=10)
    assert triggered(lab) == [("PollForSourceChanges", pushed)]
    host.push("octo/app", "other", {"x": "1"}, "another branch")
    lab.advance(minutes=3)
    assert len(triggered(lab)) == 1             # only the action's branch counts


def test_polling_off_starts_nothing(lab):
    host, _ = repository(lab)
    create(lab, github_source(poll="false"))
    assert ("us-east-1", "demo") not in lab.account.polling.schedules
    host.push("octo/app", "main", {"app.py": "print(2)\n"}, "two")
    lab.advance(minutes=5)
    assert triggered(lab) == []


# -- webhooks ------------------------------------------------------------------------------------

def put_webhook(lab):
    return lab.client("codepipeline").put_webhook(webhook={
        "name": "github-hook", "targetPipeline": "demo", "targetAction": "Source",
        "filters": [{"jsonPath": "$.ref", "matchEquals": "refs/heads/{Branch}"}],
        "authentication": "GITHUB_HMAC", "authenticationConfiguration": {"SecretToken": SECRET}})["webhook"]["url"]


def push_payload(before, after, ref="refs/heads/main"):
    """The parts of GitHub's push event the filters and a reader use."""
    return json.dumps({"ref": ref, "before": before, "after": after,
                       "repository": {"name": "app", "full_name": "octo/app", "owner": {"name": "octo", "login": "octo"}},
                       "head_commit": {"id": after, "message": "two"}, "pusher": {"name": "octo"}}).encode()


def deliver(url, body, secret=SECRET):
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": signature})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_a_signed_push_at_the_webhook_starts_the_pipeline_at_the_pushed_commit(lab):
    host, first = repository(lab)
    create(lab, github_source(poll="false"))
    url = put_webhook(lab)
    pushed = host.push("octo/app", "main", {"app.py": "print(2)\n"}, "two")
    assert deliver(url, push_payload(first, pushed), secret="wrong") == 403
    assert deliver(url, push_payload(first, pushed, ref="refs/heads/other")) == 400     # filter: another branch
    assert triggered(lab) == []
    assert deliver(url, push_payload(first, pushed)) == 200
    lab.run()
    assert triggered(lab) == [("Webhook", pushed)]
    latest = executions(lab)[-1]
    assert latest["trigger"]["triggerDetail"] == "arn:aws:codepipeline:us-east-1:123456789012:webhook:github-hook"
    assert source_detail(lab, latest["pipelineExecutionId"])["output"]["outputVariables"]["CommitId"] == pushed


def test_polling_left_on_beside_a_webhook_starts_twice(lab):
    host, first = repository(lab)
    create(lab, github_source(poll="true"))
    url = put_webhook(lab)
    pushed = host.push("octo/app", "main", {"app.py": "print(2)\n"}, "two")
    assert deliver(url, push_payload(first, pushed)) == 200
    lab.advance(POLL_INTERVAL)
    assert triggered(lab) == [("Webhook", pushed), ("PollForSourceChanges", pushed)]
