"""The console widget through its Python model: what it shows, and what each button calls."""

import json
import re

from console_kit import (approve_outside, approver, card, classic_pipeline, executions, fix_the_build, stage, stage_status,
                         webapp)

from codepipeline_lab.console import Console
from codepipeline_lab.console.widget import CSS_PATH, ESM_PATH

EXECUTION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def click(console, **message):
    """What the browser does: a custom comm message, through ipywidgets' own handler."""
    console._handle_msg({"content": {"data": {"method": "custom", "content": message}}, "buffers": []})
    return console.last


def test_state_of_a_pipeline_waiting_for_approval(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    view = console.view
    assert [s["name"] for s in view["stages"]] == ["Source", "Build", "Approve", "Deploy"]
    assert [(s["status"], s["label"]) for s in view["stages"]] == [
        ("Succeeded", "Succeeded"), ("Succeeded", "Succeeded"), ("InProgress", "In progress"), ("", "Didn't run")]
    execution_id = executions(lab, "WebApp")[0][0]
    assert {s["execution"] for s in view["stages"][:3]} == {execution_id} and view["stages"][3]["execution"] == ""
    assert view["stages"][0]["transition"] is None
    assert all(s["transition"]["enabled"] for s in view["stages"][1:])
    build = card(console, "Build", "Build")
    assert (build["provider"], build["category"], build["label"]) == ("CodeBuild", "Build", "Succeeded")
    assert build["at"] == lab.now.strftime("%Y-%m-%d %H:%M:%S") and build["ago"] == "just now"
    assert re.fullmatch(r"\d+ s ago", card(console, "Source", "Source")["ago"])
    waiting = card(console, "Approve", "Approval")
    assert waiting["label"] == "Waiting for approval" and waiting["review"] is True
    assert view["as"] == "arn:aws:iam::123456789012:root" and view["now"] == lab.now.strftime("%Y-%m-%d %H:%M:%S")
    assert repr(console) == "Console(pipeline='WebApp', as='root')"


def test_history_timeline_and_details(lab, account):
    classic_pipeline(lab, account)
    view = Console(lab, "WebApp").view
    [row] = view["executions"]
    assert row["status"] == "InProgress" and row["trigger"] == "CreatePipeline"
    assert re.fullmatch(r'Source: [0-9a-f]{8} "Add the home page"', row["source"])
    assert row["duration"].endswith("s") and row["started"] == "2025-01-06 09:00:00"
    steps = view["timelines"][row["id"]]
    assert [(s["stage"], s["action"], s["status"]) for s in steps] == [
        ("Source", "Source", "Succeeded"), ("Build", "Build", "Succeeded"), ("Approve", "Approval", "InProgress")]
    build = view["details"][steps[1]["detail"]]
    assert build["configuration"] == {"ProjectName": "webapp-build"} and build["namespace"] == "BuildVariables"
    assert build["inputs"][0]["name"] == "SourceOutput" and build["inputs"][0]["location"].startswith("s3://demo-artifacts/WebApp/")
    assert build["outputs"][0]["name"] == "Site" and build["variables"] == {"VERSION": "1.0.1"}
    assert build["log"]["group"] == "/aws/codebuild/webapp-build"
    assert any("Running command test -f ready.txt" in line for line in build["log"]["lines"])
    approval = view["details"][steps[2]["detail"]]
    assert approval["configuration"]["CustomData"] == "Release Add the home page?"   # resolved, as the console shows it


def test_a_failed_build_shows_its_error_and_log(lab, account):
    classic_pipeline(lab, account, ready=False)
    console = Console(lab, "WebApp")
    build = card(console, "Build", "Build")
    assert build["status"] == "Failed" and build["error"]["code"] == "JobFailed"
    assert "test -f ready.txt" in build["error"]["message"]
    assert stage(console, "Build")["retryable"] is True and stage(console, "Source")["retryable"] is False
    detail = console.view["details"][build["detail"]]
    assert detail["error"]["code"] == "JobFailed"
    assert any("Command did not exit successfully test -f ready.txt" in line for line in detail["log"]["lines"])


def test_approve_calls_put_approval_result(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    last = click(console, do="review", stage="Approve", action="Approval", decision="Approved", comment="Looks good")
    assert last["error"] is None
    token = re.search(r'token="([^"]+)"', last["call"]).group(1)
    assert EXECUTION_ID.fullmatch(token)
    assert last["call"] == ('codepipeline.put_approval_result(pipelineName="WebApp", stageName="Approve", actionName="Approval", '
                            f'result={{"summary": "Looks good", "status": "Approved"}}, token="{token}")')
    assert card(console, "Approve", "Approval")["label"] == "Succeeded"   # refreshed after the call
    lab.run()
    console.refresh()
    assert [s["status"] for s in console.view["stages"]] == ["Succeeded"] * 4


def test_reject_fails_the_stage(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    last = click(console, do="review", stage="Approve", action="Approval", decision="Rejected", comment="Not today")
    assert '"status": "Rejected"' in last["call"] and last["error"] is None
    assert stage(console, "Approve")["status"] == "Failed" and stage(console, "Approve")["retryable"] is True
    assert console.view["executions"][0]["status"] == "Failed"


def test_review_when_nothing_waits_says_so(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    click(console, do="review", stage="Approve", action="Approval", decision="Approved")
    last = click(console, do="review", stage="Approve", action="Approval", decision="Approved")
    assert last["error"]["code"] == "NothingToReview" and last["call"] == ""


def test_retry_after_the_fix(lab, account):
    classic_pipeline(lab, account, ready=False)
    console = Console(lab, "WebApp")
    execution_id = stage(console, "Build")["execution"]
    fix_the_build(lab)
    last = click(console, do="retry", stage="Build", execution=execution_id, mode="ALL_ACTIONS")
    assert last == {"seq": 1, "do": "retry", "error": None, "call": (
        f'codepipeline.retry_stage_execution(pipelineName="WebApp", stageName="Build", pipelineExecutionId="{execution_id}", '
        'retryMode="ALL_ACTIONS")')}
    assert stage(console, "Build")["status"] == "InProgress"
    click(console, do="run")
    assert stage(console, "Build")["status"] == "Failed"   # a retry builds the same source revision
    assert "FAILED_ACTIONS" in click(console, do="retry", stage="Build", execution=execution_id, mode="FAILED_ACTIONS")["call"]


def test_stop_and_abandon(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    execution_id = console.view["executions"][0]["id"]
    last = click(console, do="stop", execution=execution_id, abandon=True, reason="wrong commit")
    assert last["call"] == (f'codepipeline.stop_pipeline_execution(pipelineName="WebApp", pipelineExecutionId="{execution_id}", '
                            'abandon=True, reason="wrong commit")')
    assert console.view["executions"][0]["status"] == "Stopped"
    assert card(console, "Approve", "Approval")["label"] == "Abandoned"


def test_stop_and_wait(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    execution_id = console.view["executions"][0]["id"]
    last = click(console, do="stop", execution=execution_id, abandon=False)
    assert last["call"].endswith("abandon=False)") and console.view["executions"][0]["status"] == "Stopping"
    again = click(console, do="stop", execution=execution_id, abandon=False)
    assert again["error"]["code"] == "DuplicatedStopRequestException" and again["call"] == last["call"]


def test_release_change_starts_an_execution(lab, account):
    classic_pipeline(lab, account, ready=False)
    console = Console(lab, "WebApp")
    fix_the_build(lab)
    last = click(console, do="release")
    assert last["call"] == 'codepipeline.start_pipeline_execution(name="WebApp")' and last["error"] is None
    rows = console.view["executions"]
    assert len(rows) == 2 and rows[0]["trigger"] == "StartPipelineExecution" and rows[0]["status"] == "InProgress"
    click(console, do="run")
    assert stage(console, "Build")["status"] == "Succeeded" and card(console, "Approve", "Approval")["review"] is True
    assert '"Mark the site ready"' in console.view["executions"][0]["source"]


def test_disable_and_enable_a_transition(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    last = click(console, do="transition", stage="Deploy", enable=False, reason="Freeze until Monday")
    assert last["call"] == ('codepipeline.disable_stage_transition(pipelineName="WebApp", stageName="Deploy", '
                            'transitionType="Inbound", reason="Freeze until Monday")')
    shown = stage(console, "Deploy")["transition"]
    assert shown["enabled"] is False and shown["reason"] == "Freeze until Monday"
    click(console, do="review", stage="Approve", action="Approval", decision="Approved")
    click(console, do="run")
    assert stage(console, "Deploy")["status"] == "" and console.view["executions"][0]["status"] == "InProgress"
    last = click(console, do="transition", stage="Deploy", enable=True)
    assert last["call"] == ('codepipeline.enable_stage_transition(pipelineName="WebApp", stageName="Deploy", '
                            'transitionType="Inbound")')
    click(console, do="run")
    assert stage(console, "Deploy")["status"] == "Succeeded" and stage(console, "Deploy")["transition"]["enabled"]


def test_an_empty_reason_is_refused_by_the_client(lab, account):
    classic_pipeline(lab, account)
    last = click(Console(lab, "WebApp"), do="transition", stage="Deploy", enable=False, reason="")
    assert last["error"]["code"] == "ParamValidationError" and "reason" in last["error"]["message"]


def test_approver_without_permission_gets_access_denied(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp", credentials=approver(lab, may_approve=False))
    assert console.view["readError"] is None and card(console, "Approve", "Approval")["review"] is True
    assert repr(console) == "Console(pipeline='WebApp', as='user/reader')"
    last = click(console, do="review", stage="Approve", action="Approval", decision="Approved", comment="ok")
    assert last["error"]["code"] == "AccessDeniedException"
    assert "user/reader" in last["error"]["message"] and "codepipeline:PutApprovalResult" in last["error"]["message"]
    assert last["call"].startswith('codepipeline.put_approval_result(pipelineName="WebApp"')
    assert stage_status(lab, "Approve") == ("InProgress", {"Approval": "InProgress"})


def test_approver_with_permission_approves(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp", credentials=approver(lab, may_approve=True))
    last = click(console, do="review", stage="Approve", action="Approval", decision="Approved")
    assert last["error"] is None and stage_status(lab, "Approve")[0] == "Succeeded"
    denied = click(console, do="release")
    assert denied["error"]["code"] == "AccessDeniedException" and "StartPipelineExecution" in denied["error"]["message"]


def test_a_user_who_may_not_read_sees_the_error(lab, account):
    from codepipeline_lab.setup_helpers import create_user
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp", credentials=create_user(lab, "nobody", [
        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]))
    assert console.view["readError"]["code"] == "AccessDeniedException" and console.view["stages"] == []


def test_a_stage_that_cannot_be_retried(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    execution_id = console.view["executions"][0]["id"]
    click(console, do="review", stage="Approve", action="Approval", decision="Rejected")
    lab.client("codepipeline").update_pipeline(pipeline=webapp(account))
    last = click(console, do="retry", stage="Approve", execution=execution_id, mode="FAILED_ACTIONS")
    assert last["error"]["code"] == "StageNotRetryableException" and "changed" in last["error"]["message"]
    succeeded = click(console, do="retry", stage="Source", execution=execution_id, mode="FAILED_ACTIONS")
    assert succeeded["error"]["code"] == "StageNotRetryableException"


def test_refresh_after_lab_run_in_another_cell(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    approve_outside(lab)
    lab.run()
    assert stage(console, "Deploy")["status"] == ""       # nothing read yet
    assert console.refresh() is console
    assert stage(console, "Deploy")["status"] == "Succeeded"
    assert console.view["executions"][0]["status"] == "Succeeded"


def test_clock_controls_move_the_virtual_clock(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    before = lab.now
    last = click(console, do="advance", hours=1)
    assert (lab.now - before).total_seconds() == 3600
    assert last["call"].startswith("lab.advance(hours=1)  # virtual clock ") and console.view["now"] == lab.now.strftime("%Y-%m-%d %H:%M:%S")
    assert card(console, "Approve", "Approval")["ago"] == "1 h ago"
    assert click(console, do="run")["call"].startswith("lab.run()")
    assert click(console, do="refresh") == {"seq": 3, "do": "refresh", "call": "", "error": None}


def test_kernel_answers_hello_and_unknown_buttons_are_refused(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    sent = []
    console.send = lambda content, buffers=None: sent.append(content)
    click(console, do="hello")
    assert sent == [{"live": True}] and console.last == {}
    refused = click(console, do="delete_pipeline", name="WebApp")
    assert refused["error"]["code"] == "UnknownButton" and refused["call"] == ""
    assert console.view["stages"]                        # nothing was deleted


def test_follow_refreshes_after_each_cell(lab, account):
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    try:
        classic_pipeline(lab, account)
        console = Console(lab, "WebApp", follow=True)
        shell.user_ns["lab"] = lab
        shell.user_ns["approve_outside"] = approve_outside
        shell.run_cell("approve_outside(lab); lab.run()")
        assert stage(console, "Deploy")["status"] == "Succeeded"
    finally:
        InteractiveShell.clear_instance()


def test_saved_state_stays_small(lab, account):
    classic_pipeline(lab, account)
    console = Console(lab, "WebApp")
    for _ in range(4):
        click(console, do="release")
        click(console, do="run")
    state = len(json.dumps({"view": console.view, "last": console.last}).encode())
    assert len(console.view["executions"]) == 5
    assert state < 24_000
    assert len(ESM_PATH.read_bytes()) < 16_000 and len(CSS_PATH.read_bytes()) < 7_000


def test_javascript_makes_no_requests():
    source = ESM_PATH.read_text(encoding="utf-8")
    for needle in ("fetch(", "XMLHttpRequest", "import(", "http://", "https://", "WebSocket", "sendBeacon", "innerHTML"):
        assert needle not in source
