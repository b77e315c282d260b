"""Benchmark: the test-stack release of chapter 06 (run by hand or with `make bench`).

The pipeline: CREATE_UPDATE of a test stack (VPC, Application Load Balancer, listener and rule,
target group, launch template, Auto Scaling group), a CodeBuild test that reads the stack's
output with the AWS CLI and curls the load balancer through the Lab's proxy, DELETE_ONLY of
the test stack, then CREATE_UPDATE of production. Beside it, in the same run, the same stack
operations with plain boto3 against a moto server: create the test stack, describe it, delete
it, create (later: update) production. The build's two commands take most of the pipeline's
time (`aws` starts a Python interpreter), so a second baseline adds them, run with `sh -c`
against the moto server and a local HTTP server: that ratio says what the pipeline adds around
the same work. Aim: under 2x.
"""

from __future__ import annotations

import http.server
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests"))

from bench_engine import median_ms  # noqa: E402
from builders import action, codecommit_source, declaration  # noqa: E402

from codepipeline_lab import Lab  # noqa: E402
from codepipeline_lab.setup_helpers import create_bucket, create_service_role, push  # noqa: E402

TEMPLATE = (ROOT.parent / "tests" / "actions" / "web_tier.yml").read_text()
TEST_PARAMETERS = {"Env": "test", "Release": "r1"}
PROD_PARAMETERS = {"Env": "prod", "Size": "2", "Release": "r1"}
BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - Q="Stacks[0].Outputs[?OutputKey=='Url'].OutputValue"
      - URL=$(aws cloudformation describe-stacks --stack-name web-test --query "$Q" --output text)
      - curl -s -f "$URL/version"
"""
ENVIRONMENT = {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"}
RUNS, WARM_UP = 5, 1


def release_declaration(role: str, cfn_role: str) -> dict:
    def stack(name, mode, stack_name, run_order=1, config=None):
        configuration = {"ActionMode": mode, "StackName": stack_name, "RoleArn": cfn_role}
        inputs = []
        if config:
            configuration.update(TemplatePath="SourceOutput::web.yml", TemplateConfiguration=f"SourceOutput::{config}")
            inputs = ["SourceOutput"]
        return action(name, "Deploy", "CloudFormation", inputs=inputs, configuration=configuration, run_order=run_order)

    return declaration(role, name="web-release", stages=[
        {"name": "Source", "actions": [codecommit_source()]},
        {"name": "Test", "actions": [
            stack("CreateTestStack", "CREATE_UPDATE", "web-test", config="test.json"),
            action("HttpTest", "Test", "CodeBuild", inputs=["SourceOutput"], configuration={"ProjectName": "http-test"}, run_order=2),
            stack("DeleteTestStack", "DELETE_ONLY", "web-test", run_order=3)]},
        {"name": "Production", "actions": [stack("DeployProduction", "CREATE_UPDATE", "web-prod", config="prod.json")]},
    ])


def bench_pipeline() -> float:
    with Lab(seed=0) as lab:
        role = create_service_role(lab)
        cfn_role = create_service_role(lab, "CloudFormationRole", "cloudformation.amazonaws.com", policy=None)
        build_role = create_service_role(lab, "CodeBuildRole", "codebuild.amazonaws.com")
        lab.client("iam").put_role_policy(RoleName="CodeBuildRole", PolicyName="ReadStacks", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "cloudformation:DescribeStacks", "Resource": "*"}]}))
        lab.client("codebuild").create_project(name="http-test", source={"type": "CODEPIPELINE"}, artifacts={"type": "CODEPIPELINE"},
                                               environment=ENVIRONMENT, serviceRole=build_role)
        create_bucket(lab, "demo-artifacts")
        lab.client("codecommit").create_repository(repositoryName="app")
        push(lab, "app", {"web.yml": TEMPLATE, "buildspec.yml": BUILDSPEC,
                          "test.json": json.dumps({"Parameters": TEST_PARAMETERS}),
                          "prod.json": json.dumps({"Parameters": PROD_PARAMETERS})}, "web tier")
        codepipeline = lab.client("codepipeline")
        codepipeline.create_pipeline(pipeline=release_declaration(role, cfn_role))
        lab.run()

        def one_release():
            execution = codepipeline.start_pipeline_execution(name="web-release")["pipelineExecutionId"]
            lab.run()
            status = codepipeline.get_pipeline_execution(pipelineName="web-release", pipelineExecutionId=execution)
            if status["pipelineExecution"]["status"] != "Succeeded":
                raise SystemExit(f"the release did not succeed ({status['pipelineExecution']['status']}); "
                                 "the benchmark would measure a failure")
        return median_ms(one_release, runs=RUNS, warm_up=WARM_UP)


class _Version(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"web test release r1")

    def log_message(self, *args):
        pass


def bench_boto3_on_moto() -> tuple[float, float]:
    """(the stack operations alone, the same with the build's commands run with sh -c between them)."""
    from moto.server import ThreadedMotoServer
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    cfn = boto3.client("cloudformation", endpoint_url=f"http://{host}:{port}", region_name="us-east-1",
                       aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="secret")
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Version)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    env = dict(os.environ, AWS_ENDPOINT_URL=f"http://{host}:{port}", AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
               AWS_SECRET_ACCESS_KEY="secret", AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull,
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    workspace = tempfile.mkdtemp()
    build_commands = ["Q=\"Stacks[0].Outputs[?OutputKey=='Url'].OutputValue\"; "
                      "aws cloudformation describe-stacks --stack-name web-test --query \"$Q\" --output text",
                      f"curl -s -f http://127.0.0.1:{web.server_address[1]}/version"]

    def parameters(values):
        return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]

    def stack_operations(with_build=False):
        cfn.create_stack(StackName="web-test", TemplateBody=TEMPLATE, Parameters=parameters(TEST_PARAMETERS))
        outputs = cfn.describe_stacks(StackName="web-test")["Stacks"][0]["Outputs"]
        assert any(o["OutputKey"] == "Url" for o in outputs)
        for command in build_commands if with_build else ():
            subprocess.run(["sh", "-c", command], env=env, cwd=workspace, check=True, capture_output=True)
        cfn.delete_stack(StackName="web-test")
        try:
            cfn.update_stack(StackName="web-prod", TemplateBody=TEMPLATE, Parameters=parameters(PROD_PARAMETERS))
        except ClientError as error:
            message = error.response["Error"]["Message"]
            if "does not exist" in message:
                cfn.create_stack(StackName="web-prod", TemplateBody=TEMPLATE, Parameters=parameters(PROD_PARAMETERS))
            elif "No updates" not in message:
                raise
    try:
        alone = median_ms(stack_operations, runs=RUNS, warm_up=WARM_UP)
        with_build = median_ms(lambda: stack_operations(with_build=True), runs=RUNS, warm_up=WARM_UP)
        return alone, with_build
    finally:
        web.shutdown()
        server.stop()


if __name__ == "__main__":
    pipeline_ms = bench_pipeline()
    alone_ms, with_build_ms = bench_boto3_on_moto()
    print(f"test-stack release pipeline (create test stack, build: describe-stacks + curl, delete, production): "
          f"median {pipeline_ms:.1f} ms")
    print(f"the same stack operations with plain boto3 on a moto server:                    median {alone_ms:.1f} ms"
          f"   ratio {pipeline_ms / alone_ms:.2f}x")
    print(f"the same, plus the build's two commands with sh -c (aws CLI against moto, curl): median {with_build_ms:.1f} ms"
          f"   ratio {pipeline_ms / with_build_ms:.2f}x   (aim: < 2x)")
