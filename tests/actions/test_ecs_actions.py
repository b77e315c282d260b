"""ECS standard deploy (Deploy/AWS/ECS) and ECS blue/green through CodeDeploy (Deploy/AWS/CodeDeployToECS)."""

import json
from datetime import timedelta

import pytest
from actions_kit import commit, details, pipeline
from builders import action

from codepipeline_lab.setup_helpers import create_service_role

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def error_of(detail) -> dict:
    return detail["output"]["executionResult"]["errorDetails"]


# -- ECS standard deployment -------------------------------------------------------------------

def ecs_service(lab, controller="ECS"):
    ecs = lab.client("ecs")
    ecs.create_cluster(clusterName="web")
    ecs.register_task_definition(family="app", executionRoleArn="arn:aws:iam::123456789012:role/TaskExecutionRole",
                                 containerDefinitions=[{"name": "web", "image": f"{ECR}/web:1", "memory": 256,
                                                        "portMappings": [{"containerPort": 80}]},
                                                       {"name": "sidecar", "image": f"{ECR}/sidecar:1", "memory": 64}])
    ecs.create_service(cluster="web", serviceName="api", taskDefinition="app", desiredCount=2,
                       deploymentController={"type": controller})
    return ecs


def ecs_stage(**configuration):
    return {"name": "Deploy", "actions": [action("Deploy", "Deploy", "ECS", inputs=["SourceOutput"],
                                                  configuration={"ClusterName": "web", "ServiceName": "api", **configuration})]}


def deployments(ecs):
    return ecs.describe_services(cluster="web", services=["api"])["services"][0]["deployments"]


def test_ecs_deploy_registers_a_revision_and_rolls_the_service_out(lab, role):
    ecs = ecs_service(lab)
    commit(lab, {"imagedefinitions.json": json.dumps([{"name": "web", "imageUri": f"{ECR}/web:2"}])})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, ecs_stage()))

    lab.advance(minutes=1)                                   # UpdateService made; the rollout is under way
    rolling = deployments(ecs)
    assert [(d["status"], d["taskDefinition"].rsplit("/", 1)[1], d["rolloutState"]) for d in rolling] == [
        ("PRIMARY", "app:2", "IN_PROGRESS"), ("ACTIVE", "app:1", "IN_PROGRESS")]
    assert details(lab)["Deploy"]["status"] == "InProgress"

    lab.run()
    deploy = details(lab)["Deploy"]
    assert deploy["status"] == "Succeeded"
    result = deploy["output"]["executionResult"]
    assert "task definition app:2" in result["externalExecutionSummary"]
    [done] = deployments(ecs)
    assert (done["status"], done["rolloutState"], done["runningCount"]) == ("PRIMARY", "COMPLETED", 2)
    assert done["taskDefinition"].endswith("task-definition/app:2") and done["id"] == result["externalExecutionId"]
    revision = ecs.describe_task_definition(taskDefinition="app:2")["taskDefinition"]
    assert {c["name"]: c["image"] for c in revision["containerDefinitions"]} == {"web": f"{ECR}/web:2", "sidecar": f"{ECR}/sidecar:1"}
    assert revision["executionRoleArn"].endswith("role/TaskExecutionRole")
    assert revision["containerDefinitions"][0]["portMappings"] == [{"containerPort": 80}]


def test_ecs_deploy_with_a_container_the_task_definition_lacks(lab, role):
    ecs = ecs_service(lab)
    commit(lab, {"imagedefinitions.json": json.dumps([{"name": "frontend", "imageUri": f"{ECR}/web:2"}])})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, ecs_stage()))
    lab.run()
    deploy = details(lab)["Deploy"]
    assert deploy["status"] == "Failed"
    assert error_of(deploy) == {"code": "ConfigurationError", "message": "The AWS ECS container frontend does not exist"}
    assert [d["taskDefinition"].rsplit("/", 1)[1] for d in deployments(ecs)] == ["app:1"]    # nothing registered or updated


@pytest.mark.parametrize("content, expected", [
    ('[{"name": "web", "imageUri": ', "The image definition file imagedefinitions.json contains invalid JSON format"),
    ('{"name": "web", "imageUri": "x"}', "The image definition file imagedefinitions.json must hold a non-empty JSON array"),
    ('[{"name": "web"}]', "The image definition file imagedefinitions.json: entry 0 has no imageUri"),
])
def test_ecs_deploy_with_a_bad_image_definitions_file(lab, role, content, expected):
    ecs_service(lab)
    commit(lab, {"imagedefinitions.json": content})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, ecs_stage()))
    lab.run()
    deploy = details(lab)["Deploy"]
    assert deploy["status"] == "Failed"
    assert error_of(deploy)["code"] == "ConfigurationError" and error_of(deploy)["message"].startswith(expected)


def test_ecs_deploy_without_the_named_file(lab, role):
    ecs_service(lab)
    commit(lab, {"imagedefinitions.json": json.dumps([{"name": "web", "imageUri": f"{ECR}/web:2"}])})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, ecs_stage(FileName="images.json")))
    lab.run()
    message = error_of(details(lab)["Deploy"])["message"]
    assert message.startswith("The image definition file images.json was not found in the input artifact")


def test_ecs_deploy_that_outlasts_its_timeout(lab, role):
    ecs = ecs_service(lab)
    commit(lab, {"imagedefinitions.json": json.dumps([{"name": "web", "imageUri": f"{ECR}/web:2"}])})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, ecs_stage(DeploymentTimeout="1")))
    lab.run()
    deploy = details(lab)["Deploy"]
    assert deploy["status"] == "Failed"
    assert "did not complete within the DeploymentTimeout of 1 minutes" in error_of(deploy)["message"]
    assert deployments(ecs)[0]["rolloutState"] == "COMPLETED"     # ECS carries on without the pipeline


def test_ecs_deploy_timeout_out_of_range_is_refused_at_creation(lab, role):
    cp = lab.client("codepipeline")
    with pytest.raises(cp.exceptions.InvalidActionDeclarationException, match="DeploymentTimeout must be a whole number of minutes from 1 to 60"):
        cp.create_pipeline(pipeline=pipeline(role, ecs_stage(DeploymentTimeout="90")))


# -- ECS blue/green through CodeDeploy --------------------------------------------------------

TASKDEF = {"family": "web", "executionRoleArn": "arn:aws:iam::123456789012:role/TaskExecutionRole", "networkMode": "awsvpc",
           "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
           "containerDefinitions": [{"name": "web", "image": "<IMAGE1_NAME>", "essential": True,
                                     "portMappings": [{"containerPort": 80, "protocol": "tcp"}]}]}

APPSPEC = """version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: <TASK_DEFINITION>
        LoadBalancerInfo:
          ContainerName: web
          ContainerPort: 80
Hooks:
  - AfterAllowTestTraffic: CheckTestTraffic
"""

IMAGE_DETAIL = json.dumps({"ImageURI": f"{ECR}/web:abc123"})


def blue_green_setup(lab):
    ecs_service(lab, controller="CODE_DEPLOY")
    codedeploy = lab.client("codedeploy")
    codedeploy.create_application(applicationName="web", computePlatform="ECS")
    role = create_service_role(lab, "CodeDeployECSRole", "codedeploy.amazonaws.com")
    codedeploy.create_deployment_group(
        applicationName="web", deploymentGroupName="web-bg", serviceRoleArn=role,
        deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        blueGreenDeploymentConfiguration={"terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 5},
                                          "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}},
        ecsServices=[{"clusterName": "web", "serviceName": "api"}],
        loadBalancerInfo={"targetGroupPairInfoList": [{"targetGroups": [{"name": "blue"}, {"name": "green"}],
                                                       "prodTrafficRoute": {"listenerArns": ["arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/1/2"]}}]})
    return codedeploy


def blue_green_stage(**configuration):
    config = {"ApplicationName": "web", "DeploymentGroupName": "web-bg", "TaskDefinitionTemplateArtifact": "SourceOutput",
              "AppSpecTemplateArtifact": "SourceOutput", "Image1ArtifactName": "SourceOutput", "Image1ContainerName": "IMAGE1_NAME"}
    return {"name": "Deploy", "actions": [action("Deploy", "Deploy", "CodeDeployToECS", inputs=["SourceOutput"],
                                                  configuration={**config, **configuration})]}


def test_blue_green_registers_the_task_definition_and_deploys_it(lab, role):
    codedeploy = blue_green_setup(lab)
    commit(lab, {"taskdef.json": json.dumps(TASKDEF), "appspec.yaml": APPSPEC, "imageDetail.json": IMAGE_DETAIL})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, blue_green_stage()))

    lab.advance(seconds=85)                                  # BeforeInstall, Install, AfterInstall and AllowTestTraffic done
    deployment_id = details(lab)["Deploy"]["output"]["executionResult"]["externalExecutionId"]
    assert codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == "InProgress"
    assert codedeploy.list_deployment_targets(deploymentId=deployment_id)["targetIds"] == ["web:api"]
    target = codedeploy.get_deployment_target(deploymentId=deployment_id, targetId="web:api")["deploymentTarget"]["ecsTarget"]
    assert [(e["lifecycleEventName"], e["status"]) for e in target["lifecycleEvents"]] == [
        ("BeforeInstall", "Succeeded"), ("Install", "Succeeded"), ("AfterInstall", "Succeeded"), ("AllowTestTraffic", "Succeeded"),
        ("AfterAllowTestTraffic", "InProgress"), ("BeforeAllowTraffic", "Pending"), ("AllowTraffic", "Pending"),
        ("AfterAllowTraffic", "Pending")]

    lab.run()
    deploy = details(lab)["Deploy"]
    assert deploy["status"] == "Succeeded"
    summary = deploy["output"]["executionResult"]["externalExecutionSummary"]
    assert "Succeeded with task definition web:1" in summary and "hooks (not invoked): AfterAllowTestTraffic (CheckTestTraffic)" in summary
    info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert (info["status"], info["computePlatform"], info["deploymentStyle"]["deploymentType"]) == ("Succeeded", "ECS", "BLUE_GREEN")
    assert info["completeTime"] - info["createTime"] >= timedelta(minutes=5)          # the original task set's wait
    assert "TaskDefinition: arn:aws:ecs:us-east-1:123456789012:task-definition/web:1" in info["revision"]["appSpecContent"]["content"]
    target = codedeploy.get_deployment_target(deploymentId=deployment_id, targetId="web:api")["deploymentTarget"]["ecsTarget"]
    assert {e["status"] for e in target["lifecycleEvents"]} == {"Succeeded"} and target["status"] == "Succeeded"
    image = lab.client("ecs").describe_task_definition(taskDefinition="web:1")["taskDefinition"]["containerDefinitions"][0]["image"]
    assert image == f"{ECR}/web:abc123"


def test_blue_green_appspec_without_the_task_definition_placeholder(lab, role):
    blue_green_setup(lab)
    commit(lab, {"taskdef.json": json.dumps(TASKDEF), "appspec.yaml": APPSPEC.replace("<TASK_DEFINITION>", "web:1"),
                 "imageDetail.json": IMAGE_DETAIL})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, blue_green_stage()))
    lab.run()
    deploy = details(lab)["Deploy"]
    assert deploy["status"] == "Failed"
    assert error_of(deploy)["code"] == "ConfigurationError"
    assert error_of(deploy)["message"].startswith("The AppSpec file appspec.yaml (artifact SourceOutput) has no <TASK_DEFINITION> placeholder")


def test_blue_green_task_definition_without_the_image_placeholder(lab, role):
    blue_green_setup(lab)
    fixed = {**TASKDEF, "containerDefinitions": [{**TASKDEF["containerDefinitions"][0], "image": f"{ECR}/web:latest"}]}
    commit(lab, {"taskdef.json": json.dumps(fixed), "appspec.yaml": APPSPEC, "imageDetail.json": IMAGE_DETAIL})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, blue_green_stage()))
    lab.run()
    assert error_of(details(lab)["Deploy"])["message"].startswith(
        "The task definition file taskdef.json has no <IMAGE1_NAME> placeholder for the image named by Image<N>ContainerName IMAGE1_NAME")


def test_blue_green_without_image_detail(lab, role):
    blue_green_setup(lab)
    commit(lab, {"taskdef.json": json.dumps(TASKDEF), "appspec.yaml": APPSPEC})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, blue_green_stage()))
    lab.run()
    assert error_of(details(lab)["Deploy"])["message"] == (
        "Exception while trying to read the image artifact file from the artifact: SourceOutput. (imageDetail.json is not in the artifact)")


def test_blue_green_with_malformed_image_detail(lab, role):
    blue_green_setup(lab)
    commit(lab, {"taskdef.json": json.dumps(TASKDEF), "appspec.yaml": APPSPEC, "imageDetail.json": '{"ImageUri": "x"}'})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, blue_green_stage()))
    lab.run()
    assert "imageDetail.json must be an object with an ImageURI string" in error_of(details(lab)["Deploy"])["message"]


def test_blue_green_without_the_task_definition_file(lab, role):
    blue_green_setup(lab)
    commit(lab, {"appspec.yaml": APPSPEC, "imageDetail.json": IMAGE_DETAIL})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, blue_green_stage()))
    lab.run()
    assert error_of(details(lab)["Deploy"])["message"] == (
        "Exception while trying to read the task definition artifact file from: SourceOutput (taskdef.json is not in the artifact)")


def test_blue_green_container_name_not_in_the_task_definition_fails_the_deployment(lab, role):
    codedeploy = blue_green_setup(lab)
    commit(lab, {"taskdef.json": json.dumps(TASKDEF), "appspec.yaml": APPSPEC.replace("ContainerName: web", "ContainerName: api"),
                 "imageDetail.json": IMAGE_DETAIL})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, blue_green_stage()))
    lab.run()
    deploy = details(lab)["Deploy"]
    assert deploy["status"] == "Failed"
    assert "ECS_UPDATE_ERROR: LoadBalancerInfo.ContainerName api of the AppSpec content is not a container" in error_of(deploy)["message"]
    deployment_id = deploy["output"]["executionResult"]["externalExecutionId"]
    target = codedeploy.get_deployment_target(deploymentId=deployment_id, targetId="web:api")["deploymentTarget"]["ecsTarget"]
    assert [e["status"] for e in target["lifecycleEvents"]][:3] == ["Succeeded", "Failed", "Skipped"]


def test_blue_green_artifact_keys_must_name_inputs(lab, role):
    cp = lab.client("codepipeline")
    with pytest.raises(cp.exceptions.InvalidActionDeclarationException, match="Image1ArtifactName 'BuildOutput' is not one of its input artifacts"):
        cp.create_pipeline(pipeline=pipeline(role, blue_green_stage(Image1ArtifactName="BuildOutput")))
