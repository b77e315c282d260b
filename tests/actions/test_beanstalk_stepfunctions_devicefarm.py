"""Elastic Beanstalk deploy, Step Functions invoke and Device Farm test actions."""

import json

import pytest
from actions_kit import commit, create_function, details, pipeline, unzipped
from botocore.exceptions import ClientError
from builders import action

from codepipeline_lab.setup_helpers import create_service_role

STACK = "64bit Amazon Linux 2023 v4.3.0 running Python 3.11"


def error_of(detail) -> dict:
    return detail["output"]["executionResult"]["errorDetails"]


# -- Elastic Beanstalk ---------------------------------------------------------------------------

def beanstalk_stage(application="web", environment="web-prod"):
    return {"name": "Deploy", "actions": [action("Deploy", "Deploy", "ElasticBeanstalk", inputs=["SourceOutput"],
                                                  configuration={"ApplicationName": application, "EnvironmentName": environment})]}


def beanstalk_app(lab):
    eb = lab.client("elasticbeanstalk")
    eb.create_application(ApplicationName="web")
    eb.create_environment(ApplicationName="web", EnvironmentName="web-prod", SolutionStackName=STACK)


def test_beanstalk_deploy_creates_a_version_and_updates_the_environment(lab, role):
    beanstalk_app(lab)
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, beanstalk_stage()))
    lab.run()
    deploy = details(lab)["Deploy"]
    assert deploy["status"] == "Succeeded"
    label = deploy["output"]["executionResult"]["externalExecutionId"]
    assert label.startswith("code-pipeline-") and label.endswith(deploy["actionExecutionId"])
    eb = lab.client("elasticbeanstalk")
    environment = [e for e in eb.describe_environments()["Environments"] if e["EnvironmentName"] == "web-prod"][0]
    assert environment["VersionLabel"] == label and environment["Status"] == "Ready"
    version = eb.describe_application_versions(ApplicationName="web", VersionLabels=[label])["ApplicationVersions"][0]
    bundle = version["SourceBundle"]
    assert bundle["S3Bucket"] == "elasticbeanstalk-us-east-1-123456789012"
    body = lab.client("s3").get_object(Bucket=bundle["S3Bucket"], Key=bundle["S3Key"])["Body"].read()
    assert set(unzipped(body)) == {"README.md", "app.py"}


def test_beanstalk_deploy_to_a_missing_environment_names_it(lab, role):
    beanstalk_app(lab)
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, beanstalk_stage(environment="web-staging")))
    lab.run()
    deploy = details(lab)["Deploy"]
    assert deploy["status"] == "Failed"
    assert error_of(deploy) == {"code": "ConfigurationError", "message": "No Environment found for EnvironmentName = 'web-staging'."}


def test_beanstalk_deploy_to_a_missing_application_names_it(lab, role):
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, beanstalk_stage(application="shop")))
    lab.run()
    assert error_of(details(lab)["Deploy"])["message"] == "No Application named 'shop' found."


def test_beanstalk_update_environment_refuses_an_unknown_version(lab):
    beanstalk_app(lab)
    with pytest.raises(ClientError) as raised:
        lab.client("elasticbeanstalk").update_environment(ApplicationName="web", EnvironmentName="web-prod", VersionLabel="v9")
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "No Application Version named 'v9' found." in str(raised.value)


# -- Step Functions ------------------------------------------------------------------------------

DOUBLE = "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n"
BROKEN = "def handler(event, context):\n    raise ValueError('no n here')\n"


def state_machine(lab, definition, name="release", kind="STANDARD"):
    role = create_service_role(lab, f"{name}-sfn", "states.amazonaws.com", policy={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}]})
    return lab.client("stepfunctions").create_state_machine(name=name, definition=json.dumps(definition), roleArn=role,
                                                           type=kind)["stateMachineArn"]


def lambda_machine(lab, function="double"):
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function}"
    return state_machine(lab, {"StartAt": "Wait", "States": {
        "Wait": {"Type": "Wait", "Seconds": 90, "Next": "Double"},
        "Double": {"Type": "Task", "Resource": arn, "ResultPath": "$.result", "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.result.doubled", "NumericGreaterThan": 10, "Next": "Big"}],
                  "Default": "Small"},
        "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "End": True},
        "Small": {"Type": "Fail", "Error": "TooSmall", "Cause": "the doubled number is 10 or less"}}})


def invoke_stage(machine, outputs=(), inputs=(), **configuration):
    return {"name": "Invoke", "actions": [action("Invoke", "Invoke", "StepFunctions", inputs=list(inputs), outputs=list(outputs),
                                                  namespace="SFN", configuration={"StateMachineArn": machine, **configuration})]}


def test_step_functions_runs_a_lambda_task_and_publishes_the_output(lab, role):
    create_function(lab, "double", {"index.py": DOUBLE})
    machine = lambda_machine(lab)
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, invoke_stage(machine, outputs=["Result"],
                                                                                     ExecutionNamePrefix="release", Input='{"n": 21}')))
    lab.run()
    invoke = details(lab)["Invoke"]
    assert invoke["status"] == "Succeeded"
    execution_arn = f"arn:aws:states:us-east-1:123456789012:execution:release:release-{invoke['actionExecutionId']}"
    assert invoke["output"]["outputVariables"] == {"StateMachineArn": machine, "ExecutionArn": execution_arn}
    described = lab.client("stepfunctions").describe_execution(executionArn=execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"n": 21, "result": {"doubled": 42}, "size": "big"}
    assert (described["stopDate"] - described["startDate"]).total_seconds() == 90      # the Wait, on the virtual clock
    location = invoke["output"]["outputArtifacts"][0]["s3location"]
    body = lab.client("s3").get_object(Bucket=location["bucket"], Key=location["key"])["Body"].read()
    assert json.loads(unzipped(body)["output.json"])["result"] == {"doubled": 42}


def test_step_functions_failed_execution_fails_the_action_with_error_and_cause(lab, role):
    create_function(lab, "double", {"index.py": DOUBLE})
    machine = lambda_machine(lab)
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, invoke_stage(machine, Input='{"n": 2}')))
    lab.run()
    invoke = details(lab)["Invoke"]
    assert invoke["status"] == "Failed"
    assert error_of(invoke)["code"] == "JobFailed"
    assert error_of(invoke)["message"] == (f"Execution {invoke['actionExecutionId']} FAILED: TooSmall: "
                                           "the doubled number is 10 or less")


def test_step_functions_lambda_error_becomes_the_execution_error(lab, role):
    create_function(lab, "double", {"index.py": BROKEN})
    machine = lambda_machine(lab)
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, invoke_stage(machine, Input='{"n": 2}')))
    lab.run()
    message = error_of(details(lab)["Invoke"])["message"]
    assert "FAILED: ValueError:" in message and "no n here" in message


def test_step_functions_input_from_a_file_of_the_artifact(lab, role):
    commit(lab, {"input.json": '{"n": 50}'})
    create_function(lab, "double", {"index.py": DOUBLE})
    machine = lambda_machine(lab)
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, invoke_stage(machine, inputs=["SourceOutput"],
                                                                                     InputType="FilePath", Input="input.json")))
    lab.run()
    assert details(lab)["Invoke"]["status"] == "Succeeded"


@pytest.mark.parametrize("configuration, message", [
    ({"InputType": "FilePath", "Input": "missing.json"},
     "The file missing.json named by Input is not in the input artifact SourceOutput"),
    ({"InputType": "FilePath", "Input": "README.md"}, "The file README.md is not valid JSON"),
    ({"Input": "{not json"}, "Input is not valid JSON"),
    ({"InputType": "Inline"}, "InputType must be Literal or FilePath, not 'Inline'"),
])
def test_step_functions_bad_input_names_the_problem(lab, role, configuration, message):
    machine = state_machine(lab, {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, invoke_stage(machine, inputs=["SourceOutput"], **configuration)))
    lab.run()
    error = error_of(details(lab)["Invoke"])
    assert error["code"] == "ConfigurationError" and message in error["message"]


def test_step_functions_missing_state_machine_is_named(lab, role):
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:nowhere"
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, invoke_stage(machine)))
    lab.run()
    error = error_of(details(lab)["Invoke"])
    assert error["code"] == "ConfigurationError" and "nowhere" in error["message"]


def test_step_functions_express_succeeds_once_started(lab, role):
    machine = state_machine(lab, {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Nope"}}}, kind="EXPRESS")
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, invoke_stage(machine)))
    lab.run()
    invoke = details(lab)["Invoke"]
    assert invoke["status"] == "Succeeded"
    assert invoke["output"]["outputVariables"] == {"StateMachineArn": machine}


def test_step_functions_start_execution_is_authorized_as_the_action_role(lab, role):
    machine = state_machine(lab, {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    lab.client("iam").put_role_policy(RoleName="CodePipelineServiceRole", PolicyName="NoStates", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "states:StartExecution", "Resource": machine}]}))
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, invoke_stage(machine)))
    lab.run()
    error = error_of(details(lab)["Invoke"])
    assert error["code"] == "PermissionError"
    assert f"states:StartExecution on resource: {machine}" in error["message"]


def test_state_machine_without_lambda_permission_fails_the_task(lab):
    create_function(lab, "double", {"index.py": DOUBLE})
    role = create_service_role(lab, "bare-sfn", "states.amazonaws.com", policy=None)
    sfn = lab.client("stepfunctions")
    machine = sfn.create_state_machine(name="bare", roleArn=role, definition=json.dumps({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "double", "Payload.$": "$"},
        "End": True}}}))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 1}')["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    lab.run()
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "FAILED" and described["error"] == "Lambda.AWSLambdaException"
    assert "lambda:InvokeFunction" in described["cause"]


def test_catch_parameters_and_context_object(lab):
    create_function(lab, "broken", {"index.py": BROKEN})
    machine = state_machine(lab, {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "broken", "Payload": {"who.$": "$$.Execution.Name", "n.$": "$.n"}},
                 "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.caught", "Next": "Done"}], "End": True},
        "Done": {"Type": "Pass", "Parameters": {"error.$": "$.caught.Error", "n.$": "$.n"}, "End": True}}})
    sfn = lab.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=machine, name="first", input='{"n": 3}')["executionArn"]
    lab.run()
    assert json.loads(sfn.describe_execution(executionArn=execution)["output"]) == {"error": "ValueError", "n": 3}


def test_stop_execution_aborts_a_waiting_execution(lab):
    machine = state_machine(lab, {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}})
    sfn = lab.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=machine, name="nap")["executionArn"]
    lab.advance(minutes=10)
    sfn.stop_execution(executionArn=execution, error="Operator", cause="no time")
    lab.run()
    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Operator", "no time")
    with pytest.raises(ClientError) as raised:
        sfn.start_execution(stateMachineArn=machine, name="nap")
    assert raised.value.response["Error"]["Code"] == "ExecutionAlreadyExists"


# -- Device Farm ---------------------------------------------------------------------------------

DEVICE_FARM = {"AppType": "Android", "ProjectId": "eec4905f-98f8-40aa-9afc-4c1cfexample", "App": "app-release.apk",
               "DevicePoolArn": "arn:aws:devicefarm:us-west-2::devicepool:082d10e5-d7d7-48a5-ba5c-b33d66efa1f5",
               "TestType": "BUILTIN_FUZZ", "FuzzEventCount": "6000"}


def device_farm_stage(**configuration):
    return {"name": "Test", "actions": [action("Test", "Test", "DeviceFarm", inputs=["SourceOutput"],
                                                configuration={**DEVICE_FARM, **configuration})]}


def test_device_farm_action_is_valid_but_fails_when_it_runs(lab, role):
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, device_farm_stage()))
    lab.run()
    error = error_of(details(lab)["Test"])
    assert error["code"] == "JobFailed"
    assert error["message"].startswith("The simulator does not run AWS Device Farm tests")
    assert "BUILTIN_FUZZ" in error["message"] and "app-release.apk" in error["message"]


@pytest.mark.parametrize("configuration, message", [
    ({"AppType": "Windows"}, "AppType must be one of iOS, Android, Web, not 'Windows'"),
    ({"TestType": "SELENIUM"}, "TestType must be one of"),
    ({"FuzzEventCount": "20000"}, "FuzzEventCount must be a whole number from 1 to 10000, not '20000'"),
    ({"RecordVideo": "yes"}, "RecordVideo must be one of true, false, not 'yes'"),
])
def test_device_farm_declaration_is_checked(lab, role, configuration, message):
    with pytest.raises(ClientError) as raised:
        lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, device_farm_stage(**configuration)))
    assert raised.value.response["Error"]["Code"] == "InvalidActionDeclarationException"
    assert message in str(raised.value)


def test_device_farm_declaration_needs_its_required_keys(lab, role):
    stage = device_farm_stage()
    del stage["actions"][0]["configuration"]["DevicePoolArn"]
    with pytest.raises(ClientError) as raised:
        lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, stage))
    assert "is missing required configuration 'DevicePoolArn'" in str(raised.value)
