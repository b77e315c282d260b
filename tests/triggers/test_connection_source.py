"""The CodeStarSourceConnection source action: CODE_ZIP, PENDING connections, the pipeline
role's UseConnection, and CODEBUILD_CLONE_REF cloned by CodeBuild as the build's role."""

import io
import json
import zipfile

from builders import action
from connections_kit import (REPO, codebuild_role, connection, executions, pipeline, project, repository,
                             source_detail)

from codepipeline_lab.simulator.identity.default_policies import BY_SERVICE


def artifact_files(lab, detail):
    location = detail["output"]["outputArtifacts"][0]["s3location"]
    data = lab.client("s3").get_object(Bucket=location["bucket"], Key=location["key"])["Body"].read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_code_zip_holds_the_branch_head_and_the_output_variables(lab):
    arn = connection(lab)
    host, first = repository(lab)
    second = host.push(REPO, "main", {"docs/readme.md": "# app\n"}, "Add docs\n\nLonger text.")
    pipeline(lab, arn)
    execution = executions(lab)[0]
    assert execution["status"] == "InProgress"          # held by the approval stage
    revision = execution["sourceRevisions"][0]
    assert revision["revisionId"] == second
    assert revision["revisionUrl"] == f"https://github.com/{REPO}/commit/{second}"
    detail = source_detail(lab, execution["pipelineExecutionId"])
    assert detail["status"] == "Succeeded"
    assert set(artifact_files(lab, detail)) == {"app.py", "buildspec.yml", "docs/readme.md"}
    variables = detail["output"]["outputVariables"]
    assert variables == {"AuthorDate": variables["AuthorDate"], "BranchName": "main", "CommitId": second,
                         "CommitMessage": "Add docs\n\nLonger text.", "ConnectionArn": arn, "FullRepositoryName": REPO}
    assert first != second


def test_a_pending_connection_fails_the_source_until_the_handshake_and_a_retry(lab):
    arn = connection(lab, complete=False)
    repository(lab)
    pipeline(lab, arn)
    execution = executions(lab)[0]
    assert execution["status"] == "Failed"
    detail = source_detail(lab, execution["pipelineExecutionId"])
    assert "is not available: its status is PENDING" in detail["output"]["executionResult"]["externalExecutionSummary"]
    lab.complete_connection(arn)
    lab.client("codepipeline").retry_stage_execution(pipelineName="demo", stageName="Source",
                                                   pipelineExecutionId=execution["pipelineExecutionId"], retryMode="FAILED_ACTIONS")
    lab.run()
    assert source_detail(lab, execution["pipelineExecutionId"])["status"] == "Succeeded"


def test_the_pipeline_role_needs_use_connection(lab):
    arn = connection(lab)
    repository(lab)
    policy = json.loads(json.dumps(BY_SERVICE["codepipeline.amazonaws.com"]))
    policy["Statement"] = [s for s in policy["Statement"] if "codestar-connections:UseConnection" not in s["Action"]]
    lab.client("iam").create_role(RoleName="Bare", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    lab.client("iam").put_role_policy(RoleName="Bare", PolicyName="p", PolicyDocument=json.dumps(policy))
    declared = pipeline(lab, arn, name="first")        # creates the bucket and the default role
    declared.update(name="bare", roleArn="arn:aws:iam::123456789012:role/Bare")
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    failed = executions(lab, "bare")[0]
    detail = source_detail(lab, failed["pipelineExecutionId"], "bare")
    assert detail["status"] == "Failed"
    summary = detail["output"]["executionResult"]["externalExecutionSummary"]
    assert f"codestar-connections:UseConnection on resource: {arn}" in summary


def clone_ref_pipeline(lab, use_connection):
    arn = connection(lab)
    host, first = repository(lab)
    host.push(REPO, "main", {"app.py": "print('v2')\n"}, "Second commit")
    project(lab, codebuild_role(lab, use_connection))
    build = {"name": "Build", "actions": [action("Build", "Build", "CodeBuild", inputs=["SourceOutput"],
                                                configuration={"ProjectName": "app-build"})]}
    pipeline(lab, arn, second_stage=build, OutputArtifactFormat="CODEBUILD_CLONE_REF")
    return executions(lab)[0], first


def build_log(lab):
    build_id = lab.client("codebuild").list_builds()["ids"][0]
    build = lab.client("codebuild").batch_get_builds(ids=[build_id])["builds"][0]
    logs = build["logs"]
    events = lab.client("logs").get_log_events(logGroupName=logs["groupName"], logStreamName=logs["streamName"])["events"]
    return build, "\n".join(e["message"] for e in events)


def test_codebuild_clone_ref_gives_the_build_a_git_repository_with_history(lab):
    execution, first = clone_ref_pipeline(lab, use_connection=True)
    assert execution["status"] == "Succeeded"
    source = source_detail(lab, execution["pipelineExecutionId"])
    assert list(artifact_files(lab, source)) == ["codepipeline-clone-ref.json"]
    head = source["output"]["outputVariables"]["CommitId"]
    build, log = build_log(lab)
    assert build["buildStatus"] == "SUCCEEDED"
    assert f"{head[:7]} Second commit" in log
    assert f"{first[:7]} Initial commit" in log


def test_codebuild_clone_ref_fails_in_download_source_without_use_connection_on_the_build_role(lab):
    execution, _ = clone_ref_pipeline(lab, use_connection=False)
    assert execution["status"] == "Failed"
    build, _ = build_log(lab)
    phase = next(p for p in build["phases"] if p["phaseType"] == "DOWNLOAD_SOURCE")
    assert phase["phaseStatus"] == "FAILED"
    message = phase["contexts"][0]["message"]
    assert "role/CodeBuildRole" in message and "codestar-connections:UseConnection" in message
