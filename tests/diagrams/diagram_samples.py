"""Hand-made AWS API answers, in exactly the shapes boto3 returns, for diagram tests."""

from __future__ import annotations

import copy
import json

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/CodePipelineRole"


def action(name, category, provider, run_order=1, inputs=(), outputs=(), configuration=None, **extra):
    declared = {
        "name": name,
        "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
        "runOrder": run_order,
        "configuration": configuration or {},
        "inputArtifacts": [{"name": n} for n in inputs],
        "outputArtifacts": [{"name": n} for n in outputs],
    }
    declared.update(extra)
    return declared


def stage(name, *actions):
    return {"name": name, "actions": list(actions)}


def seven_stage_pipeline(name="WebApp"):
    """Source → Build → Test (two parallel CodeBuild) → DeployStaging → LoadTest → Approval → DeployProd."""
    return {
        "name": name,
        "roleArn": ROLE,
        "artifactStore": {"type": "S3", "location": "codepipeline-us-east-1-artifacts"},
        "stages": [
            stage("Source", action("Source", "Source", "CodeCommit", outputs=["SourceOutput"],
                                   configuration={"RepositoryName": "webapp", "BranchName": "main"})),
            stage("Build", action("Build", "Build", "CodeBuild", inputs=["SourceOutput"], outputs=["BuildOutput"],
                                  configuration={"ProjectName": "webapp-build"})),
            stage("Test",
                  action("UnitTests", "Test", "CodeBuild", inputs=["BuildOutput"],
                         configuration={"ProjectName": "webapp-unit"}),
                  action("IntegrationTests", "Test", "CodeBuild", inputs=["BuildOutput"],
                         configuration={"ProjectName": "webapp-integration"})),
            stage("DeployStaging", action("DeployStaging", "Deploy", "S3", inputs=["BuildOutput"],
                                          configuration={"BucketName": "webapp-staging", "Extract": "true"})),
            stage("LoadTest", action("LoadTest", "Test", "CodeBuild", inputs=["BuildOutput"],
                                     configuration={"ProjectName": "webapp-load"})),
            stage("Approval", action("Approve", "Approval", "Manual")),
            stage("DeployProd", action("DeployProd", "Deploy", "S3", inputs=["BuildOutput"],
                                       configuration={"BucketName": "webapp-prod", "Extract": "true"})),
        ],
        "version": 1,
        "pipelineType": "V2",
        "executionMode": "SUPERSEDED",
    }


def get_pipeline_response(declaration, region="us-east-1"):
    return {
        "pipeline": copy.deepcopy(declaration),
        "metadata": {"pipelineArn": f"arn:aws:codepipeline:{region}:{ACCOUNT}:{declaration['name']}"},
    }


def sequential_and_parallel_pipeline():
    """One stage with two parallel actions (runOrder 1) followed by one action (runOrder 2)."""
    return {
        "name": "Ordered",
        "roleArn": ROLE,
        "artifactStore": {"type": "S3", "location": "artifacts-bucket"},
        "stages": [
            stage("Source", action("App", "Source", "S3", outputs=["AppSource"],
                                   configuration={"S3Bucket": "src", "S3ObjectKey": "app.zip"}),
                  action("Config", "Source", "S3", outputs=["ConfigSource"],
                         configuration={"S3Bucket": "src", "S3ObjectKey": "config.zip"})),
            stage("Build",
                  action("Lint", "Test", "CodeBuild", 1, inputs=["AppSource"], configuration={"ProjectName": "lint"}),
                  action("Compile", "Build", "CodeBuild", 1, inputs=["AppSource", "ConfigSource"],
                         outputs=["Binary", "Reports"],
                         configuration={"ProjectName": "compile", "PrimarySource": "AppSource"}),
                  action("Package", "Build", "CodeBuild", 2, inputs=["Binary"], outputs=["Package"],
                         configuration={"ProjectName": "package"})),
            stage("Deploy", action("Ship", "Deploy", "S3", inputs=["Package"],
                                   configuration={"BucketName": "dist", "Extract": "false", "ObjectKey": "pkg.zip"})),
        ],
    }


EXECUTION_1 = "11111111-aaaa-4aaa-8aaa-000000000001"
EXECUTION_2 = "22222222-bbbb-4bbb-8bbb-000000000002"
EXECUTION_3 = "33333333-cccc-4ccc-8ccc-000000000003"
BUCKET = "codepipeline-us-east-1-artifacts"


def artifact_location(pipeline_name, artifact, object_id):
    """AWS's key layout: <first 20 of pipeline>/<first 10 of artifact>/<7-char id>."""
    return {"name": artifact, "s3location": {"bucket": BUCKET, "key": f"{pipeline_name[:20]}/{artifact[:10]}/{object_id}"}}


def action_execution(execution_id, stage_name, action_name, status, minute=0, inputs=(), outputs=(),
                     category="Build", provider="CodeBuild", error=None):
    """One entry of list_action_executions()["actionExecutionDetails"]."""
    result = {"externalExecutionId": f"{action_name}-run", "externalExecutionSummary": status}
    if error:
        result["errorDetails"] = {"code": "JobFailed", "message": error}
    return {
        "pipelineExecutionId": execution_id,
        "actionExecutionId": f"{execution_id[:8]}-{stage_name}-{action_name}",
        "pipelineVersion": 1,
        "stageName": stage_name,
        "actionName": action_name,
        "startTime": f"2025-01-01T10:{minute:02d}:00+00:00",
        "lastUpdateTime": f"2025-01-01T10:{minute + 1:02d}:00+00:00",
        "status": status,
        "input": {"actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
                  "configuration": {}, "resolvedConfiguration": {}, "region": "us-east-1",
                  "inputArtifacts": list(inputs)},
        "output": {"outputArtifacts": list(outputs), "executionResult": result, "outputVariables": {}},
    }


def webapp_run(execution_id, upto, last_status="Succeeded", pipeline_name="WebApp", error=None):
    """Action executions of the seven-stage pipeline, every action Succeeded until `upto`, which has `last_status`."""
    src = artifact_location(pipeline_name, "SourceOutput", "Abc1234")
    build = artifact_location(pipeline_name, "BuildOutput", "Def5678")
    plan = [
        ("Source", "Source", "Source", "CodeCommit", [], [src]),
        ("Build", "Build", "Build", "CodeBuild", [src], [build]),
        ("Test", "UnitTests", "Test", "CodeBuild", [build], []),
        ("Test", "IntegrationTests", "Test", "CodeBuild", [build], []),
        ("DeployStaging", "DeployStaging", "Deploy", "S3", [build], []),
        ("LoadTest", "LoadTest", "Test", "CodeBuild", [build], []),
        ("Approval", "Approve", "Approval", "Manual", [], []),
        ("DeployProd", "DeployProd", "Deploy", "S3", [build], []),
    ]
    records = []
    for minute, (stage_name, name, category, provider, inputs, outputs) in enumerate(plan):
        status = last_status if name == upto else "Succeeded"
        records.append(action_execution(execution_id, stage_name, name, status, minute, inputs,
                                        outputs if status == "Succeeded" else [], category, provider,
                                        error if name == upto else None))
        if name == upto:
            break
    return list(reversed(records))   # the API lists newest first


def stage_state(stage_name, actions, execution_id=None, status=None, enabled=True, reason=None, inbound=None):
    """One entry of get_pipeline_state()["stageStates"]; actions is [(name, status or None, token?)]."""
    state = {
        "stageName": stage_name,
        "inboundTransitionState": {"enabled": enabled},
        "actionStates": [],
    }
    if reason:
        state["inboundTransitionState"]["disabledReason"] = reason
    for name, action_status, *token in actions:
        entry = {"actionName": name}
        if action_status:
            entry["latestExecution"] = {"status": action_status, "actionExecutionId": f"{name}-1"}
            if token:
                entry["latestExecution"]["token"] = token[0]
        state["actionStates"].append(entry)
    if execution_id:
        state["latestExecution"] = {"pipelineExecutionId": execution_id, "status": status}
    if inbound:
        state["inboundExecutions"] = inbound
    return state


def commit_rule():
    pattern = {"source": ["aws.codecommit"], "detail-type": ["CodeCommit Repository State Change"],
               "resources": [f"arn:aws:codecommit:us-east-1:{ACCOUNT}:webapp"],
               "detail": {"event": ["referenceCreated", "referenceUpdated"], "referenceType": ["branch"],
                          "referenceName": ["main"]}}
    return {"Name": "webapp-on-push", "Arn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/webapp-on-push",
            "EventPattern": json.dumps(pattern), "State": "ENABLED", "EventBusName": "default"}


def failure_rule():
    pattern = {"source": ["aws.codepipeline"], "detail-type": ["CodePipeline Pipeline Execution State Change"],
               "detail": {"state": ["FAILED"], "pipeline": ["WebApp"]}}
    return {"Name": "webapp-failed", "Arn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/webapp-failed",
            "EventPattern": json.dumps(pattern), "State": "ENABLED", "EventBusName": "default"}


PIPELINE_ARN = f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:WebApp"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:pipeline-alerts"

EVENT_TARGETS = {
    "webapp-on-push": [{"Id": "codepipeline-WebApp", "Arn": PIPELINE_ARN,
                        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/events-start-pipeline"}],
    "webapp-failed": [{"Id": "alerts", "Arn": TOPIC_ARN}],
}
SUBSCRIPTIONS = {TOPIC_ARN: [{"SubscriptionArn": f"{TOPIC_ARN}:0b1c", "Owner": ACCOUNT, "Protocol": "email",
                              "Endpoint": "team@example.com", "TopicArn": TOPIC_ARN}]}


def stack_configuration(artifact):
    return {"ActionMode": "CREATE_UPDATE", "StackName": "app", "TemplatePath": f"{artifact}::packaged.yaml",
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/CloudFormationRole"}


def two_region_pipeline():
    """Build in us-east-1, deploy with CloudFormation to us-east-1 and to eu-west-1."""
    return {
        "name": "GlobalApp",
        "roleArn": ROLE,
        "artifactStores": {
            "us-east-1": {"type": "S3", "location": "artifacts-us-east-1"},
            "eu-west-1": {"type": "S3", "location": "artifacts-eu-west-1",
                          "encryptionKey": {"id": "arn:aws:kms:eu-west-1:123456789012:key/abcd", "type": "KMS"}},
        },
        "stages": [
            stage("Source", action("Source", "Source", "S3", outputs=["SourceOutput"],
                                   configuration={"S3Bucket": "src", "S3ObjectKey": "app.zip"})),
            stage("Build", action("Build", "Build", "CodeBuild", inputs=["SourceOutput"],
                                  outputs=["BuildUsEast1", "BuildEuWest1"], configuration={"ProjectName": "build"})),
            stage("Deploy",
                  action("DeployUS", "Deploy", "CloudFormation", inputs=["BuildUsEast1"],
                         configuration=stack_configuration("BuildUsEast1")),
                  action("DeployEU", "Deploy", "CloudFormation", inputs=["BuildEuWest1"], region="eu-west-1",
                         configuration=stack_configuration("BuildEuWest1"))),
        ],
    }
