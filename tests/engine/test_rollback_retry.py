"""V2 onFailure results (RETRY, ROLLBACK, FAIL), RollbackStage and its errors (issue 14)."""

import pytest
from botocore.exceptions import ClientError
from scenario import approval, approval_pipeline, approve, executions, state_of

from codepipeline_lab.setup_helpers import push


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


def v2(role, on_failure=None, **extra):
    declared = approval_pipeline(role, pipelineType="V2", **extra)
    if on_failure is not None:
        declared["stages"][1]["onFailure"] = on_failure
    return declared


def stage_state(lab, stage="Approve", name="demo"):
    return next(s for s in lab.client("codepipeline").get_pipeline_state(name=name)["stageStates"] if s["stageName"] == stage)


def start(lab):
    execution_id = lab.client("codepipeline").start_pipeline_execution(name="demo")["pipelineExecutionId"]
    lab.run()
    return execution_id


def test_automatic_retry_runs_the_failed_stage_once_more(lab, account):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=v2(account, {"result": "RETRY", "retryConfiguration": {"retryMode": "FAILED_ACTIONS"}}))
    lab.run()
    execution_id = executions(lab)[0][0]
    approve(lab, "Rejected")
    assert stage_state(lab)["latestExecution"]["status"] == "Failed"
    lab.run()                                   # the automatic retry
    assert executions(lab) == [(execution_id, "InProgress")]
    assert state_of(lab)["Approve"] == ("InProgress", {"Approval": "InProgress"})
    assert stage_state(lab)["retryStageMetadata"] == {"autoStageRetryAttempt": 1, "latestRetryTrigger": "AutomatedStageRetry"}
    approve(lab, "Rejected")                    # one automatic attempt only
    lab.run()
    assert executions(lab) == [(execution_id, "Failed")]
    cp.retry_stage_execution(pipelineName="demo", stageName="Approve", pipelineExecutionId=execution_id, retryMode="FAILED_ACTIONS")
    assert stage_state(lab)["retryStageMetadata"] == {"autoStageRetryAttempt": 1, "manualStageRetryAttempt": 1,
                                                      "latestRetryTrigger": "ManualStageRetry"}
    lab.run()
    approve(lab)
    assert executions(lab) == [(execution_id, "Succeeded")]


def test_automatic_retry_of_all_actions_restarts_the_stage(lab, account):
    declared = v2(account, {"result": "RETRY", "retryConfiguration": {"retryMode": "ALL_ACTIONS"}})
    declared["stages"][1]["actions"] = [approval("A"), approval("B")]
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    approve(lab, action_name="A")
    approve(lab, "Rejected", action_name="B")
    lab.run()
    assert state_of(lab)["Approve"] == ("InProgress", {"A": "InProgress", "B": "InProgress"})


def test_onfailure_fail_fails_the_execution_as_before(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=v2(account, {"result": "FAIL"}))
    lab.run()
    approve(lab, "Rejected")
    lab.run()
    assert [s for _, s in executions(lab)] == ["Failed"]


def test_automatic_rollback_needs_a_success_in_the_stage_first(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=v2(account, {"result": "ROLLBACK"}))
    lab.run()
    approve(lab, "Rejected")
    lab.run()
    assert [s for _, s in executions(lab)] == ["Failed"]      # nothing to roll back to


def test_automatic_rollback_redeploys_the_last_good_execution(lab, account):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=v2(account, {"result": "ROLLBACK"}))
    lab.run()
    good = executions(lab)[0][0]
    approve(lab)
    push(lab, "app", {"app.py": "print('broken')\n"}, "Break it")
    bad = start(lab)
    approve(lab, "Rejected")
    lab.run()
    (rollback_id, status), *_ = executions(lab)
    assert status == "InProgress" and rollback_id not in (good, bad)
    summary = cp.list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"][0]
    assert summary["executionType"] == "ROLLBACK"
    assert summary["trigger"] == {"triggerType": "AutomatedRollback", "triggerDetail": bad}
    assert summary["rollbackMetadata"] == {"rollbackTargetPipelineExecutionId": good}
    assert stage_state(lab)["latestExecution"] == {"pipelineExecutionId": rollback_id, "status": "InProgress", "type": "ROLLBACK"}
    approve(lab)
    detail = cp.get_pipeline_execution(pipelineName="demo", pipelineExecutionId=rollback_id)["pipelineExecution"]
    assert detail["status"] == "Succeeded" and detail["executionType"] == "ROLLBACK"
    first = cp.get_pipeline_execution(pipelineName="demo", pipelineExecutionId=good)["pipelineExecution"]
    assert detail["artifactRevisions"] == first["artifactRevisions"]          # the good commit, not the broken one
    assert dict(executions(lab))[bad] == "Failed"


def test_onfailure_condition_rolls_back_only_while_the_alarm_is_in_alarm(lab, account):
    cloudwatch = lab.client("cloudwatch")
    cloudwatch.put_metric_alarm(AlarmName="errors", MetricName="Errors", Namespace="App", Statistic="Sum", Period=60,
                                EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="OK", StateReason="quiet")
    rule = {"name": "Errors", "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": "CloudWatchAlarm", "version": "1"},
            "configuration": {"AlarmName": "errors"}}
    lab.client("codepipeline").create_pipeline(pipeline=v2(account, {"result": "ROLLBACK", "conditions": [{"result": "ROLLBACK", "rules": [rule]}]}))
    lab.run()
    approve(lab)
    start(lab)
    approve(lab, "Rejected")                    # alarm OK: the stage just fails
    lab.run()
    assert [s for _, s in executions(lab)] == ["Failed", "Succeeded"]
    assert stage_state(lab)["onFailureConditionState"]["latestExecution"]["status"] == "Succeeded"
    start(lab)
    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="errors")
    approve(lab, "Rejected")
    lab.run()
    assert [s for _, s in executions(lab)][:2] == ["InProgress", "Failed"]
    assert lab.client("codepipeline").list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"][0]["executionType"] == "ROLLBACK"


def two_good_executions(lab, account, **extra):
    lab.client("codepipeline").create_pipeline(pipeline=v2(account, **extra))
    lab.run()
    first = executions(lab)[0][0]
    approve(lab)
    push(lab, "app", {"app.py": "print('v2')\n"}, "v2")
    second = start(lab)
    approve(lab)
    return first, second


def test_manual_rollback_to_a_chosen_execution(lab, account):
    cp = lab.client("codepipeline")
    first, second = two_good_executions(lab, account)
    rollback_id = cp.rollback_stage(pipelineName="demo", stageName="Approve", targetPipelineExecutionId=first)["pipelineExecutionId"]
    lab.run()
    detail = cp.get_pipeline_execution(pipelineName="demo", pipelineExecutionId=rollback_id)["pipelineExecution"]
    assert detail["executionType"] == "ROLLBACK"
    assert detail["rollbackMetadata"] == {"rollbackTargetPipelineExecutionId": first}
    assert detail["trigger"]["triggerType"] == "ManualRollback"
    assert state_of(lab)["Approve"] == ("InProgress", {"Approval": "InProgress"})
    approve(lab)
    assert dict(executions(lab))[rollback_id] == "Succeeded"
    succeeded = cp.list_pipeline_executions(pipelineName="demo", filter={"succeededInStage": {"stageName": "Approve"}})
    assert [e["pipelineExecutionId"] for e in succeeded["pipelineExecutionSummaries"]] == [rollback_id, second, first]
    # a rollback execution cannot itself be a target
    assert error_of(cp.rollback_stage, pipelineName="demo", stageName="Approve", targetPipelineExecutionId=rollback_id)["Code"] == "UnableToRollbackStageException"


def test_manual_rollback_errors(lab, account):
    cp = lab.client("codepipeline")
    first, second = two_good_executions(lab, account)
    failed = start(lab)
    approve(lab, "Rejected")

    def code(stage="Approve", target=first):
        return error_of(cp.rollback_stage, pipelineName="demo", stageName=stage, targetPipelineExecutionId=target)["Code"]

    assert code(target=failed) == "UnableToRollbackStageException"             # never succeeded there
    assert code(stage="Source") == "UnableToRollbackStageException"            # a source stage
    assert code(stage="Nope") == "StageNotFoundException"
    assert code(target="00000000-0000-0000-0000-000000000000") == "PipelineExecutionNotFoundException"
    start(lab)                                                                  # the stage is in progress
    error = error_of(cp.rollback_stage, pipelineName="demo", stageName="Approve", targetPipelineExecutionId=first)
    assert error["Code"] == "UnableToRollbackStageException" and "in progress" in error["Message"]
    declared = cp.get_pipeline(name="demo")["pipeline"]
    declared["stages"][1]["actions"][0]["configuration"] = {"CustomData": "v3"}
    cp.update_pipeline(pipeline=declared)
    assert code() == "PipelineExecutionOutdatedException"                      # an older structure version


def test_rollback_on_a_v1_pipeline_is_refused(lab, account):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    first = executions(lab)[0][0]
    approve(lab)
    assert error_of(cp.rollback_stage, pipelineName="demo", stageName="Approve", targetPipelineExecutionId=first)["Code"] == "ValidationException"


@pytest.mark.parametrize("on_failure, extra, expected", [
    ({"result": "RETRY", "retryConfiguration": {"retryMode": "ALL_ACTIONS"}}, {"pipelineType": "V1"}, "ValidationException"),
    ({"result": "RETRY", "conditions": [{"result": "ROLLBACK", "rules": [
        {"name": "A", "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": "CloudWatchAlarm", "version": "1"},
         "configuration": {"AlarmName": "a"}}]}]}, {}, "InvalidStageDeclarationException"),
    ({"result": "ROLLBACK"}, {"executionMode": "PARALLEL"}, "ValidationException"),
    ({"result": "FAIL", "retryConfiguration": {"retryMode": "ALL_ACTIONS"}}, {}, "InvalidStageDeclarationException"),
    ({"result": "SKIP"}, {}, "InvalidStageDeclarationException"),
])
def test_bad_onfailure_declarations(lab, account, on_failure, extra, expected):
    declared = v2(account, on_failure)
    declared.update(extra)
    assert error_of(lab.client("codepipeline").create_pipeline, pipeline=declared)["Code"] == expected


def test_rollback_of_the_source_stage_cannot_be_declared(lab, account):
    declared = v2(account)
    declared["stages"][0]["onFailure"] = {"result": "ROLLBACK"}
    assert error_of(lab.client("codepipeline").create_pipeline, pipeline=declared)["Code"] == "InvalidStageDeclarationException"
    declared["stages"][0]["onFailure"] = {"result": "RETRY", "retryConfiguration": {"retryMode": "FAILED_ACTIONS"}}
    lab.client("codepipeline").create_pipeline(pipeline=declared)      # retry is allowed on any stage
