"""Helpers for the action scenarios: a source repository, projects, functions, and readers."""

import io
import json
import zipfile

from builders import action, codecommit_source, declaration

from codepipeline_lab.setup_helpers import create_service_role, push

ENVIRONMENT = {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"}


def source_stage():
    return {"name": "Source", "actions": [codecommit_source()]}


def pipeline(role, *stages, name="demo"):
    return declaration(role, name=name, stages=[source_stage(), *stages])


def project(lab, name="app-build", buildspec=None, **extra):
    role = "arn:aws:iam::123456789012:role/CodeBuildRole"
    try:
        create_service_role(lab, "CodeBuildRole", "codebuild.amazonaws.com")
    except Exception:
        pass
    source = {"type": "CODEPIPELINE", **({"buildspec": buildspec} if buildspec else {})}
    return lab.client("codebuild").create_project(name=name, source=source, artifacts={"type": "CODEPIPELINE"},
                                                  environment=ENVIRONMENT, serviceRole=role, **extra)["project"]


def build_action(name="Build", project_name="app-build", inputs=("SourceOutput",), outputs=(), category="Build",
                 namespace=None, **configuration):
    extra = {"namespace": namespace} if namespace else {}
    return action(name, category, "CodeBuild", inputs=inputs, outputs=outputs,
                  configuration={"ProjectName": project_name, **configuration}, **extra)


def commit(lab, files, message="change"):
    return push(lab, "app", files, message)


def zipped(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in files.items():
            archive.writestr(path, content)
    return buffer.getvalue()


def unzipped(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n).decode() for n in archive.namelist()}


def details(lab, name="demo"):
    """{action name: latest ActionExecutionDetail}."""
    result = {}
    for detail in reversed(lab.client("codepipeline").list_action_executions(pipelineName=name)["actionExecutionDetails"]):
        result[detail["actionName"]] = detail
    return result


def output_files(lab, detail, index=0):
    location = detail["output"]["outputArtifacts"][index]["s3location"]
    return unzipped(lab.client("s3").get_object(Bucket=location["bucket"], Key=location["key"])["Body"].read())


def latest_execution(lab, name="demo"):
    return lab.client("codepipeline").list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"][0]


def retry(lab, stage, name="demo"):
    execution = latest_execution(lab, name)["pipelineExecutionId"]
    lab.client("codepipeline").retry_stage_execution(pipelineName=name, stageName=stage, pipelineExecutionId=execution,
                                                     retryMode="FAILED_ACTIONS")


def build_of(lab, detail):
    build_id = detail["output"]["executionResult"]["externalExecutionId"]
    return lab.client("codebuild").batch_get_builds(ids=[build_id])["builds"][0]


def log_text(lab, build):
    events = lab.client("logs").get_log_events(logGroupName=build["logs"]["groupName"], logStreamName=build["logs"]["streamName"])
    return "\n".join(e["message"] for e in events["events"])


def create_function(lab, name, files, handler="index.handler", environment=None):
    role = "arn:aws:iam::123456789012:role/LambdaRole"
    try:
        create_service_role(lab, "LambdaRole", "lambda.amazonaws.com")
    except Exception:
        pass
    return lab.client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler=handler,
                                                Code={"ZipFile": zipped(files)}, Environment={"Variables": environment or {}})


def payload(response) -> object:
    return json.loads(response["Payload"].read())
