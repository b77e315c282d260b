"""Helpers for the connection scenarios: a completed GitHub connection, a repository on the
Lab's GitHub, and a V2 pipeline whose source is that repository."""

import json

from builders import action, declaration

from codepipeline_lab.setup_helpers import create_bucket, create_service_role

REPO = "octo/app"
BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - git log --oneline\n"


def connection(lab, provider="GitHub", complete=True, client="codestar-connections"):
    arn = lab.client(client).create_connection(ProviderType=provider, ConnectionName=f"{provider.lower()}-conn")["ConnectionArn"]
    if complete:
        lab.complete_connection(arn)
    return arn


def repository(lab, provider="GitHub", files=None):
    host = lab.git_host(provider)
    host.create_repository(REPO)
    first = host.push(REPO, "main", files or {"app.py": "print('hi')\n", "buildspec.yml": BUILDSPEC}, "Initial commit")
    return host, first


def source_action(arn, name="Source", output="SourceOutput", **configuration):
    return action(name, "Source", "CodeStarSourceConnection", outputs=[output], namespace="SourceVariables",
                  configuration={"ConnectionArn": arn, "FullRepositoryId": REPO, "BranchName": "main", **configuration})


def approval_stage():
    """A stage that holds every execution (so that none of them needs anything to build)."""
    return {"name": "Hold", "actions": [action("Hold", "Approval", "Manual")]}


def pipeline(lab, arn, *, second_stage=None, triggers=None, name="demo", **configuration):
    role = create_service_role(lab)
    try:
        create_bucket(lab, "demo-artifacts")
    except Exception:
        pass
    extra = {"triggers": triggers} if triggers is not None else {}
    declared = declaration(role, name=name, pipelineType="V2", executionMode="PARALLEL",
                           stages=[{"name": "Source", "actions": [source_action(arn, **configuration)]}, second_stage or approval_stage()],
                           **extra)
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    return declared


def executions(lab, name="demo"):
    """Execution summaries, oldest first."""
    found = lab.client("codepipeline").list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"]
    return list(reversed(found))


def triggered(lab, name="demo"):
    """(triggerType, revision) of every execution not started by CreatePipeline, oldest first."""
    return [(e["trigger"]["triggerType"], e["sourceRevisions"][0]["revisionId"] if e.get("sourceRevisions") else None)
            for e in executions(lab, name) if e["trigger"]["triggerType"] != "CreatePipeline"]


def source_detail(lab, execution_id, name="demo"):
    details = lab.client("codepipeline").list_action_executions(
        pipelineName=name, filter={"pipelineExecutionId": execution_id})["actionExecutionDetails"]
    return next(d for d in details if d["actionName"] == "Source")


def codebuild_role(lab, use_connection):
    """The CodeBuild role of AWS's documented policy, plus UseConnection when asked."""
    arn = create_service_role(lab, "CodeBuildRole", "codebuild.amazonaws.com")
    if use_connection:
        lab.client("iam").put_role_policy(RoleName="CodeBuildRole", PolicyName="UseConnection", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "codestar-connections:UseConnection", "Resource": "*"}]}))
    return arn


def project(lab, role_arn, name="app-build"):
    lab.client("codebuild").create_project(
        name=name, source={"type": "CODEPIPELINE"}, artifacts={"type": "CODEPIPELINE"}, serviceRole=role_arn,
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"})
