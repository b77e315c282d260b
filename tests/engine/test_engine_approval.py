"""Manual approval: tokens, rejection, the 7-day timeout and the SNS message (issue 3, point 7)."""

import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from codepipeline_lab.setup_helpers import create_user
from scenario import approval_pipeline, approve, executions, state_of, token_of


def test_rejected_approval_fails_the_action_with_the_reviewers_comment(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    approve(lab, "Rejected", summary="Release notes missing")
    latest = lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][1]["actionStates"][0]["latestExecution"]
    assert latest["status"] == "Failed" and "Release notes missing" in latest["summary"]
    assert "token" not in latest


def test_approval_times_out_after_seven_days(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    lab.advance(days=6, hours=23)
    assert executions(lab)[0][1] == "InProgress"
    token = token_of(lab)
    lab.advance(hours=1)
    assert executions(lab)[0][1] == "Failed"
    latest = lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][1]["actionStates"][0]["latestExecution"]
    assert "expired" in latest["errorDetails"]["message"] and "7 days" in latest["errorDetails"]["message"]
    with pytest.raises(ClientError) as caught:
        lab.client("codepipeline").put_approval_result(pipelineName="demo", stageName="Approve", actionName="Approval",
                                                       token=token, result={"status": "Approved", "summary": "late"})
    assert caught.value.response["Error"]["Code"] == "InvalidApprovalTokenException"


def test_timeout_in_minutes_overrides_the_default(lab, account):
    declared = approval_pipeline(account)
    declared["stages"][1]["actions"][0]["timeoutInMinutes"] = 60
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    lab.advance(minutes=61)
    assert state_of(lab)["Approve"] == ("Failed", {"Approval": "Failed"})


def test_run_does_not_fire_the_timeout(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    before = lab.now
    lab.run()
    assert lab.now == before and executions(lab)[0][1] == "InProgress"


def test_notification_reaches_the_sns_topic_with_awss_fields(lab, account):
    sns, sqs = lab.client("sns"), lab.client("sqs")
    topic = sns.create_topic(Name="approvals")["TopicArn"]
    queue = sqs.create_queue(QueueName="approvals-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    declared = approval_pipeline(account)
    declared["stages"][1]["actions"][0]["configuration"] = {
        "NotificationArn": topic, "CustomData": "Check #{SourceVariables.CommitMessage}", "ExternalEntityLink": "https://example.com/release"}
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    [message] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    body = json.loads(message["Body"])
    assert body["region"] == "us-east-1" and body["consoleLink"].startswith("https://console.aws.amazon.com/codepipeline/")
    approval = body["approval"]
    assert approval["token"] == token_of(lab)
    assert (approval["pipelineName"], approval["stageName"], approval["actionName"]) == ("demo", "Approve", "Approval")
    assert approval["customData"] == "Check Initial commit" and approval["externalEntityLink"] == "https://example.com/release"
    assert approval["approvalReviewLink"].endswith(f"/demo/Approve/Approval/approve/{approval['token']}")
    assert approval["expires"] == (lab.now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%MZ")


def test_a_missing_topic_fails_the_approval_with_a_message(lab, account):
    declared = approval_pipeline(account)
    declared["stages"][1]["actions"][0]["configuration"] = {"NotificationArn": "arn:aws:sns:us-east-1:123456789012:nowhere"}
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    latest = lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][1]["actionStates"][0]["latestExecution"]
    assert latest["status"] == "Failed" and "nowhere" in latest["errorDetails"]["message"]


def test_an_approver_without_put_approval_result_is_denied(lab, account):
    iam = lab.client("iam")
    credentials = create_user(lab, "release-manager", [{"Effect": "Allow", "Action": "codepipeline:GetPipeline*", "Resource": "*"}], "view")
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    as_manager = lab.client("codepipeline", credentials=credentials)
    request = dict(pipelineName="demo", stageName="Approve", actionName="Approval", token=token_of(lab), result={"status": "Approved", "summary": "ok"})
    with pytest.raises(ClientError) as caught:
        as_manager.put_approval_result(**request)
    denied = caught.value.response["Error"]
    assert denied["Code"] == "AccessDeniedException"
    assert "codepipeline:PutApprovalResult" in denied["Message"] and "arn:aws:codepipeline:us-east-1:123456789012:demo/Approve/Approval" in denied["Message"]
    iam.put_user_policy(UserName="release-manager", PolicyName="approve", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codepipeline:PutApprovalResult",
                                                 "Resource": "arn:aws:codepipeline:us-east-1:123456789012:demo/Approve/Approval"}]}))
    as_manager.put_approval_result(**request)
    assert executions(lab)[0][1] == "Succeeded"


def test_the_approver_needs_get_pipeline_to_see_the_pipeline(lab, account):
    iam = lab.client("iam")
    credentials = create_user(lab, "approver", [{"Effect": "Allow", "Action": "codepipeline:PutApprovalResult", "Resource": "*"}])
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    as_approver = lab.client("codepipeline", credentials=credentials)
    with pytest.raises(ClientError) as caught:
        as_approver.get_pipeline_state(name="demo")
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "codepipeline:GetPipelineState on resource: arn:aws:codepipeline:us-east-1:123456789012:demo" in caught.value.response["Error"]["Message"]
    iam.attach_user_policy(UserName="approver", PolicyArn=iam.create_policy(PolicyName="view", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codepipeline:GetPipeline*",
                                                 "Resource": "arn:aws:codepipeline:us-east-1:123456789012:demo"}]}))["Policy"]["Arn"])
    assert as_approver.get_pipeline_state(name="demo")["pipelineName"] == "demo"


def test_an_explicit_deny_wins(lab, account):
    credentials = create_user(lab, "intern", [{"Effect": "Allow", "Action": "codepipeline:*", "Resource": "*"},
                                              {"Effect": "Deny", "Action": "codepipeline:StartPipelineExecution", "Resource": "*"}])
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    as_intern = lab.client("codepipeline", credentials=credentials)
    assert as_intern.list_pipelines()["pipelines"][0]["name"] == "demo"
    with pytest.raises(ClientError) as caught:
        as_intern.start_pipeline_execution(name="demo")
    assert "explicit deny" in caught.value.response["Error"]["Message"]
