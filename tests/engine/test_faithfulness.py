"""Small faithfulness fixes a new user runs into (issue 11, points 4 and 6)."""

import json
import re

import pytest
from botocore.exceptions import ClientError

from builders import action, codebuild, declaration
from codepipeline_lab.setup_helpers import create_bucket, create_service_role, create_user
from scenario import approval_pipeline, executions, token_of


def error_of(call):
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]


# -- who answered an approval ------------------------------------------------------------

def test_answered_approval_shows_who_answered(lab, account):
    credentials = create_user(lab, "approver", [{"Effect": "Allow", "Action": "codepipeline:*", "Resource": "*"}])
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    lab.client("codepipeline", credentials=credentials).put_approval_result(
        pipelineName="demo", stageName="Approve", actionName="Approval", token=token_of(lab), result={"status": "Approved", "summary": "ok"})
    user = "arn:aws:iam::123456789012:user/approver"
    latest = lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][1]["actionStates"][0]["latestExecution"]
    assert latest["lastUpdatedBy"] == user
    details = lab.client("codepipeline").list_action_executions(pipelineName="demo")["actionExecutionDetails"]
    assert {d["actionName"]: d.get("updatedBy") for d in details} == {"Approval": user, "Source": None}


# -- stopTrigger --------------------------------------------------------------------------

def test_stopped_execution_summary_has_the_stop_trigger(lab, account):
    codepipeline = lab.client("codepipeline")
    codepipeline.create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    first = executions(lab)[0][0]
    codepipeline.stop_pipeline_execution(pipelineName="demo", pipelineExecutionId=first, abandon=True, reason="wrong commit")
    second = codepipeline.start_pipeline_execution(name="demo")["pipelineExecutionId"]
    lab.run()
    summaries = {s["pipelineExecutionId"]: s for s in codepipeline.list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"]}
    assert summaries[first]["status"] == "Stopped" and summaries[first]["stopTrigger"] == {"reason": "wrong commit"}
    assert "stopTrigger" not in summaries[second]


# -- artifact stores and regions ----------------------------------------------------------

def test_artifact_stores_must_cover_every_action_region(lab, account):
    create_bucket(lab, "demo-artifacts-eu", region="eu-west-1")
    declared = declaration(account, stages=[{"name": "Source", "actions": [declaration()["stages"][0]["actions"][0]]},
                                            {"name": "Build", "actions": [codebuild(region="eu-west-1")]}])
    del declared["artifactStore"]
    declared["artifactStores"] = {"us-east-1": {"type": "S3", "location": "demo-artifacts"}}
    error = error_of(lambda: lab.client("codepipeline").create_pipeline(pipeline=declared))
    assert error["Code"] == "InvalidStructureException" and "eu-west-1" in error["Message"]


def test_artifact_store_in_another_region_fails_the_first_action_that_writes(lab, account):
    create_bucket(lab, "eu-artifacts", region="eu-west-1")
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account, artifactStore={"type": "S3", "location": "eu-artifacts"}))
    lab.run()
    source = lab.client("codepipeline").list_action_executions(pipelineName="demo")["actionExecutionDetails"][0]
    assert source["actionName"] == "Source" and source["status"] == "Failed"
    error = source["output"]["executionResult"]["errorDetails"]
    assert error["code"] == "JobFailed"
    assert "eu-artifacts is in eu-west-1, not in us-east-1" in error["message"]


# -- pipeline variables without a default --------------------------------------------------

def variables_pipeline(role):
    deploy = action("Deploy", "Deploy", "S3", inputs=["SourceOutput"],
                    configuration={"BucketName": "demo-artifacts", "Extract": "true", "ObjectKey": "#{variables.Release}"})
    return declaration(role, pipelineType="V2", variables=[{"name": "Release"}],
                       stages=[declaration()["stages"][0], {"name": "Deploy", "actions": [deploy]}])


def test_variable_without_default_is_valid_and_needs_a_value_only_to_start_by_hand(lab, account):
    codepipeline = lab.client("codepipeline")
    codepipeline.create_pipeline(pipeline=variables_pipeline(account))
    assert [p["name"] for p in codepipeline.list_pipelines()["pipelines"]] == ["demo"]
    lab.run()
    deploy = lab.client("codepipeline").list_action_executions(pipelineName="demo")["actionExecutionDetails"][0]
    assert deploy["actionName"] == "Deploy" and deploy["output"]["executionResult"]["errorDetails"]["code"] == "ConfigurationError"
    assert error_of(lambda: codepipeline.start_pipeline_execution(name="demo"))["Code"] == "ValidationException"
    codepipeline.start_pipeline_execution(name="demo", variables=[{"name": "Release", "value": "r1"}])
    lab.run()
    assert executions(lab)[0][1] == "Succeeded"


def test_a_create_pipeline_that_fails_leaves_nothing_behind(lab, account, monkeypatch):
    codepipeline = lab.client("codepipeline")

    def broken(pipeline):
        raise RuntimeError("the first execution could not start")

    monkeypatch.setattr(lab.account.engine, "pipeline_created", broken)
    with pytest.raises(Exception):
        codepipeline.create_pipeline(pipeline=approval_pipeline(account))
    assert codepipeline.list_pipelines()["pipelines"] == []
    monkeypatch.undo()
    codepipeline.create_pipeline(pipeline=approval_pipeline(account))     # the name is free again
    assert [p["name"] for p in codepipeline.list_pipelines()["pipelines"]] == ["demo"]


def test_a_failing_update_pipeline_changes_nothing(lab, account):
    codepipeline = lab.client("codepipeline")
    codepipeline.create_pipeline(pipeline=approval_pipeline(account))
    broken = approval_pipeline(account)
    broken["stages"][1]["actions"][0]["actionTypeId"]["provider"] = "Nobody"
    assert error_of(lambda: codepipeline.update_pipeline(pipeline=broken))["Code"] == "InvalidActionDeclarationException"
    assert codepipeline.get_pipeline(name="demo")["pipeline"]["version"] == 1
    assert codepipeline.list_pipelines()["pipelines"][0]["version"] == 1


# -- timeoutInMinutes ----------------------------------------------------------------------

def test_timeout_in_minutes_only_on_manual_approval_actions(lab, account):
    declared = declaration(account)
    declared["stages"][1]["actions"][0]["timeoutInMinutes"] = 60
    error = error_of(lambda: lab.client("codepipeline").create_pipeline(pipeline=declared))
    assert error["Code"] == "InvalidActionDeclarationException"
    assert "'Build'" in error["Message"] and "timeoutInMinutes" in error["Message"]
    assert lab.client("codepipeline").list_pipelines()["pipelines"] == []


# -- EventBridge target input ------------------------------------------------------------------

def queue(lab, name):
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def received(lab, url):
    return [m["Body"] for m in lab.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


def test_event_target_input_options_shape_what_the_target_receives(lab):
    events = lab.client("events")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
    targets = {}
    for name in ("constant", "path", "text", "json"):
        targets[name] = queue(lab, name)
    paths = {"id": "$.detail.id", "state": "$.detail.state", "count": "$.detail.count", "first": "$.resources[0]", "gone": "$.detail.missing"}
    events.put_targets(Rule="orders", Targets=[
        {"Id": "c", "Arn": targets["constant"][1], "Input": '{"fixed":  true}'},
        {"Id": "p", "Arn": targets["path"][1], "InputPath": "$.detail.state"},
        {"Id": "t", "Arn": targets["text"][1], "InputTransformer": {
            "InputPathsMap": paths, "InputTemplate": '"Order <id> is <state> (<count> items) by rule <aws.events.rule-name>"'}},
        {"Id": "j", "Arn": targets["json"][1], "InputTransformer": {
            "InputPathsMap": paths, "InputTemplate": '{"order": <id>, "n": <count>, "line": "<id> is <state>", "arn": <first>, "gone": <gone>}'}},
    ])
    events.put_events(Entries=[{"Source": "shop", "DetailType": "Order", "Resources": ["arn:aws:shop:::order/7"],
                                "Detail": json.dumps({"id": "o-7", "state": "PAID", "count": 3})}])
    assert received(lab, targets["constant"][0]) == ['{"fixed":  true}']          # Input is delivered as written
    assert received(lab, targets["path"][0]) == ['"PAID"']                         # InputPath gives JSON
    assert received(lab, targets["text"][0]) == ['"Order o-7 is PAID (3 items) by rule orders"']
    [body] = received(lab, targets["json"][0])
    assert json.loads(body) == {"order": "o-7", "n": 3, "line": "o-7 is PAID", "arn": "arn:aws:shop:::order/7", "gone": None}


# -- CodeBuild paths are the same on every machine ----------------------------------------------

BUILDSPEC = """version: 0.2
env:
  exported-variables:
    - SOURCE_DIR
    - WHERE
phases:
  build:
    commands:
      - echo "src=$CODEBUILD_SRC_DIR"
      - pwd -P
      - SOURCE_DIR=$CODEBUILD_SRC_DIR
      - WHERE=$(pwd -P)
"""


def test_build_paths_are_codebuilds_own_not_the_machines(lab, account):
    create_service_role(lab, "CodeBuildRole", "codebuild.amazonaws.com")
    lab.client("codebuild").create_project(
        name="app-build", source={"type": "CODEPIPELINE", "buildspec": BUILDSPEC}, artifacts={"type": "CODEPIPELINE"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
        serviceRole="arn:aws:iam::123456789012:role/CodeBuildRole")
    lab.client("codepipeline").create_pipeline(pipeline=declaration(account, stages=[
        declaration()["stages"][0], {"name": "Build", "actions": [codebuild(namespace="BuildVariables")]}]))
    lab.run()
    build = [d for d in lab.client("codepipeline").list_action_executions(pipelineName="demo")["actionExecutionDetails"] if d["actionName"] == "Build"][0]
    assert build["status"] == "Succeeded"
    shown = build["output"]["outputVariables"]
    assert re.fullmatch(r"/codebuild/output/src\d+/src", shown["SOURCE_DIR"]) and shown["WHERE"] == shown["SOURCE_DIR"]
    found = lab.client("codebuild").batch_get_builds(ids=[build["output"]["executionResult"]["externalExecutionId"]])["builds"][0]
    logs = lab.client("logs").get_log_events(logGroupName=found["logs"]["groupName"], logStreamName=found["logs"]["streamName"])
    text = "\n".join(e["message"] for e in logs["events"])
    assert f"src={shown['SOURCE_DIR']}" in text and "codepipeline-lab-build-" not in text


def test_a_disabled_transition_names_the_user_who_disabled_it(lab, account):
    from codepipeline_lab.setup_helpers import create_user
    from scenario import approval_pipeline
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    keys = create_user(lab, "ops", [{"Effect": "Allow", "Action": "codepipeline:*", "Resource": "*"}])
    lab.client("codepipeline", credentials=keys).disable_stage_transition(
        pipelineName="demo", stageName="Approve", transitionType="Inbound", reason="freeze")
    state = lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][1]["inboundTransitionState"]
    assert state["lastChangedBy"] == "arn:aws:iam::123456789012:user/ops" and state["disabledReason"] == "freeze"
