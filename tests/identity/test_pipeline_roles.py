"""Pipelines act as their roles: a missing permission fails the action with AWS's message, the
denied call is in the audit trail, and AWS's documented policy lets the providers run."""

import json
import re

import pytest
from engine.scenario import approval_pipeline, approve, state_of

from codepipeline_lab.setup_helpers import create_bucket, create_service_role, push

WITHOUT_GET_BRANCH = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "codecommit:GetCommit", "codecommit:UploadArchive"], "Resource": "*"}]}


@pytest.fixture
def repository(lab):
    create_bucket(lab, "demo-artifacts")
    lab.client("codecommit").create_repository(repositoryName="app")
    push(lab, "app", {"app.py": "print('hello')\n"}, "Initial commit")


def source_error(lab, name="demo"):
    [detail] = [d for d in lab.client("codepipeline").list_action_executions(pipelineName=name)["actionExecutionDetails"]
                if d["actionName"] == "Source"]
    return detail["output"]["executionResult"] if "output" in detail else None, detail


def test_a_role_without_get_branch_fails_the_source_with_awss_message(lab, repository):
    role = create_service_role(lab, policy=WITHOUT_GET_BRANCH)
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(role))
    lab.run()
    [stage] = [s for s in lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"] if s["stageName"] == "Source"]
    error = stage["actionStates"][0]["latestExecution"]["errorDetails"]
    assert error["code"] == "PermissionError"
    assert error["message"].startswith("The service role or action role doesn’t have the permissions required to access "
                                       "the AWS CodeCommit repository named app.")
    # the session name of CodePipeline's sessions is the epoch milliseconds of the virtual clock
    assert re.search(r"Error: User: arn:aws:sts::123456789012:assumed-role/CodePipelineServiceRole/\d{13} is not authorized "
                     r"to perform: codecommit:GetBranch on resource: arn:aws:codecommit:us-east-1:123456789012:app because no "
                     r"identity-based policy allows the codecommit:GetBranch action$", error["message"])
    summary = lab.client("codepipeline").list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"][0]
    assert summary["status"] == "Failed"


def test_the_denied_call_is_in_the_audit_trail(lab, repository):
    role = create_service_role(lab, policy=WITHOUT_GET_BRANCH)
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(role))
    lab.run()
    events = lab.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetBranch"}])["Events"]
    denied = [json.loads(e["CloudTrailEvent"]) for e in events if "errorCode" in json.loads(e["CloudTrailEvent"])]
    assert len(denied) == 1
    record = denied[0]
    assert record["errorCode"] == "AccessDeniedException"
    assert record["userIdentity"]["type"] == "AssumedRole"
    assert record["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] == role
    assert record["eventSource"] == "codecommit.amazonaws.com"


def test_a_role_with_no_policy_at_all_runs_nothing(lab, repository):
    role = create_service_role(lab, policy=None)
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(role))
    lab.run()
    assert state_of(lab)["Source"][0] == "Failed"


def test_fixing_the_policy_and_retrying_the_stage_succeeds(lab, repository):
    role = create_service_role(lab, policy=WITHOUT_GET_BRANCH)
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=approval_pipeline(role))
    lab.run()
    lab.client("iam").put_role_policy(RoleName="CodePipelineServiceRole", PolicyName="GetBranch", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codecommit:GetBranch", "Resource": "*"}]}))
    execution = cp.list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"][0]["pipelineExecutionId"]
    cp.retry_stage_execution(pipelineName="demo", stageName="Source", pipelineExecutionId=execution, retryMode="FAILED_ACTIONS")
    lab.run()
    assert state_of(lab)["Source"][0] == "Succeeded"


def test_an_explicit_deny_beats_the_documented_policy(lab, repository):
    role = create_service_role(lab)
    lab.client("iam").put_role_policy(RoleName="CodePipelineServiceRole", PolicyName="NoArtifacts", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::demo-artifacts/*"}]}))
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(role))
    lab.run()
    [stage] = [s for s in lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"] if s["stageName"] == "Source"]
    error = stage["actionStates"][0]["latestExecution"]["errorDetails"]
    assert error["code"] == "PermissionError"
    assert "the Amazon S3 bucket named demo-artifacts" in error["message"]
    assert "s3:PutObject" in error["message"] and "with an explicit deny in a identity-based policy" not in error["message"]
    assert "with an explicit deny in an identity-based policy" in error["message"]


def test_the_documented_policy_runs_approval_with_sns(lab, repository):
    role = create_service_role(lab)
    topic = lab.client("sns").create_topic(Name="approvals")["TopicArn"]
    declared = approval_pipeline(role)
    declared["stages"][1]["actions"][0]["configuration"] = {"NotificationArn": topic}
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    approve(lab)
    lab.run()
    assert state_of(lab)["Approve"][0] == "Succeeded"


def test_a_codebuild_project_whose_role_trusts_only_ec2_is_refused(lab):
    role = create_service_role(lab, "Ec2Role", "ec2.amazonaws.com")
    with pytest.raises(lab.client("codebuild").exceptions.InvalidInputException) as refused:
        lab.client("codebuild").create_project(
            name="app-build", source={"type": "CODEPIPELINE"}, artifacts={"type": "CODEPIPELINE"},
            environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
            serviceRole=role)
    assert "CodeBuild is not authorized to perform: sts:AssumeRole on service role" in str(refused.value)
    assert lab.client("codebuild").list_projects()["projects"] == []


def test_create_pipeline_checks_the_pipeline_role_may_assume_each_action_role(lab, repository):
    role = create_service_role(lab)
    other = create_service_role(lab, "DeployRole", "codepipeline.amazonaws.com")    # trusts the service, not the role
    declared = approval_pipeline(role)
    declared["stages"][1]["actions"][0]["roleArn"] = other
    with pytest.raises(lab.client("codepipeline").exceptions.InvalidStructureException) as refused:
        lab.client("codepipeline").create_pipeline(pipeline=declared)
    assert f"{role} is not authorized to perform AssumeRole on role {other}" in str(refused.value)
    assert lab.client("codepipeline").list_pipelines()["pipelines"] == []


def test_an_action_role_the_pipeline_role_may_assume_is_used_for_the_action(lab, repository):
    role = create_service_role(lab)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": role}, "Action": "sts:AssumeRole"}]}
    iam = lab.client("iam")
    action_role = iam.create_role(RoleName="SourceRole", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    declared = approval_pipeline(role)
    declared["stages"][0]["actions"][0]["roleArn"] = action_role
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    # the action role has no permissions yet: the source fails as SourceRole, not as the pipeline role
    state = lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][0]
    assert "assumed-role/SourceRole/" in state["actionStates"][0]["latestExecution"]["errorDetails"]["message"]
