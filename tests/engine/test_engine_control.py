"""Stop (wait and abandon), retry, and the errors for each misuse (issue 3, point 4)."""

import pytest
from botocore.exceptions import ClientError

from scenario import approval, approval_pipeline, approve, executions, state_of, token_of


def error_code(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"]


def running(lab, account, **extra):
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account, **extra))
    lab.run()
    return executions(lab)[0][0]


def test_stop_and_abandon(lab, account):
    execution_id = running(lab, account)
    cp = lab.client("codepipeline")
    cp.stop_pipeline_execution(pipelineName="demo", pipelineExecutionId=execution_id, abandon=True, reason="wrong commit")
    assert executions(lab) == [(execution_id, "Stopped")]
    assert state_of(lab)["Approve"] == ("Stopped", {"Approval": "Abandoned"})
    assert error_code(cp.stop_pipeline_execution, pipelineName="demo", pipelineExecutionId=execution_id) == "PipelineExecutionNotStoppableException"


def test_stop_and_wait_lets_the_running_action_finish(lab, account):
    execution_id = running(lab, account)
    cp = lab.client("codepipeline")
    cp.stop_pipeline_execution(pipelineName="demo", pipelineExecutionId=execution_id, abandon=False, reason="pause")
    assert executions(lab) == [(execution_id, "Stopping")]
    assert error_code(cp.stop_pipeline_execution, pipelineName="demo", pipelineExecutionId=execution_id) == "DuplicatedStopRequestException"
    approve(lab)
    assert executions(lab) == [(execution_id, "Stopped")]
    assert state_of(lab)["Approve"] == ("Stopped", {"Approval": "Succeeded"})


def test_stop_and_wait_then_abandon_is_allowed(lab, account):
    execution_id = running(lab, account)
    cp = lab.client("codepipeline")
    cp.stop_pipeline_execution(pipelineName="demo", pipelineExecutionId=execution_id)
    cp.stop_pipeline_execution(pipelineName="demo", pipelineExecutionId=execution_id, abandon=True)
    assert executions(lab) == [(execution_id, "Stopped")]


def test_retry_failed_actions_after_a_rejection(lab, account):
    execution_id = running(lab, account)
    approve(lab, "Rejected")
    cp = lab.client("codepipeline")
    cp.retry_stage_execution(pipelineName="demo", stageName="Approve", pipelineExecutionId=execution_id, retryMode="FAILED_ACTIONS")
    lab.run()
    assert executions(lab) == [(execution_id, "InProgress")]
    approve(lab)
    assert executions(lab) == [(execution_id, "Succeeded")]
    approvals = [d for d in cp.list_action_executions(pipelineName="demo")["actionExecutionDetails"] if d["actionName"] == "Approval"]
    assert [d["status"] for d in approvals] == ["Succeeded", "Failed"]


def test_retry_failed_actions_keeps_the_succeeded_ones(lab, account):
    declared = approval_pipeline(account)
    declared["stages"][1]["actions"] = [approval("A"), approval("B"), approval("C", 2)]
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    execution_id = executions(lab)[0][0]
    approve(lab, action_name="A")
    approve(lab, "Rejected", action_name="B")
    assert state_of(lab)["Approve"] == ("Failed", {"A": "Succeeded", "B": "Failed", "C": None})
    lab.client("codepipeline").retry_stage_execution(pipelineName="demo", stageName="Approve", pipelineExecutionId=execution_id, retryMode="FAILED_ACTIONS")
    lab.run()
    assert state_of(lab)["Approve"] == ("InProgress", {"A": "Succeeded", "B": "InProgress", "C": None})
    approve(lab, action_name="B")
    lab.run()
    assert state_of(lab)["Approve"][1]["C"] == "InProgress"


def test_retry_all_actions_restarts_the_stage(lab, account):
    declared = approval_pipeline(account)
    declared["stages"][1]["actions"] = [approval("A"), approval("B")]
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    execution_id = executions(lab)[0][0]
    approve(lab, action_name="A")
    approve(lab, "Rejected", action_name="B")
    lab.client("codepipeline").retry_stage_execution(pipelineName="demo", stageName="Approve", pipelineExecutionId=execution_id, retryMode="ALL_ACTIONS")
    lab.run()
    assert state_of(lab)["Approve"] == ("InProgress", {"A": "InProgress", "B": "InProgress"})


def test_retry_misuse(lab, account):
    execution_id = running(lab, account)
    cp = lab.client("codepipeline")
    assert error_code(cp.retry_stage_execution, pipelineName="demo", stageName="Source", pipelineExecutionId=execution_id, retryMode="FAILED_ACTIONS") == "StageNotRetryableException"
    assert error_code(cp.retry_stage_execution, pipelineName="demo", stageName="Nope", pipelineExecutionId=execution_id, retryMode="FAILED_ACTIONS") == "StageNotFoundException"
    approve(lab, "Rejected")
    newer = cp.start_pipeline_execution(name="demo")["pipelineExecutionId"]
    lab.run()
    assert state_of(lab)["Approve"][0] == "InProgress"
    assert error_code(cp.retry_stage_execution, pipelineName="demo", stageName="Approve", pipelineExecutionId=execution_id, retryMode="FAILED_ACTIONS") == "NotLatestPipelineExecutionException"
    approve(lab)
    assert dict(executions(lab))[newer] == "Succeeded"


def test_retry_after_the_pipeline_changed_is_refused(lab, account):
    execution_id = running(lab, account)
    approve(lab, "Rejected")
    cp = lab.client("codepipeline")
    cp.update_pipeline(pipeline=approval_pipeline(account))
    assert error_code(cp.retry_stage_execution, pipelineName="demo", stageName="Approve", pipelineExecutionId=execution_id, retryMode="FAILED_ACTIONS") == "StageNotRetryableException"


def test_approving_when_nothing_waits(lab, account):
    running(lab, account)
    token = token_of(lab)
    approve(lab)
    cp = lab.client("codepipeline")
    reuse = dict(pipelineName="demo", stageName="Approve", actionName="Approval", token=token, result={"status": "Approved", "summary": "again"})
    assert error_code(cp.put_approval_result, **reuse) == "ApprovalAlreadyCompletedException"
    wrong = dict(reuse, token="11111111-1111-4111-8111-111111111111")
    assert error_code(cp.put_approval_result, **wrong) == "InvalidApprovalTokenException"
    assert error_code(cp.put_approval_result, **dict(reuse, stageName="Source", actionName="Source")) == "InvalidApprovalTokenException"
