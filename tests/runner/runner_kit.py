"""Small pipelines, templates and source folders for the runner's tests."""

import json
from pathlib import Path

ROLE = "arn:aws:iam::123456789012:role/RunnerPipelineRole"
BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - mkdir -p out
      - cp index.html out/index.html
      - echo "variable is $GREETING"
artifacts:
  base-directory: out
  files:
    - '**/*'
"""
FAILING_BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - echo compiling the app
      - echo 'compiler says no' && exit 3
"""


def folder(tmp_path: Path, name: str = "app", buildspec: str | None = BUILDSPEC, **files) -> Path:
    path = tmp_path / name
    path.mkdir()
    (path / "index.html").write_text("<h1>hello</h1>\n")
    if buildspec is not None:
        (path / "buildspec.yml").write_text(buildspec)
    for file_name, content in files.items():
        (path / file_name).write_text(content)
    return path


def action(name, category, provider, configuration, inputs=(), outputs=(), **extra):
    return {"name": name, "actionTypeId": {"category": category, "owner": extra.pop("owner", "AWS"), "provider": provider, "version": "1"},
            "configuration": configuration, "inputArtifacts": [{"name": n} for n in inputs],
            "outputArtifacts": [{"name": n} for n in outputs], **extra}


def s3_build_deploy(approval: bool = False, **extra) -> dict:
    """S3 source → CodeBuild → (approval) → S3 deploy; nothing it names exists yet."""
    stages = [
        {"name": "Source", "actions": [action("Source", "Source", "S3", {"S3Bucket": "runner-source", "S3ObjectKey": "app.zip",
                                                                         "PollForSourceChanges": "false"}, outputs=["Code"])]},
        {"name": "Build", "actions": [action("Build", "Build", "CodeBuild", {"ProjectName": "runner-build"}, ["Code"], ["Site"])]},
    ]
    if approval:
        stages.append({"name": "Approve", "actions": [action("Review", "Approval", "Manual", {"CustomData": "look at the site"})]})
    stages.append({"name": "Deploy", "actions": [action("Site", "Deploy", "S3", {"BucketName": "runner-site", "Extract": "true"}, ["Site"])]})
    return {"name": "runner-demo", "roleArn": ROLE, "artifactStore": {"type": "S3", "location": "runner-artifacts"},
            "stages": stages, **extra}


def write_json(tmp_path: Path, document, name: str = "pipeline.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2))
    return str(path)


def write_text(tmp_path: Path, text: str, name: str = "template.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


TEMPLATE = """
AWSTemplateFormatVersion: 2010-09-09
Parameters:
  Branch:
    Type: String
    Default: main
Resources:
  Repo:
    Type: AWS::CodeCommit::Repository
    Properties:
      RepositoryName: tiny-app
  Artifacts:
    Type: AWS::S3::Bucket
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: codepipeline.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: all
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: ["s3:*", "codecommit:*", "codebuild:*", "sns:*"], Resource: "*"}
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: !GetAtt Role.Arn
      ArtifactStore: {Type: S3, Location: !Ref Artifacts}
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit, Version: 1}
              Configuration: {RepositoryName: !GetAtt Repo.Name, BranchName: !Ref Branch, PollForSourceChanges: false}
              OutputArtifacts: [{Name: Src}]
        - Name: Check
          Actions:
            - Name: Approve
              ActionTypeId: {Category: Approval, Owner: AWS, Provider: Manual, Version: 1}
"""
