"""Executions: order of stages and runOrder groups, states and history (issue 3, points 1–2)."""

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from codepipeline_lab.clock import EPOCH
from scenario import approval, approval_pipeline, approve, executions, state_of


def test_create_pipeline_starts_an_execution(lab, account):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=approval_pipeline(account))
    [(execution_id, status)] = executions(lab)
    assert status == "InProgress"
    detail = cp.get_pipeline_execution(pipelineName="demo", pipelineExecutionId=execution_id)["pipelineExecution"]
    assert detail["trigger"]["triggerType"] == "CreatePipeline"
    assert detail["executionMode"] == "SUPERSEDED" and detail["pipelineVersion"] == 1


def test_stages_run_in_order_and_the_approval_waits(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    assert state_of(lab)["Source"] == ("InProgress", {"Source": "InProgress"})
    assert state_of(lab)["Approve"] == (None, {"Approval": None})
    lab.run()
    assert state_of(lab) == {"Source": ("Succeeded", {"Source": "Succeeded"}), "Approve": ("InProgress", {"Approval": "InProgress"})}
    approve(lab)
    assert executions(lab)[0][1] == "Succeeded"


def test_parallel_actions_start_together_and_the_next_run_order_waits_for_both(lab, account):
    declared = approval_pipeline(account)
    declared["stages"][1]["actions"] = [approval("Security", 1), approval("Product", 1), approval("Final", 2)]
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=declared)
    lab.run()
    lab.advance(hours=1)
    approve(lab, action_name="Security")
    assert state_of(lab)["Approve"][1] == {"Security": "Succeeded", "Product": "InProgress", "Final": None}
    approve(lab, action_name="Product")
    lab.run()
    assert state_of(lab)["Approve"][1]["Final"] == "InProgress"
    runs = {d["actionName"]: d for d in cp.list_action_executions(pipelineName="demo")["actionExecutionDetails"]}
    assert runs["Security"]["startTime"] == runs["Product"]["startTime"]
    assert runs["Final"]["startTime"] == EPOCH + timedelta(hours=1, seconds=4)


def test_a_failed_action_fails_the_stage_and_execution_and_later_stages_do_not_run(lab, account):
    declared = approval_pipeline(account, stages_after=[{"name": "After", "actions": [approval("Later")]}])
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    approve(lab, "Rejected", summary="not today")
    states = state_of(lab)
    assert states["Approve"] == ("Failed", {"Approval": "Failed"})
    assert states["After"] == (None, {"Later": None})
    [(execution_id, status)] = executions(lab)
    assert status == "Failed"
    detail = lab.client("codepipeline").get_pipeline_execution(pipelineName="demo", pipelineExecutionId=execution_id)["pipelineExecution"]
    assert "Approval" in detail["statusSummary"] and "not today" in detail["statusSummary"]


def test_start_pipeline_execution_with_token_and_variables(lab, account):
    declared = approval_pipeline(account, pipelineType="V2", variables=[{"name": "Env", "defaultValue": "staging"}])
    declared["stages"][1]["actions"][0]["configuration"] = {"CustomData": "deploy to #{variables.Env} run #{codepipeline.PipelineExecutionId}"}
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=declared)
    first = cp.start_pipeline_execution(name="demo", variables=[{"name": "Env", "value": "prod"}], clientRequestToken="abc")["pipelineExecutionId"]
    again = cp.start_pipeline_execution(name="demo", variables=[{"name": "Env", "value": "prod"}], clientRequestToken="abc")["pipelineExecutionId"]
    assert first == again
    detail = cp.get_pipeline_execution(pipelineName="demo", pipelineExecutionId=first)["pipelineExecution"]
    assert detail["variables"] == [{"name": "Env", "resolvedValue": "prod"}]
    assert detail["trigger"]["triggerType"] == "StartPipelineExecution"
    with pytest.raises(ClientError) as caught:
        cp.start_pipeline_execution(name="demo", variables=[{"name": "Nope", "value": "x"}])
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_variables_resolved_just_before_the_action_runs(lab, account):
    declared = approval_pipeline(account)
    declared["stages"][1]["actions"][0]["configuration"] = {"CustomData": "commit #{SourceVariables.CommitId}: #{SourceVariables.CommitMessage}"}
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=declared)
    lab.run()
    commit = lab.client("codecommit").get_branch(repositoryName="app", branchName="main")["branch"]["commitId"]
    details = {d["actionName"]: d for d in cp.list_action_executions(pipelineName="demo")["actionExecutionDetails"]}
    assert details["Approval"]["input"]["resolvedConfiguration"]["CustomData"] == f"commit {commit}: Initial commit"
    assert details["Approval"]["input"]["configuration"]["CustomData"].startswith("commit #{SourceVariables")
    assert details["Source"]["output"]["outputVariables"]["CommitId"] == commit


def test_history_newest_first_with_pagination(lab, account):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=approval_pipeline(account, pipelineType="V2", executionMode="PARALLEL"))
    started = [cp.start_pipeline_execution(name="demo")["pipelineExecutionId"] for _ in range(3)]
    page = cp.list_pipeline_executions(pipelineName="demo", maxResults=2)
    rest = cp.list_pipeline_executions(pipelineName="demo", maxResults=2, nextToken=page["nextToken"])
    ids = [e["pipelineExecutionId"] for e in page["pipelineExecutionSummaries"] + rest["pipelineExecutionSummaries"]]
    assert ids == list(reversed(started))[:3] + [ids[-1]] and len(ids) == 4


def test_list_action_executions_filters_by_execution(lab, account):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=approval_pipeline(account, pipelineType="V2", executionMode="PARALLEL"))
    second = cp.start_pipeline_execution(name="demo")["pipelineExecutionId"]
    lab.run()
    details = cp.list_action_executions(pipelineName="demo", filter={"pipelineExecutionId": second})["actionExecutionDetails"]
    assert {d["pipelineExecutionId"] for d in details} == {second}
    assert [d["actionName"] for d in details] == ["Approval", "Source"]


def test_unknown_names_give_aws_errors(lab, account):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=approval_pipeline(account))
    checks = [
        (cp.get_pipeline_state, {"name": "ghost"}, "PipelineNotFoundException"),
        (cp.get_pipeline_execution, {"pipelineName": "demo", "pipelineExecutionId": "00000000-0000-4000-8000-000000000000"}, "PipelineExecutionNotFoundException"),
        (cp.disable_stage_transition, {"pipelineName": "demo", "stageName": "Nope", "transitionType": "Inbound", "reason": "x"}, "StageNotFoundException"),
        (cp.put_approval_result, {"pipelineName": "demo", "stageName": "Approve", "actionName": "Nope", "token": "00000000-0000-4000-8000-000000000000", "result": {"status": "Approved", "summary": "x"}}, "ActionNotFoundException"),
    ]
    for call, kwargs, code in checks:
        with pytest.raises(ClientError) as caught:
            call(**kwargs)
        assert caught.value.response["Error"]["Code"] == code
        assert any(str(v) in caught.value.response["Error"]["Message"] for v in kwargs.values() if isinstance(v, str) and v not in ("demo", "Inbound", "x"))


def test_a_missing_branch_fails_the_source_action_with_error_details(lab, account):
    declared = approval_pipeline(account)
    declared["stages"][0]["actions"][0]["configuration"]["BranchName"] = "release"
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=declared)
    lab.run()
    source = cp.get_pipeline_state(name="demo")["stageStates"][0]["actionStates"][0]["latestExecution"]
    assert source["status"] == "Failed"
    assert source["errorDetails"]["code"] == "JobFailed" and "no branch named release" in source["errorDetails"]["message"]


def test_pushing_to_a_missing_branch_without_a_parent_is_refused(lab, account):
    with pytest.raises(ClientError) as caught:
        lab.client("codecommit").put_file(repositoryName="app", branchName="feature", fileContent=b"x", filePath="x.txt")
    assert caught.value.response["Error"]["Code"] == "BranchDoesNotExistException" and "feature" in caught.value.response["Error"]["Message"]


def test_an_action_that_cannot_start_fails_after_its_parallel_siblings_started(lab, account):
    declared = approval_pipeline(account)
    broken = approval("Broken")
    broken["configuration"] = {"CustomData": "#{SourceVariables.NoSuchKey}"}  # CodeCommit publishes no such variable
    declared["stages"][1]["actions"] = [broken, approval("Fine"), approval("Later", 2)]
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=declared)
    lab.run()
    assert state_of(lab)["Approve"] == ("InProgress", {"Broken": "Failed", "Fine": "InProgress", "Later": None})
    approve(lab, action_name="Fine")
    assert state_of(lab)["Approve"] == ("Failed", {"Broken": "Failed", "Fine": "Succeeded", "Later": None})
    error = cp.get_pipeline_state(name="demo")["stageStates"][1]["actionStates"][0]["latestExecution"]["errorDetails"]
    assert error["code"] == "ConfigurationError" and "SourceVariables.NoSuchKey" in error["message"]
