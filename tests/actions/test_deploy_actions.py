"""S3 deploy and CodeDeploy actions."""

from actions_kit import commit, details, latest_execution, pipeline, retry, unzipped
from builders import action

from codepipeline_lab.setup_helpers import create_bucket, create_service_role


def s3_deploy(**configuration):
    return {"name": "Deploy", "actions": [action("Deploy", "Deploy", "S3", inputs=["SourceOutput"],
                                                  configuration={"BucketName": "website", **configuration})]}


def test_s3_deploy_with_extraction(lab, role):
    create_bucket(lab, "website")
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, s3_deploy(Extract="true", ObjectKey="site/v1",
                                                                                CannedACL="public-read", CacheControl="max-age=60")))
    lab.run()
    s3 = lab.client("s3")
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket="website")["Contents"]) == ["site/v1/README.md", "site/v1/app.py"]
    head = s3.head_object(Bucket="website", Key="site/v1/app.py")
    assert head["CacheControl"] == "max-age=60"
    grants = s3.get_object_acl(Bucket="website", Key="site/v1/app.py")["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("/AllUsers") and g["Permission"] == "READ" for g in grants)


def test_s3_deploy_without_extraction(lab, role):
    create_bucket(lab, "website")
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, s3_deploy(Extract="false", ObjectKey="releases/app.zip")))
    lab.run()
    body = lab.client("s3").get_object(Bucket="website", Key="releases/app.zip")["Body"].read()
    assert set(unzipped(body)) == {"README.md", "app.py"}


def codedeploy_setup(lab):
    codedeploy = lab.client("codedeploy")
    codedeploy.create_application(applicationName="app", computePlatform="Server")
    role = create_service_role(lab, "CodeDeployRole", "codedeploy.amazonaws.com")
    codedeploy.create_deployment_group(applicationName="app", deploymentGroupName="staging", serviceRoleArn=role,
                                       ec2TagFilters=[{"Key": "env", "Value": "staging", "Type": "KEY_AND_VALUE"}])


def codedeploy_stage():
    return {"name": "Deploy", "actions": [action("Deploy", "Deploy", "CodeDeploy", inputs=["SourceOutput"],
                                                  configuration={"ApplicationName": "app", "DeploymentGroupName": "staging"})]}


APPSPEC = """version: 0.0
os: linux
files:
  - source: app.py
    destination: /opt/app
hooks:
  BeforeInstall:
    - location: scripts/stop.sh
  ApplicationStart:
    - location: scripts/start.sh
"""


def test_codedeploy_deployment_succeeds_and_lists_hooks(lab, role):
    codedeploy_setup(lab)
    commit(lab, {"appspec.yml": APPSPEC, "scripts/stop.sh": "true\n", "scripts/start.sh": "true\n"})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, codedeploy_stage()))
    lab.run()
    deploy = details(lab)["Deploy"]
    assert deploy["status"] == "Succeeded"
    assert "BeforeInstall (scripts/stop.sh), ApplicationStart (scripts/start.sh)" in deploy["output"]["executionResult"]["externalExecutionSummary"]
    info = lab.client("codedeploy").get_deployment(deploymentId=deploy["output"]["executionResult"]["externalExecutionId"])["deploymentInfo"]
    assert info["status"] == "Succeeded" and info["applicationName"] == "app" and info["revision"]["s3Location"]["bucket"] == "demo-artifacts"


def test_codedeploy_without_appspec_fails_visibly(lab, role):
    codedeploy_setup(lab)
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, codedeploy_stage()))
    lab.run()
    deploy = details(lab)["Deploy"]
    assert deploy["status"] == "Failed"
    assert "appspec.yml (or appspec.yaml) must be at the root" in deploy["output"]["executionResult"]["errorDetails"]["message"]
    info = lab.client("codedeploy").get_deployment(deploymentId=deploy["output"]["executionResult"]["externalExecutionId"])["deploymentInfo"]
    assert info["status"] == "Failed" and info["errorInformation"]["code"] == "INVALID_REVISION"


def test_codedeploy_missing_group_then_retry(lab, role):
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, codedeploy_stage()))
    commit(lab, {"appspec.yml": APPSPEC, "scripts/stop.sh": "true\n", "scripts/start.sh": "true\n"})
    lab.client("codepipeline").start_pipeline_execution(name="demo")
    lab.run()
    assert "No application found for name: app" in details(lab)["Deploy"]["output"]["executionResult"]["errorDetails"]["message"]
    codedeploy_setup(lab)
    retry(lab, "Deploy")
    lab.run()
    assert details(lab)["Deploy"]["status"] == "Succeeded" and latest_execution(lab)["status"] == "Succeeded"
