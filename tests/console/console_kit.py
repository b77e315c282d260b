"""A classic pipeline for the console's tests: Source (CodeCommit) → Build (CodeBuild) → Approve (manual) → Deploy (S3)."""

import json

from builders import action, codecommit_source, declaration

from codepipeline_lab.setup_helpers import create_bucket, create_service_role, push

BUILDSPEC = """version: 0.2
env:
  exported-variables: [VERSION]
phases:
  build:
    commands:
      - echo "Building the site"
      - test -f ready.txt
      - mkdir -p site && cp index.html site/
      - VERSION=1.0.$CODEBUILD_BUILD_NUMBER
artifacts:
  files: ['**/*']
  base-directory: site
"""
ENVIRONMENT = {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"}


def webapp(role):
    source = codecommit_source()
    source["namespace"] = "SourceVariables"
    build = action("Build", "Build", "CodeBuild", inputs=["SourceOutput"], outputs=["Site"],
                   configuration={"ProjectName": "webapp-build"}, namespace="BuildVariables")
    approval = action("Approval", "Approval", "Manual",
                      configuration={"CustomData": "Release #{SourceVariables.CommitMessage}?"})
    deploy = action("DeploySite", "Deploy", "S3", inputs=["Site"],
                    configuration={"BucketName": "webapp-site", "Extract": "true"})
    return declaration(role, name="WebApp", stages=[
        {"name": "Source", "actions": [source]}, {"name": "Build", "actions": [build]},
        {"name": "Approve", "actions": [approval]}, {"name": "Deploy", "actions": [deploy]}])


def build_project(lab):
    create_service_role(lab, "CodeBuildRole", "codebuild.amazonaws.com")
    lab.client("codebuild").create_project(
        name="webapp-build", source={"type": "CODEPIPELINE", "buildspec": BUILDSPEC}, artifacts={"type": "CODEPIPELINE"},
        environment=ENVIRONMENT, serviceRole="arn:aws:iam::123456789012:role/CodeBuildRole")


def classic_pipeline(lab, role, ready=True):
    """Create WebApp and run it until it waits: at the approval when ``ready``, failed in Build otherwise."""
    create_bucket(lab, "webapp-site")
    build_project(lab)
    files = {"index.html": "<h1>WebApp</h1>\n"}
    if ready:
        files["ready.txt"] = "yes\n"
    push(lab, "app", files, "Add the home page")
    lab.client("codepipeline").create_pipeline(pipeline=webapp(role))
    lab.run()


def fix_the_build(lab):
    return push(lab, "app", {"ready.txt": "yes\n"}, "Mark the site ready")


def approver(lab, may_approve: bool):
    """An IAM user who may read the pipeline, and approve only when ``may_approve``."""
    from codepipeline_lab.setup_helpers import create_user
    arn = "arn:aws:codepipeline:us-east-1:123456789012:WebApp"
    statements = [{"Effect": "Allow", "Action": ["codepipeline:GetPipeline", "codepipeline:GetPipelineState",
                                                 "codepipeline:GetPipelineExecution", "codepipeline:ListPipelineExecutions",
                                                 "codepipeline:ListActionExecutions"], "Resource": arn}]
    if may_approve:
        statements.append({"Effect": "Allow", "Action": "codepipeline:PutApprovalResult", "Resource": f"{arn}/Approve/Approval"})
    return create_user(lab, "approver" if may_approve else "reader", statements)


def stage(console, name):
    return next(s for s in console.view["stages"] if s["name"] == name)


def card(console, stage_name, action_name):
    return next(a for a in stage(console, stage_name)["actions"] if a["name"] == action_name)


def pretty(value) -> str:
    return json.dumps(value, indent=1, sort_keys=True)


def executions(lab, name="WebApp"):
    """[(execution id, status)], newest first."""
    return [(e["pipelineExecutionId"], e["status"]) for e in
            lab.client("codepipeline").list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"]]


def stage_status(lab, stage_name, name="WebApp"):
    """(stage status, {action: status}) from GetPipelineState."""
    for found in lab.client("codepipeline").get_pipeline_state(name=name)["stageStates"]:
        if found["stageName"] == stage_name:
            actions = {a["actionName"]: (a.get("latestExecution") or {}).get("status") for a in found["actionStates"]}
            return (found.get("latestExecution") or {}).get("status"), actions
    raise KeyError(stage_name)


def approve_outside(lab, name="WebApp"):
    """Approve as the administrator, as another notebook cell would."""
    cp = lab.client("codepipeline")
    token = next(a["latestExecution"]["token"] for s in cp.get_pipeline_state(name=name)["stageStates"]
                 if s["stageName"] == "Approve" for a in s["actionStates"])
    cp.put_approval_result(pipelineName=name, stageName="Approve", actionName="Approval", token=token,
                           result={"status": "Approved", "summary": "from another cell"})
