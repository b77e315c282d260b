"""Lambda invoke actions and lambda.invoke: in-process Python handlers answering CodePipeline jobs."""

import json
import os

from actions_kit import create_function, details, latest_execution, payload, pipeline, retry, zipped
from builders import action

HANDLER = '''
import os
import boto3

def handler(event, context):
    job = event["CodePipeline.job"]
    data = job["data"]
    mode = data["actionConfiguration"]["configuration"]["UserParameters"]
    codepipeline = boto3.client("codepipeline")
    if mode == "fail":
        codepipeline.put_job_failure_result(jobId=job["id"], failureDetails={"type": "JobFailed", "message": "tests are red"})
    elif mode == "raise":
        raise RuntimeError("database unreachable")
    elif mode == "ok":
        location = data["inputArtifacts"][0]["location"]["s3Location"]
        codepipeline.put_job_success_result(jobId=job["id"], outputVariables={
            "Stage": os.environ["STAGE"], "Bucket": location["bucketName"], "Function": context.function_name,
            "HasCredentials": str(bool(data["artifactCredentials"]["sessionToken"]))})
    return "done"
'''


def invoke_pipeline(role, mode, function="check"):
    return pipeline(role, {"name": "Check", "actions": [action("Check", "Invoke", "Lambda", inputs=["SourceOutput"],
                                                                configuration={"FunctionName": function, "UserParameters": mode})]})


def test_function_that_succeeds_with_output_variables(lab, role):
    create_function(lab, "check", {"index.py": HANDLER}, environment={"STAGE": "test"})
    lab.client("codepipeline").create_pipeline(pipeline=invoke_pipeline(role, "ok"))
    lab.run()
    check = details(lab)["Check"]
    assert check["status"] == "Succeeded"
    assert check["output"]["outputVariables"] == {"Stage": "test", "Bucket": "demo-artifacts", "Function": "check", "HasCredentials": "True"}
    assert "STAGE" not in os.environ     # the function's environment is restored afterwards


def test_function_that_reports_failure(lab, role):
    create_function(lab, "check", {"index.py": HANDLER}, environment={"STAGE": "test"})
    lab.client("codepipeline").create_pipeline(pipeline=invoke_pipeline(role, "fail"))
    lab.run()
    assert details(lab)["Check"]["output"]["executionResult"]["errorDetails"] == {"code": "JobFailed", "message": "tests are red"}


def function_log(lab, name="check"):
    logs = lab.client("logs")
    group = f"/aws/lambda/{name}"
    return "\n".join(e["message"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]
                     for e in logs.get_log_events(logGroupName=group, logStreamName=s["logStreamName"])["events"])


def test_function_that_raises_leaves_the_action_in_progress_until_the_reply_window_ends(lab, role):
    """AWS invokes the function asynchronously: an exception without PutJobFailureResult ends
    nothing; the action waits 20 minutes, and the error is only in the function's logs (facts §J8)."""
    create_function(lab, "check", {"index.py": HANDLER}, environment={"STAGE": "test"})
    lab.client("codepipeline").create_pipeline(pipeline=invoke_pipeline(role, "raise"))
    lab.run()
    assert details(lab)["Check"]["status"] == "InProgress"
    assert "RuntimeError" in function_log(lab) and "database unreachable" in function_log(lab)
    lab.advance(minutes=19)
    assert details(lab)["Check"]["status"] == "InProgress"
    lab.advance(minutes=2)
    check = details(lab)["Check"]
    error = check["output"]["executionResult"]["errorDetails"]
    assert check["status"] == "Failed" and error["code"] == "JobFailed"
    assert "did not report a result" in error["message"] and "/aws/lambda/check" in error["message"]
    fixed = HANDLER.replace('raise RuntimeError("database unreachable")', 'boto3.client("codepipeline").put_job_success_result(jobId=job["id"])')
    lab.client("lambda").update_function_code(FunctionName="check", ZipFile=zipped({"index.py": fixed}))
    retry(lab, "Check")
    lab.run()
    assert details(lab)["Check"]["status"] == "Succeeded" and latest_execution(lab)["status"] == "Succeeded"


def test_continuation_token_restarts_the_reply_window(lab, role):
    looping = HANDLER.replace('    elif mode == "raise":', '''    elif mode == "slow":
        if "continuationToken" in data:
            raise RuntimeError("second call without an answer")
        codepipeline.put_job_success_result(jobId=job["id"], continuationToken="step-2")
    elif mode == "raise":''')
    create_function(lab, "check", {"index.py": looping}, environment={"STAGE": "test"})
    lab.client("codepipeline").create_pipeline(pipeline=invoke_pipeline(role, "slow"))
    lab.run()
    lab.advance(minutes=19)
    assert details(lab)["Check"]["status"] == "InProgress"       # the second invocation opened a new window
    lab.advance(minutes=2)
    assert details(lab)["Check"]["status"] == "Failed"
    assert "second call without an answer" in function_log(lab)


def test_function_that_never_answers_fails_after_the_reply_window(lab, role):
    create_function(lab, "check", {"index.py": HANDLER}, environment={"STAGE": "test"})
    lab.client("codepipeline").create_pipeline(pipeline=invoke_pipeline(role, "silent"))
    lab.run()
    assert details(lab)["Check"]["status"] == "InProgress"
    lab.advance(minutes=19)
    assert details(lab)["Check"]["status"] == "InProgress"
    lab.advance(minutes=2)
    check = details(lab)["Check"]
    assert check["status"] == "Failed" and "within 20 minutes" in check["output"]["executionResult"]["errorDetails"]["message"]


def test_zip_without_the_handler_logs_lambdas_words_and_times_out(lab, role):
    create_function(lab, "check", {"main.py": HANDLER}, environment={"STAGE": "test"})
    lab.client("codepipeline").create_pipeline(pipeline=invoke_pipeline(role, "ok"))
    lab.run()
    assert details(lab)["Check"]["status"] == "InProgress"
    assert "Runtime.ImportModuleError" in function_log(lab) and "Unable to import module 'index': No module named 'index'" in function_log(lab)
    lab.advance(minutes=21)
    assert details(lab)["Check"]["output"]["executionResult"]["errorDetails"]["code"] == "JobFailed"


def test_lambda_invoke_outside_a_pipeline(lab):
    create_function(lab, "adder", {"index.py": "def handler(event, context):\n    return {'sum': event['a'] + event['b']}\n"})
    answer = lab.client("lambda").invoke(FunctionName="adder", Payload=json.dumps({"a": 2, "b": 3}))
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer and payload(answer) == {"sum": 5}
    broken = lab.client("lambda").invoke(FunctionName="adder", Payload=json.dumps({"a": 2}))
    assert broken["FunctionError"] == "Unhandled" and payload(broken)["errorType"] == "KeyError"


def test_each_function_sees_only_its_own_code(lab):
    create_function(lab, "one", {"index.py": "def handler(event, context):\n    return 1\n"})
    create_function(lab, "two", {"index.py": "def handler(event, context):\n    return 2\n"})
    client = lab.client("lambda")
    assert [payload(client.invoke(FunctionName=n)) for n in ("one", "two", "one")] == [1, 2, 1]


def test_eventbridge_lambda_target_receives_the_transformed_input(lab):
    create_function(lab, "notify", {"index.py": "def handler(event, context):\n    print('got', event)\n"})
    arn = lab.client("lambda").get_function(FunctionName="notify")["Configuration"]["FunctionArn"]
    events = lab.client("events")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="orders", Targets=[{"Id": "f", "Arn": arn, "InputTransformer": {
        "InputPathsMap": {"id": "$.detail.id"}, "InputTemplate": '{"order": <id>, "text": "order <id>"}'}}])
    events.put_events(Entries=[{"Source": "shop", "DetailType": "Order", "Detail": json.dumps({"id": "o-7"})}])
    assert "got {'order': 'o-7', 'text': 'order o-7'}" in function_log(lab, "notify")
