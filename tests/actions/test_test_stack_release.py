"""The test-stack release (chapter 06): a test stack with a load balancer and an Auto Scaling
group created by CREATE_UPDATE, tested over HTTP by a build that reads the stack's output,
deleted by DELETE_ONLY, then production; and the change set -> approval -> execute variant."""

import json
from pathlib import Path

import pytest
from actions_kit import build_of, commit, details, log_text, pipeline, project
from builders import action

from codepipeline_lab.setup_helpers import create_service_role

CFN_ROLE = "arn:aws:iam::123456789012:role/CloudFormationRole"
TEMPLATE = (Path(__file__).parent / "web_tier.yml").read_text()
BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - Q="Stacks[0].Outputs[?OutputKey=='Url'].OutputValue"
      - URL=$(aws cloudformation describe-stacks --stack-name web-test --query "$Q" --output text)
      - echo "testing $URL"
      - curl -s -f "$URL/version" | grep "release $RELEASE"
      - curl -s -f -o /dev/null -w "servers answer %{http_code}\\n" "$URL/"
"""
READ_STACKS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "cloudformation:DescribeStacks", "Resource": "*"}]}


def cloudformation(name, mode, stack, run_order=1, inputs=("SourceOutput",), **configuration):
    config = {"ActionMode": mode, "StackName": stack, **configuration}
    if mode != "CHANGE_SET_EXECUTE":
        config["RoleArn"] = CFN_ROLE
    return action(name, "Deploy", "CloudFormation", inputs=list(inputs), configuration=config, run_order=run_order)


def deployed(stack, config, **extra):
    return {"TemplatePath": "SourceOutput::web.yml", "TemplateConfiguration": f"SourceOutput::{config}",
            "ParameterOverrides": json.dumps({"Release": "#{SourceVariables.CommitId}"}), **extra}


def release_test_stage():
    source_release = json.dumps([{"name": "RELEASE", "value": "#{SourceVariables.CommitId}", "type": "PLAINTEXT"}])
    return {"name": "Test", "actions": [
        cloudformation("CreateTestStack", "CREATE_UPDATE", "web-test", **deployed("web-test", "test.json")),
        action("HttpTest", "Test", "CodeBuild", inputs=["SourceOutput"], run_order=2,
               configuration={"ProjectName": "app-build", "EnvironmentVariables": source_release}),
        cloudformation("DeleteTestStack", "DELETE_ONLY", "web-test", run_order=3, inputs=()),
    ]}


@pytest.fixture
def web(lab, role):
    create_service_role(lab, "CloudFormationRole", "cloudformation.amazonaws.com", policy=None)
    project(lab)
    lab.client("iam").put_role_policy(RoleName="CodeBuildRole", PolicyName="ReadStacks", PolicyDocument=json.dumps(READ_STACKS))
    commit(lab, {"web.yml": TEMPLATE, "buildspec.yml": BUILDSPEC,
                 "test.json": json.dumps({"Parameters": {"Env": "test"}}),
                 "prod.json": json.dumps({"Parameters": {"Env": "prod", "Size": "2"}})})
    return role


def source_of(declared):
    declared["stages"][0]["actions"][0]["namespace"] = "SourceVariables"
    return declared


def stacks(lab):
    return {s["StackName"]: s["StackStatus"] for s in lab.client("cloudformation").list_stacks()["StackSummaries"]}


def commit_id(lab):
    return lab.client("codecommit").get_branch(repositoryName="app", branchName="main")["branch"]["commitId"]


def test_create_test_stack_curl_it_delete_it_then_production(lab, web):
    production = {"name": "Production", "actions": [
        cloudformation("DeployProduction", "CREATE_UPDATE", "web-prod", **deployed("web-prod", "prod.json"))]}
    lab.client("codepipeline").create_pipeline(pipeline=source_of(pipeline(web, release_test_stage(), production)))
    lab.run()
    found = details(lab)
    assert {name: d["status"] for name, d in found.items()} == {
        "Source": "Succeeded", "CreateTestStack": "Succeeded", "HttpTest": "Succeeded",
        "DeleteTestStack": "Succeeded", "DeployProduction": "Succeeded"}
    order = [found[n]["startTime"] for n in ("CreateTestStack", "HttpTest", "DeleteTestStack", "DeployProduction")]
    assert order == sorted(order)

    log = log_text(lab, build_of(lab, found["HttpTest"]))
    assert "testing http://web-test-1.us-east-1.elb.amazonaws.com" in log
    assert f"web test release {commit_id(lab)}" in log              # the listener rule's answer
    assert "servers answer 200" in log                              # an instance of the Auto Scaling group

    assert stacks(lab) == {"web-test": "DELETE_COMPLETE", "web-prod": "CREATE_COMPLETE"}
    assert [lb["LoadBalancerName"] for lb in lab.client("elbv2").describe_load_balancers()["LoadBalancers"]] == ["web-prod"]
    prod = lab.client("cloudformation").describe_stacks(StackName="web-prod")["Stacks"][0]
    group = next(o["OutputValue"] for o in prod["Outputs"] if o["OutputKey"] == "Servers")
    [described] = lab.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"]
    assert len(described["Instances"]) == 2


def test_a_failed_http_test_keeps_the_test_stack_and_spares_production(lab, web):
    commit(lab, {"buildspec.yml": BUILDSPEC.replace('"$URL/version"', '"$URL/missing"')})
    production = {"name": "Production", "actions": [
        cloudformation("DeployProduction", "CREATE_UPDATE", "web-prod", **deployed("web-prod", "prod.json"))]}
    lab.client("codepipeline").create_pipeline(pipeline=source_of(pipeline(web, release_test_stage(), production)))
    lab.run()
    found = details(lab)
    assert found["HttpTest"]["status"] == "Failed"
    assert "DeleteTestStack" not in found and "DeployProduction" not in found
    assert stacks(lab) == {"web-test": "CREATE_COMPLETE"}
    log = log_text(lab, build_of(lab, found["HttpTest"]))
    assert "curl -s -f \"$URL/missing\"" in log


def test_change_set_then_approval_then_execute(lab, web):
    cp = lab.client("codepipeline")
    first = {"name": "Production", "actions": [
        cloudformation("DeployProduction", "CREATE_UPDATE", "web-prod", **deployed("web-prod", "prod.json"))]}
    cp.create_pipeline(pipeline=source_of(pipeline(web, release_test_stage(), first)))
    lab.run()
    assert stacks(lab)["web-prod"] == "CREATE_COMPLETE"

    reviewed = {"name": "Production", "actions": [
        cloudformation("CreateChangeSet", "CHANGE_SET_REPLACE", "web-prod", ChangeSetName="next", **deployed("web-prod", "prod.json")),
        action("Review", "Approval", "Manual", run_order=2),
        cloudformation("ExecuteChangeSet", "CHANGE_SET_EXECUTE", "web-prod", run_order=3, inputs=(), ChangeSetName="next"),
    ]}
    cp.update_pipeline(pipeline=source_of(pipeline(web, release_test_stage(), reviewed)))
    bigger = TEMPLATE.replace("InstanceType: t3.micro", "InstanceType: t3.small").replace(
        "Outputs:", "  Alerts:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: !Sub \"web-${Env}-alerts\"}\nOutputs:")
    commit(lab, {"web.yml": bigger})
    cp.start_pipeline_execution(name="demo")
    lab.run()

    cfn = lab.client("cloudformation")
    change_set = cfn.describe_change_set(StackName="web-prod", ChangeSetName="next")
    assert change_set["ExecutionStatus"] == "AVAILABLE"
    assert sorted((c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"], c["ResourceChange"]["ResourceType"])
                  for c in change_set["Changes"]) == [("Add", "Alerts", "AWS::SNS::Topic"),
                                                      ("Modify", "LaunchTemplate", "AWS::EC2::LaunchTemplate")]
    assert cfn.describe_stacks(StackName="web-prod")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"   # untouched
    assert lab.client("sns").list_topics()["Topics"] == []
    assert details(lab)["HttpTest"]["status"] == "Succeeded" and stacks(lab)["web-test"] == "DELETE_COMPLETE"

    production = cp.get_pipeline_state(name="demo")["stageStates"][2]
    waiting = next(a for a in production["actionStates"] if a["actionName"] == "Review")["latestExecution"]
    assert waiting["status"] == "InProgress"
    cp.put_approval_result(pipelineName="demo", stageName="Production", actionName="Review", token=waiting["token"],
                           result={"status": "Approved", "summary": "Add and Modify, as reviewed"})
    lab.run()
    assert details(lab)["ExecuteChangeSet"]["status"] == "Succeeded"
    assert cfn.describe_stacks(StackName="web-prod")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert cfn.describe_change_set(StackName="web-prod", ChangeSetName="next")["ExecutionStatus"] == "EXECUTE_COMPLETE"
    assert [t["TopicArn"].rsplit(":", 1)[1] for t in lab.client("sns").list_topics()["Topics"]] == ["web-prod-alerts"]


def test_a_rejected_change_set_is_never_executed(lab, web):
    cp = lab.client("codepipeline")
    first = {"name": "Production", "actions": [
        cloudformation("DeployProduction", "CREATE_UPDATE", "web-prod", **deployed("web-prod", "prod.json"))]}
    cp.create_pipeline(pipeline=source_of(pipeline(web, release_test_stage(), first)))
    lab.run()
    reviewed = {"name": "Production", "actions": [
        cloudformation("CreateChangeSet", "CHANGE_SET_REPLACE", "web-prod", ChangeSetName="next", **deployed("web-prod", "prod.json")),
        action("Review", "Approval", "Manual", run_order=2),
        cloudformation("ExecuteChangeSet", "CHANGE_SET_EXECUTE", "web-prod", run_order=3, inputs=(), ChangeSetName="next"),
    ]}
    cp.update_pipeline(pipeline=source_of(pipeline(web, release_test_stage(), reviewed)))
    commit(lab, {"web.yml": TEMPLATE.replace("Outputs:", "  Alerts:\n    Type: AWS::SNS::Topic\nOutputs:")})
    cp.start_pipeline_execution(name="demo")
    lab.run()
    production = cp.get_pipeline_state(name="demo")["stageStates"][2]
    token = next(a for a in production["actionStates"] if a["actionName"] == "Review")["latestExecution"]["token"]
    cp.put_approval_result(pipelineName="demo", stageName="Production", actionName="Review", token=token,
                           result={"status": "Rejected", "summary": "not this one"})
    lab.run()
    assert "ExecuteChangeSet" not in details(lab)
    cfn = lab.client("cloudformation")
    assert cfn.describe_change_set(StackName="web-prod", ChangeSetName="next")["ExecutionStatus"] == "AVAILABLE"
    assert cfn.describe_stacks(StackName="web-prod")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
