"""Builders of pipeline declarations for tests: short, valid by default."""

import copy


def action(name, category, provider, *, inputs=(), outputs=(), configuration=None, owner="AWS", run_order=None, **extra):
    declared = {
        "name": name,
        "actionTypeId": {"category": category, "owner": owner, "provider": provider, "version": "1"},
        "configuration": configuration if configuration is not None else {},
        "inputArtifacts": [{"name": n} for n in inputs],
        "outputArtifacts": [{"name": n} for n in outputs],
    }
    if run_order is not None:
        declared["runOrder"] = run_order
    declared.update(extra)
    return declared


def codecommit_source(name="Source", output="SourceOutput", **extra):
    return action(name, "Source", "CodeCommit", outputs=[output],
                  configuration={"RepositoryName": "app", "BranchName": "main", "PollForSourceChanges": "false"}, **extra)


def codebuild(name="Build", inputs=("SourceOutput",), outputs=(), project="app-build", category="Build", **extra):
    return action(name, category, "CodeBuild", inputs=inputs, outputs=outputs, configuration={"ProjectName": project}, **extra)


def declaration(role="arn:aws:iam::123456789012:role/CodePipelineServiceRole", name="demo", stages=None, **extra):
    declared = {
        "name": name,
        "roleArn": role,
        "artifactStore": {"type": "S3", "location": "demo-artifacts"},
        "stages": stages if stages is not None else [
            {"name": "Source", "actions": [codecommit_source()]},
            {"name": "Build", "actions": [codebuild()]},
        ],
    }
    declared.update(extra)
    return copy.deepcopy(declared)
