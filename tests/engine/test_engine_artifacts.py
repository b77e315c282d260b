"""Artifacts in the S3 artifact store and the S3 source action (issue 3, points 5 and 10)."""

import io
import json
import re
import zipfile

from codepipeline_lab.clock import EPOCH
from codepipeline_lab.setup_helpers import create_bucket
from builders import action, declaration
from scenario import approval, approval_pipeline, executions, state_of


def test_source_artifact_is_a_zip_with_awss_key_layout(lab, account):
    declared = approval_pipeline(account, name="a-rather-long-pipeline-name")
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    [obj] = lab.client("s3").list_objects_v2(Bucket="demo-artifacts")["Contents"]
    assert re.fullmatch(r"a-rather-long-pipeli/SourceOutp/[A-Za-z0-9]{7}", obj["Key"])
    body = lab.client("s3").get_object(Bucket="demo-artifacts", Key=obj["Key"])["Body"].read()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert sorted(archive.namelist()) == ["README.md", "app.py"]
        assert archive.read("app.py") == b"print('hello')\n"


def test_objects_are_encrypted_with_the_store_key(lab, account):
    kms_key = lab.client("kms").create_key()["KeyMetadata"]["Arn"]
    # the key's default policy delegates to IAM: the pipeline's role needs the key in its policy
    lab.client("iam").put_role_policy(RoleName="CodePipelineServiceRole", PolicyName="UseArtifactKey", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": kms_key}]}))
    declared = approval_pipeline(account)
    declared["artifactStore"]["encryptionKey"] = {"id": kms_key, "type": "KMS"}
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    [obj] = lab.client("s3").list_objects_v2(Bucket="demo-artifacts")["Contents"]
    head = lab.client("s3").head_object(Bucket="demo-artifacts", Key=obj["Key"])
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == kms_key


def test_default_encryption_is_sse_kms(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    [obj] = lab.client("s3").list_objects_v2(Bucket="demo-artifacts")["Contents"]
    assert lab.client("s3").head_object(Bucket="demo-artifacts", Key=obj["Key"])["ServerSideEncryption"] == "aws:kms"


def test_a_missing_artifact_bucket_fails_the_source_action(lab, account):
    declared = approval_pipeline(account)
    declared["artifactStore"]["location"] = "no-such-bucket"
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    latest = lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][0]["actionStates"][0]["latestExecution"]
    assert latest["status"] == "Failed" and "no-such-bucket" in latest["errorDetails"]["message"]


def s3_source_pipeline(role):
    source = action("Source", "Source", "S3", outputs=["SourceOutput"], namespace="SourceVariables",
                    configuration={"S3Bucket": "app-source", "S3ObjectKey": "app.zip", "PollForSourceChanges": "false"})
    return declaration(role, stages=[{"name": "Source", "actions": [source]}, {"name": "Approve", "actions": [approval()]}])


def test_s3_source_uses_the_object_version_as_revision(lab, account):
    create_bucket(lab, "app-source", versioned=True)
    version = lab.client("s3").put_object(Bucket="app-source", Key="app.zip", Body=b"PK-fake-zip")["VersionId"]
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=s3_source_pipeline(account))
    lab.run()
    execution = cp.get_pipeline_execution(pipelineName="demo", pipelineExecutionId=executions(lab)[0][0])["pipelineExecution"]
    assert execution["artifactRevisions"][0]["revisionId"] == version
    assert execution["artifactRevisions"][0]["created"] == EPOCH  # when the execution started, on the virtual clock
    details = {d["actionName"]: d for d in cp.list_action_executions(pipelineName="demo")["actionExecutionDetails"]}
    assert details["Source"]["output"]["outputVariables"]["VersionId"] == version
    key = details["Source"]["output"]["outputArtifacts"][0]["s3location"]["key"]
    assert lab.client("s3").get_object(Bucket="demo-artifacts", Key=key)["Body"].read() == b"PK-fake-zip"


def test_s3_source_needs_a_versioned_bucket(lab, account):
    create_bucket(lab, "app-source")
    lab.client("s3").put_object(Bucket="app-source", Key="app.zip", Body=b"zip")
    lab.client("codepipeline").create_pipeline(pipeline=s3_source_pipeline(account))
    lab.run()
    assert state_of(lab)["Source"] == ("Failed", {"Source": "Failed"})
    latest = lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][0]["actionStates"][0]["latestExecution"]
    assert "not versioned" in latest["errorDetails"]["message"]
