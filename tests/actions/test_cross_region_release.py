"""The cross-region release of chapter 07: one pipeline in us-east-1 packages a Lambda function once
per region with `aws cloudformation package` and deploys it to three regions with CloudFormation
actions that set `region`; the functions answer in each region, each region's artifact bucket holds
the copy of its action's input; a region without an artifact store is refused at create."""

import io
import json
import zipfile

import pytest
from actions_kit import commit, details, project
from botocore.exceptions import ClientError
from builders import action, codecommit_source, declaration

from codepipeline_lab.setup_helpers import create_bucket, create_service_role

HOME = "us-east-1"
REGIONS = ("us-east-1", "us-east-2", "eu-west-1")
ARTIFACT = {"us-east-1": "UsEast1Template", "us-east-2": "UsEast2Template", "eu-west-1": "EuWest1Template"}

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Greeting: {Type: String, Default: Hello}
Resources:
  HelloFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: hello
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/HelloFunctionRole
      Code: src/
      Environment: {Variables: {GREETING: !Ref Greeting}}
Outputs:
  FunctionArn: {Value: !GetAtt HelloFunction.Arn}
"""
APP = """import os

def handler(event, context):
    return {"message": f"{os.environ['GREETING']} from {os.environ['AWS_REGION']}"}
"""
BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - for r in us-east-1 us-east-2 eu-west-1; do
          aws cloudformation package --region $r --template-file template.yaml
          --s3-bucket hello-code-$r --output-template-file packaged-$r.yaml; done
artifacts:
  secondary-artifacts:
    UsEast1Template: {files: [packaged-us-east-1.yaml]}
    UsEast2Template: {files: [packaged-us-east-2.yaml]}
    EuWest1Template: {files: [packaged-eu-west-1.yaml]}
"""
DEPLOYER = "arn:aws:iam::123456789012:role/CloudFormationDeployRole"


def deploy(region):
    return action(f"Deploy-{region}", "Deploy", "CloudFormation", inputs=[ARTIFACT[region]], region=region,
                  configuration={"ActionMode": "CREATE_UPDATE", "StackName": "hello", "RoleArn": DEPLOYER,
                                 "TemplatePath": f"{ARTIFACT[region]}::packaged-{region}.yaml"})


def release(role, regions_with_stores=REGIONS):
    declared = declaration(role, name="HelloRelease", stages=[
        {"name": "Source", "actions": [codecommit_source()]},
        {"name": "Build", "actions": [action("Package", "Build", "CodeBuild", inputs=["SourceOutput"],
                                             outputs=list(ARTIFACT.values()),
                                             configuration={"ProjectName": "app-build"})]},
        {"name": "Deploy", "actions": [deploy(region) for region in REGIONS]},
    ])
    del declared["artifactStore"]
    declared["artifactStores"] = {r: {"type": "S3", "location": f"hello-artifacts-{r}"} for r in regions_with_stores}
    return declared


@pytest.fixture
def prepared(lab, role):
    create_service_role(lab, "CloudFormationDeployRole", service="cloudformation.amazonaws.com",
                        policy={"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": ["lambda:*", "s3:GetObject"], "Resource": "*"}]})
    create_service_role(lab, "HelloFunctionRole", service="lambda.amazonaws.com", policy=None)
    for region in REGIONS:
        create_bucket(lab, f"hello-artifacts-{region}", region=region)
        create_bucket(lab, f"hello-code-{region}", region=region)
    project(lab)
    commit(lab, {"template.yaml": TEMPLATE, "src/app.py": APP, "buildspec.yml": BUILDSPEC})
    return role


@pytest.fixture
def released(lab, prepared):
    lab.client("codepipeline").create_pipeline(pipeline=release(prepared))
    lab.run()
    return details(lab, "HelloRelease")


def keys(lab, region, bucket):
    listing = lab.client("s3", region_name=region).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def unzip(lab, location, name):
    body = lab.client("s3").get_object(Bucket=location["bucket"], Key=location["key"])["Body"].read()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return archive.read(name).decode()


def test_every_action_succeeds_and_deploys_in_its_region(lab, released):
    assert {name: detail["status"] for name, detail in released.items()} == {
        "Source": "Succeeded", "Package": "Succeeded",
        "Deploy-us-east-1": "Succeeded", "Deploy-us-east-2": "Succeeded", "Deploy-eu-west-1": "Succeeded"}
    for region in REGIONS:
        assert released[f"Deploy-{region}"]["input"]["region"] == region
        stack = lab.client("cloudformation", region_name=region).describe_stacks(StackName="hello")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        assert stack["StackId"].startswith(f"arn:aws:cloudformation:{region}:")
        assert stack["Outputs"][0]["OutputValue"] == f"arn:aws:lambda:{region}:123456789012:function:hello"


def test_the_function_answers_in_each_region(lab, released):
    for region in REGIONS:
        answer = lab.client("lambda", region_name=region).invoke(FunctionName="hello")
        assert "FunctionError" not in answer
        assert json.loads(answer["Payload"].read()) == {"message": f"Hello from {region}"}


def test_each_region_store_holds_the_copy_of_its_action_input(lab, released):
    home = keys(lab, HOME, "hello-artifacts-us-east-1")
    assert [k.split("/")[1] for k in home] == ["EuWest1Tem", "SourceOutp", "UsEast1Tem", "UsEast2Tem"]
    for region in ("us-east-2", "eu-west-1"):
        [copy] = keys(lab, region, f"hello-artifacts-{region}")
        read = released[f"Deploy-{region}"]["input"]["inputArtifacts"][0]
        assert read["name"] == ARTIFACT[region]
        assert read["s3location"] == {"bucket": f"hello-artifacts-{region}", "key": copy}
        assert copy not in home                                  # a new object in that region, same bytes
        built = next(a for a in released["Package"]["output"]["outputArtifacts"] if a["name"] == ARTIFACT[region])
        name = f"packaged-{region}.yaml"
        assert unzip(lab, read["s3location"], name) == unzip(lab, built["s3location"], name)
    deployed_home = released["Deploy-us-east-1"]["input"]["inputArtifacts"][0]["s3location"]
    assert deployed_home["bucket"] == "hello-artifacts-us-east-1" and deployed_home["key"] in home


def test_one_template_per_region_points_at_that_regions_code_bucket(lab, released):
    for artifact in released["Package"]["output"]["outputArtifacts"]:
        region = next(r for r, name in ARTIFACT.items() if name == artifact["name"])
        template = unzip(lab, artifact["s3location"], f"packaged-{region}.yaml")
        assert f"S3Bucket: hello-code-{region}" in template
        assert len(keys(lab, region, f"hello-code-{region}")) == 1


def test_copies_are_made_as_the_pipeline_role(lab, prepared):
    lab.client("iam").put_role_policy(RoleName="CodePipelineServiceRole", PolicyName="NoEurope", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:PutObject",
                                                 "Resource": "arn:aws:s3:::hello-artifacts-eu-west-1/*"}]}))
    lab.client("codepipeline").create_pipeline(pipeline=release(prepared))
    lab.run()
    found = details(lab, "HelloRelease")
    assert found["Deploy-us-east-2"]["status"] == "Succeeded"
    europe = found["Deploy-eu-west-1"]
    assert europe["status"] == "Failed"
    assert europe["output"]["executionResult"]["errorDetails"]["code"] == "PermissionError"
    message = europe["output"]["executionResult"]["errorDetails"]["message"]
    assert "assumed-role/CodePipelineServiceRole/" in message and "hello-artifacts-eu-west-1" in message
    assert keys(lab, "eu-west-1", "hello-artifacts-eu-west-1") == []
    with pytest.raises(ClientError):
        lab.client("lambda", region_name="eu-west-1").get_function(FunctionName="hello")


@pytest.mark.parametrize("stores, missing", [(("us-east-1", "us-east-2"), "eu-west-1"),
                                             (("us-east-2", "eu-west-1"), "us-east-1")])
def test_a_region_without_an_artifact_store_is_refused_at_create(lab, prepared, stores, missing):
    codepipeline = lab.client("codepipeline")
    with pytest.raises(ClientError) as info:
        codepipeline.create_pipeline(pipeline=release(prepared, stores))
    error = info.value.response["Error"]
    assert error["Code"] == "InvalidStructureException"
    assert f"no artifact store for region {missing}" in error["Message"]
    assert codepipeline.list_pipelines()["pipelines"] == []
    lab.run()
    for region in REGIONS:
        assert keys(lab, region, f"hello-artifacts-{region}") == []


def test_artifact_store_and_artifact_stores_together_are_refused(lab, prepared):
    declared = release(prepared) | {"artifactStore": {"type": "S3", "location": "hello-artifacts-us-east-1"}}
    with pytest.raises(ClientError) as info:
        lab.client("codepipeline").create_pipeline(pipeline=declared)
    assert info.value.response["Error"]["Code"] == "InvalidStructureException"
    assert "exactly one of artifactStore and artifactStores" in info.value.response["Error"]["Message"]
