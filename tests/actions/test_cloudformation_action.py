"""Deploy/AWS/CloudFormation: every ActionMode on moto's CloudFormation, failures and rollbacks,
change sets, parameters and their precedence, capabilities, RoleArn, and bad input."""

import json

import pytest
from actions_kit import commit, details, output_files, pipeline
from builders import action

from codepipeline_lab.setup_helpers import create_bucket, create_service_role

ACCOUNT = "123456789012"
CFN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/CloudFormationRole"

QUEUE = {
    "Parameters": {"Suffix": {"Type": "String", "Default": "one"}},
    "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "app-${Suffix}"}}}},
    "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}, "QueueName": {"Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}},
}


def cfn_role(lab, service="cloudformation.amazonaws.com"):
    return create_service_role(lab, "CloudFormationRole", service, policy=None)


def deploy_stage(mode="CREATE_UPDATE", outputs=(), inputs=("SourceOutput",), namespace=None, name="Deploy", run_order=None, **configuration):
    config = {"ActionMode": mode, "StackName": "app-stack", **configuration}
    if mode != "CHANGE_SET_EXECUTE" and "RoleArn" not in configuration:
        config["RoleArn"] = CFN_ROLE
    config = {k: v for k, v in config.items() if v is not None}
    extra = {"namespace": namespace} if namespace else {}
    return action(name, "Deploy", "CloudFormation", inputs=list(inputs), outputs=list(outputs), configuration=config,
                  run_order=run_order, **extra)


def run_pipeline(lab, role, *actions):
    cp = lab.client("codepipeline")
    declared = pipeline(role, {"name": "Deploy", "actions": list(actions)})
    try:
        cp.get_pipeline(name="demo")
        cp.update_pipeline(pipeline=declared)
        cp.start_pipeline_execution(name="demo")
    except cp.exceptions.PipelineNotFoundException:
        cp.create_pipeline(pipeline=declared)
    lab.run()
    return details(lab)


def stack(lab, name="app-stack"):
    return lab.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]


def error_of(detail):
    return detail["output"]["executionResult"]["errorDetails"]


def stacks_left(lab):
    return [s["StackName"] for s in lab.client("cloudformation").list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]


# -- CREATE_UPDATE, outputs, variables --------------------------------------------------------

def test_create_update_creates_then_updates_then_finds_nothing_to_do(lab, role):
    cfn_role(lab)
    commit(lab, {"template.json": json.dumps(QUEUE)})
    deploy = deploy_stage(TemplatePath="SourceOutput::template.json", OutputFileName="outputs.json", outputs=["StackOutput"], namespace="Stack")
    result = run_pipeline(lab, role, deploy)["Deploy"]
    assert result["status"] == "Succeeded"
    created = stack(lab)
    assert created["StackStatus"] == "CREATE_COMPLETE" and created["RoleARN"] == CFN_ROLE
    url = lab.client("sqs").get_queue_url(QueueName="app-one")["QueueUrl"]
    assert result["output"]["outputVariables"] == {"QueueUrl": url, "QueueName": "app-one"}
    assert json.loads(output_files(lab, result)["outputs.json"]) == {"QueueName": "app-one", "QueueUrl": url}
    assert result["output"]["executionResult"]["externalExecutionId"] == created["StackId"]

    template = {**QUEUE, "Resources": {**QUEUE["Resources"], "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "app-news"}}}}
    commit(lab, {"template.json": json.dumps(template)})
    assert run_pipeline(lab, role, deploy)["Deploy"]["status"] == "Succeeded"
    assert stack(lab)["StackStatus"] == "UPDATE_COMPLETE"
    assert any(t["TopicArn"].endswith(":app-news") for t in lab.client("sns").list_topics()["Topics"])

    again = run_pipeline(lab, role, deploy)["Deploy"]
    assert again["status"] == "Succeeded"
    assert "No updates are to be performed" in again["output"]["executionResult"]["externalExecutionSummary"]


def test_yaml_templates_with_short_tags(lab, role):
    cfn_role(lab)
    commit(lab, {"stack.yml": """Parameters:
  Env: {Type: String, Default: dev}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "orders-${Env}"
Outputs:
  Arn:
    Value: !GetAtt Queue.Arn
  Url:
    Value: !Ref Queue
"""})
    result = run_pipeline(lab, role, deploy_stage(TemplatePath="SourceOutput::stack.yml", namespace="Stack"))["Deploy"]
    assert result["status"] == "Succeeded", result
    assert result["output"]["outputVariables"]["Arn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders-dev"


# -- parameters ---------------------------------------------------------------------------------

def test_overrides_beat_the_template_configuration_which_beats_defaults(lab, role):
    cfn_role(lab)
    template = {"Parameters": {name: {"Type": "String", "Default": "default"} for name in ("A", "B", "C", "D", "E")},
                "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    commit(lab, {"template.json": json.dumps(template),
                 "config.json": json.dumps({"Parameters": {"B": "config", "C": "config"}, "Tags": {"team": "blue"},
                                            "StackPolicy": {"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}}),
                 "previous.json": json.dumps({"Endpoint": "https://api.example.com"})})
    overrides = {"C": "override", "D": {"Fn::GetParam": ["SourceOutput", "previous.json", "Endpoint"]},
                 "E": {"Fn::GetArtifactAtt": ["SourceOutput", "BucketName"]}}
    result = run_pipeline(lab, role, deploy_stage(TemplatePath="SourceOutput::template.json", TemplateConfiguration="SourceOutput::config.json",
                                                  ParameterOverrides=json.dumps(overrides)))["Deploy"]
    assert result["status"] == "Succeeded", result
    created = stack(lab)
    assert {p["ParameterKey"]: p["ParameterValue"] for p in created["Parameters"]} == {
        "A": "default", "B": "config", "C": "override", "D": "https://api.example.com", "E": "demo-artifacts"}
    assert {"Key": "team", "Value": "blue"} in created["Tags"]
    assert "Update:*" in lab.client("cloudformation").get_stack_policy(StackName="app-stack")["StackPolicyBody"]


# -- failures and REPLACE_ON_FAILURE ---------------------------------------------------------

TAKEN = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "first"}},
                       "Bucket": {"Type": "AWS::S3::Bucket", "DependsOn": "Queue", "Properties": {"BucketName": "taken-name"}}}}


def test_a_failed_creation_rolls_back_and_only_replace_on_failure_recovers(lab, role):
    cfn_role(lab)
    create_bucket(lab, "taken-name")
    commit(lab, {"template.json": json.dumps(TAKEN)})
    failed = run_pipeline(lab, role, deploy_stage(TemplatePath="SourceOutput::template.json"))["Deploy"]
    assert failed["status"] == "Failed"
    assert error_of(failed)["message"] == ("Stack app-stack failed to create and is now ROLLBACK_COMPLETE. The first resource "
                                           "that failed: Bucket (AWS::S3::Bucket): taken-name already exists")
    first = stack(lab)
    assert first["StackStatus"] == "ROLLBACK_COMPLETE"
    events = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in
              lab.client("cloudformation").describe_stack_events(StackName="app-stack")["StackEvents"][::-1]]
    assert events.index(("Bucket", "CREATE_FAILED")) < events.index(("Queue", "DELETE_COMPLETE")) < events.index(("app-stack", "ROLLBACK_COMPLETE"))
    assert "QueueUrls" not in lab.client("sqs").list_queues()            # the queue was rolled back

    again = run_pipeline(lab, role, deploy_stage(TemplatePath="SourceOutput::template.json"))["Deploy"]
    assert again["status"] == "Failed"
    assert "is in ROLLBACK_COMPLETE state and can not be updated" in error_of(again)["message"]

    commit(lab, {"template.json": json.dumps(QUEUE)})
    replaced = run_pipeline(lab, role, deploy_stage("REPLACE_ON_FAILURE", TemplatePath="SourceOutput::template.json"))["Deploy"]
    assert replaced["status"] == "Succeeded", replaced
    second = stack(lab)
    assert second["StackStatus"] == "CREATE_COMPLETE" and second["StackId"] != first["StackId"]


def test_a_failed_update_rolls_back_to_the_previous_stack(lab, role):
    cfn_role(lab)
    create_bucket(lab, "taken-name")
    commit(lab, {"template.json": json.dumps(QUEUE)})
    deploy = deploy_stage("REPLACE_ON_FAILURE", TemplatePath="SourceOutput::template.json", namespace="Stack")
    assert run_pipeline(lab, role, deploy)["Deploy"]["status"] == "Succeeded"
    broken = {**QUEUE, "Resources": {**QUEUE["Resources"], "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "taken-name"}}}}
    commit(lab, {"template.json": json.dumps(broken)})
    failed = run_pipeline(lab, role, deploy)["Deploy"]
    assert failed["status"] == "Failed"
    assert "failed to update and is now UPDATE_ROLLBACK_COMPLETE" in error_of(failed)["message"]
    after = stack(lab)
    assert after["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"              # updatable: not replaced
    assert {o["OutputKey"] for o in after["Outputs"]} == {"QueueUrl", "QueueName"}


@pytest.mark.parametrize("resource, reason", [
    ({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs", "FifoQueue": True}}, "Queue name must end in .fifo"),
    ({"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "bad name!"}}, "Topic names must be made up of"),
])
def test_other_template_mistakes_fail_the_resource(lab, role, resource, reason):
    cfn_role(lab)
    commit(lab, {"template.json": json.dumps({"Resources": {"Thing": resource}})})
    failed = run_pipeline(lab, role, deploy_stage(TemplatePath="SourceOutput::template.json"))["Deploy"]
    assert failed["status"] == "Failed" and reason in error_of(failed)["message"]
    assert stack(lab)["StackStatus"] == "ROLLBACK_COMPLETE"


# -- DELETE_ONLY --------------------------------------------------------------------------------

def test_delete_only(lab, role):
    cfn_role(lab)
    cfn = lab.client("cloudformation")
    cfn.create_stack(StackName="app-stack", TemplateBody=json.dumps(QUEUE))
    result = run_pipeline(lab, role, deploy_stage("DELETE_ONLY", inputs=()))["Deploy"]
    assert result["status"] == "Succeeded"
    assert stacks_left(lab) == [] and "QueueUrls" not in lab.client("sqs").list_queues()
    again = run_pipeline(lab, role, deploy_stage("DELETE_ONLY", inputs=()))["Deploy"]
    assert again["status"] == "Succeeded" and "does not exist" in again["output"]["executionResult"]["externalExecutionSummary"]


def test_delete_only_of_a_stack_with_a_full_bucket_fails(lab, role):
    cfn_role(lab)
    lab.client("cloudformation").create_stack(StackName="app-stack", TemplateBody=json.dumps(
        {"Resources": {"Site": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "site-content"}}}}))
    lab.client("s3").put_object(Bucket="site-content", Key="index.html", Body=b"<p>hi</p>")
    failed = run_pipeline(lab, role, deploy_stage("DELETE_ONLY", inputs=()))["Deploy"]
    assert failed["status"] == "Failed"
    assert "now DELETE_FAILED" in error_of(failed)["message"] and "The bucket you tried to delete is not empty" in error_of(failed)["message"]
    assert stack(lab)["StackStatus"] == "DELETE_FAILED"


# -- change sets ---------------------------------------------------------------------------------

def test_change_set_replace_then_execute(lab, role):
    cfn_role(lab)
    commit(lab, {"template.json": json.dumps(QUEUE)})
    cfn = lab.client("cloudformation")
    replace = deploy_stage("CHANGE_SET_REPLACE", name="Prepare", TemplatePath="SourceOutput::template.json", ChangeSetName="release")
    assert run_pipeline(lab, role, replace)["Prepare"]["status"] == "Succeeded"
    first = cfn.describe_change_set(ChangeSetName="release", StackName="app-stack")
    assert first["Status"] == "CREATE_COMPLETE" and stack(lab)["StackStatus"] == "REVIEW_IN_PROGRESS"
    assert [c["ResourceChange"]["LogicalResourceId"] for c in first["Changes"]] == ["Queue"]

    execute = deploy_stage("CHANGE_SET_EXECUTE", name="Execute", inputs=(), ChangeSetName="release", run_order=2, namespace="Stack")
    result = run_pipeline(lab, role, replace, execute)
    assert result["Prepare"]["status"] == result["Execute"]["status"] == "Succeeded"
    second = cfn.describe_change_set(ChangeSetName="release", StackName="app-stack")
    assert second["ChangeSetId"] != first["ChangeSetId"]                  # replaced, not added
    assert stack(lab)["StackStatus"] == "CREATE_COMPLETE"
    assert result["Execute"]["output"]["outputVariables"]["QueueName"] == "app-one"


def test_change_set_execute_without_the_change_set_fails(lab, role):
    result = run_pipeline(lab, role, deploy_stage("CHANGE_SET_EXECUTE", inputs=(), ChangeSetName="missing"))["Deploy"]
    assert result["status"] == "Failed" and error_of(result)["message"] == "ChangeSet [missing] does not exist"


# -- capabilities --------------------------------------------------------------------------------

IAM_ROLE = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}}}}


@pytest.mark.parametrize("named, capabilities, outcome", [
    (False, None, "Requires capabilities : [CAPABILITY_IAM]"),
    (True, "CAPABILITY_IAM", "Requires capabilities : [CAPABILITY_NAMED_IAM]"),
    (False, "CAPABILITY_IAM", None),
    (True, "CAPABILITY_IAM,CAPABILITY_NAMED_IAM", None),
])
def test_capabilities(lab, role, named, capabilities, outcome):
    cfn_role(lab)
    template = json.loads(json.dumps(IAM_ROLE))
    if named:
        template["Resources"]["Role"]["Properties"]["RoleName"] = "app-function-role"
    commit(lab, {"template.json": json.dumps(template)})
    result = run_pipeline(lab, role, deploy_stage(TemplatePath="SourceOutput::template.json", Capabilities=capabilities))["Deploy"]
    if outcome:
        assert result["status"] == "Failed" and error_of(result)["message"] == outcome
        assert stacks_left(lab) == []
    else:
        assert result["status"] == "Succeeded", result
        assert stack(lab)["StackStatus"] == "CREATE_COMPLETE"


# -- RoleArn -------------------------------------------------------------------------------------

def test_role_arn_must_trust_cloudformation(lab, role):
    cfn_role(lab, service="codepipeline.amazonaws.com")
    commit(lab, {"template.json": json.dumps(QUEUE)})
    result = run_pipeline(lab, role, deploy_stage(TemplatePath="SourceOutput::template.json"))["Deploy"]
    assert result["status"] == "Failed"
    assert error_of(result)["message"] == f"Role {CFN_ROLE} is invalid or cannot be assumed"
    assert stacks_left(lab) == []


def test_pass_role_denied_is_a_permission_error(lab, role):
    cfn_role(lab)
    lab.client("iam").put_role_policy(RoleName="CodePipelineServiceRole", PolicyName="NoPassRole", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}]}))
    commit(lab, {"template.json": json.dumps(QUEUE)})
    result = run_pipeline(lab, role, deploy_stage(TemplatePath="SourceOutput::template.json"))["Deploy"]
    assert result["status"] == "Failed"
    assert error_of(result)["code"] == "PermissionError"
    assert f"is not authorized to perform: iam:PassRole on resource: {CFN_ROLE}" in error_of(result)["message"]
    assert stacks_left(lab) == []


def test_missing_role_arn_is_accepted_by_create_pipeline_and_fails_the_run(lab, role):
    commit(lab, {"template.json": json.dumps(QUEUE)})
    result = run_pipeline(lab, role, deploy_stage(TemplatePath="SourceOutput::template.json", RoleArn=None))["Deploy"]
    assert result["status"] == "Failed"
    assert error_of(result) == {"code": "ConfigurationError", "message": "Configuration Property RoleArn should not be empty in current ActionMode"}


# -- bad input: the action fails, names the problem, and leaves no stack -------------------------

@pytest.mark.parametrize("files, configuration, fragment", [
    ({"template.yml": "Resources:\n  Queue: [unclosed\n"}, {"TemplatePath": "SourceOutput::template.yml"},
     "Template format error: YAML not well-formed. (line 3, column 1) (TemplatePath SourceOutput::template.yml)"),
    ({"template.json": '{"Resources": '}, {"TemplatePath": "SourceOutput::template.json"}, "Template format error: JSON not well-formed."),
    ({"template.json": json.dumps({"Parameters": {}})}, {"TemplatePath": "SourceOutput::template.json"}, "At least one Resources member must be defined."),
    ({}, {"TemplatePath": "SourceOutput::missing.json"}, "TemplatePath: file missing.json does not exist in artifact [SourceOutput]"),
    ({}, {"TemplatePath": "BuildOutput::template.json"}, "TemplatePath names artifact BuildOutput, which is not an input artifact of action Deploy"),
    ({}, {"TemplatePath": "template.json"}, "TemplatePath 'template.json' must have the form ArtifactName::FilePath"),
    ({"template.json": json.dumps(QUEUE)}, {"TemplatePath": "SourceOutput::template.json", "ParameterOverrides": "{Suffix: two}"},
     "ParameterOverrides is not valid JSON"),
    ({"template.json": json.dumps(QUEUE)}, {"TemplatePath": "SourceOutput::template.json", "ParameterOverrides": '{"Sufix": "two"}'},
     "Parameters: [Sufix] do not exist in the template"),
    ({"template.json": json.dumps(QUEUE)}, {"TemplatePath": "SourceOutput::template.json",
                                            "ParameterOverrides": '{"Suffix": {"Fn::GetParam": ["SourceOutput", "out.json", "Name"]}}'},
     "ParameterOverrides.Suffix (Fn::GetParam): file out.json does not exist in artifact [SourceOutput]"),
    ({"template.json": json.dumps(QUEUE), "config.json": "{"}, {"TemplatePath": "SourceOutput::template.json",
                                                                 "TemplateConfiguration": "SourceOutput::config.json"},
     "TemplateConfiguration SourceOutput::config.json is not valid JSON"),
    ({"template.json": json.dumps(QUEUE)}, {"TemplatePath": "SourceOutput::template.json", "Capabilities": "CAPABILITY_ADMIN"},
     "Member must satisfy enum value set: [CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND]"),
    ({"template.json": json.dumps(QUEUE)}, {"TemplatePath": "SourceOutput::template.json", "StackName": "app_stack"},
     "Value 'app_stack' at 'stackName' failed to satisfy constraint"),
    ({"template.json": json.dumps({"Parameters": {"Name": {"Type": "String"}}, "Resources": {"T": {"Type": "AWS::SNS::Topic"}}})},
     {"TemplatePath": "SourceOutput::template.json"}, "Parameters: [Name] must have values"),
])
def test_bad_input_fails_the_action_and_leaves_nothing_half_done(lab, role, files, configuration, fragment):
    cfn_role(lab)
    if files:
        commit(lab, files)
    result = run_pipeline(lab, role, deploy_stage(**configuration))["Deploy"]
    assert result["status"] == "Failed"
    assert fragment in error_of(result)["message"]
    assert stacks_left(lab) == []
