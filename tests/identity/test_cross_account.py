"""A pipeline in account A deploys into account B through an action role that B trusts (facts
§I2): B's trust, A's bucket policy and A's KMS key policy must all allow it."""

import json

import pytest
from builders import action, codecommit_source, declaration

from codepipeline_lab.setup_helpers import create_bucket, create_service_role, push

A, B = "123456789012", "222222222222"
DEPLOY_ROLE = f"arn:aws:iam::{B}:role/CrossAccountDeployRole"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resource, **extra):
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


@pytest.fixture
def accounts(lab):
    """A: pipeline role, artifact bucket with a customer managed key, a repository. B: a bucket."""
    pipeline_role = create_service_role(lab)
    lab.client("iam").put_role_policy(RoleName="CodePipelineServiceRole", PolicyName="AssumeIntoB",
                                      PolicyDocument=policy(allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/*")))
    create_bucket(lab, "demo-artifacts")
    key = lab.client("kms").create_key()["KeyMetadata"]["Arn"]
    lab.client("iam").put_role_policy(RoleName="CodePipelineServiceRole", PolicyName="ArtifactKey",
                                      PolicyDocument=policy(allow(["kms:GenerateDataKey*", "kms:Decrypt"], key)))
    lab.client("codecommit").create_repository(repositoryName="app")
    push(lab, "app", {"index.html": "<h1>hello</h1>\n"}, "Initial commit")
    lab.client("s3", account_id=B).create_bucket(Bucket="prod-website")
    return {"pipeline_role": pipeline_role, "key": key}


def grant_b(lab, key, trust_account=A, key_policy=True):
    """What the cross-account guide asks for: B's role trusting A, A's bucket and key open to it."""
    trust = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{trust_account}:root"}, "Action": "sts:AssumeRole"})
    iam_b = lab.client("iam", account_id=B)
    iam_b.create_role(RoleName="CrossAccountDeployRole", AssumeRolePolicyDocument=trust)
    iam_b.put_role_policy(RoleName="CrossAccountDeployRole", PolicyName="Deploy", PolicyDocument=policy(
        allow("s3:PutObject", "arn:aws:s3:::prod-website/*"),
        allow("s3:GetObject", "arn:aws:s3:::demo-artifacts/*"),
        allow("kms:Decrypt", key)))
    lab.client("s3").put_bucket_policy(Bucket="demo-artifacts", Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"}, "Action": ["s3:Get*", "s3:Put*"],
         "Resource": "arn:aws:s3:::demo-artifacts/*"}))
    if key_policy:
        lab.client("kms").put_key_policy(KeyId=key, PolicyName="default", Policy=policy(
            {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "AccountB", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
             "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}))


def cross_account_pipeline(role, key):
    deploy = action("DeployToB", "Deploy", "S3", inputs=["SourceOutput"],
                    configuration={"BucketName": "prod-website", "Extract": "true"}, roleArn=DEPLOY_ROLE)
    declared = declaration(role, stages=[{"name": "Source", "actions": [codecommit_source()]},
                                         {"name": "Deploy", "actions": [deploy]}])
    declared["artifactStore"]["encryptionKey"] = {"id": key, "type": "KMS"}
    return declared


def deploy_state(lab):
    stage = lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][1]
    return stage["actionStates"][0]["latestExecution"]


def test_the_pipeline_deploys_into_account_b_as_bs_role(lab, accounts):
    grant_b(lab, accounts["key"])
    lab.client("codepipeline").create_pipeline(pipeline=cross_account_pipeline(accounts["pipeline_role"], accounts["key"]))
    lab.run()
    assert deploy_state(lab)["status"] == "Succeeded"
    body = lab.client("s3", account_id=B).get_object(Bucket="prod-website", Key="index.html")["Body"].read()
    assert body == b"<h1>hello</h1>\n"
    # the object was written by B's role, assumed by A's pipeline role
    events = lab.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AssumeRole"}])["Events"]
    assumed = [json.loads(e["CloudTrailEvent"]) for e in events]
    assert any(r["requestParameters"].get("RoleArn", r["requestParameters"].get("roleArn")) == DEPLOY_ROLE for r in assumed)


def test_without_bs_trust_create_pipeline_is_refused(lab, accounts):
    grant_b(lab, accounts["key"], trust_account="999999999999")
    with pytest.raises(lab.client("codepipeline").exceptions.InvalidStructureException) as refused:
        lab.client("codepipeline").create_pipeline(pipeline=cross_account_pipeline(accounts["pipeline_role"], accounts["key"]))
    assert f"is not authorized to perform AssumeRole on role {DEPLOY_ROLE}" in str(refused.value)


def test_trust_removed_after_creation_fails_the_action(lab, accounts):
    grant_b(lab, accounts["key"])
    lab.client("codepipeline").create_pipeline(pipeline=cross_account_pipeline(accounts["pipeline_role"], accounts["key"]))
    lab.client("iam", account_id=B).update_assume_role_policy(RoleName="CrossAccountDeployRole", PolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    lab.run()
    error = deploy_state(lab)["errorDetails"]
    assert error["code"] == "PermissionError"
    assert f"is not authorized to perform AssumeRole on role {DEPLOY_ROLE}" in error["message"]


def test_without_as_key_policy_for_b_the_deploy_cannot_decrypt(lab, accounts):
    grant_b(lab, accounts["key"], key_policy=False)
    lab.client("codepipeline").create_pipeline(pipeline=cross_account_pipeline(accounts["pipeline_role"], accounts["key"]))
    lab.run()
    error = deploy_state(lab)["errorDetails"]
    assert error["code"] == "PermissionError"
    assert "kms:Decrypt" in error["message"] and "assumed-role/CrossAccountDeployRole/" in error["message"]
    assert "no resource-based policy allows the kms:Decrypt action" in error["message"]


def test_accounts_keep_their_own_resources(lab):
    lab.client("s3", account_id=B).create_bucket(Bucket="only-in-b")
    lab.client("sqs", account_id=B).create_queue(QueueName="q")
    assert "QueueUrls" not in lab.client("sqs").list_queues()
    assert lab.client("sqs", account_id=B).list_queues()["QueueUrls"][0].endswith(f"/{B}/q")
    assert lab.client("sts", account_id=B).get_caller_identity()["Account"] == B


def test_an_account_id_must_be_twelve_digits(lab):
    with pytest.raises(ValueError, match="12 digits"):
        lab.client("s3", account_id="2222")
    with pytest.raises(TypeError, match="credentials or account_id"):
        lab.client("s3", account_id=B, credentials=("AKIAEXAMPLE", "secret"))


def test_a_role_in_b_that_trusts_nobody_in_a_cannot_be_assumed_by_as_users(lab):
    from codepipeline_lab.setup_helpers import create_user
    lab.client("iam", account_id=B).create_role(RoleName="Private", AssumeRolePolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"}, "Action": "sts:AssumeRole"}))
    credentials = create_user(lab, "dev", [allow("sts:AssumeRole", "*")])
    with pytest.raises(lab.client("sts").exceptions.ClientError) as denied:
        lab.client("sts", credentials=credentials).assume_role(RoleArn=f"arn:aws:iam::{B}:role/Private", RoleSessionName="dev")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert "because no resource-based policy allows the sts:AssumeRole action" in denied.value.response["Error"]["Message"]
