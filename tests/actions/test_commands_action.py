"""Compute/AWS/Commands: the action's commands run in the build shell, as the action's role."""

import json

from actions_kit import commit, details, output_files, pipeline
from builders import action


def commands_action(commands, outputs=(), variables=None, **extra):
    declared = action("Run", "Compute", "Commands", inputs=["SourceOutput"], outputs=outputs, **extra)
    declared["commands"] = commands
    if variables:
        declared["outputVariables"] = variables
    return declared


def v2(role, *stages):
    declared = pipeline(role, *stages)
    declared["pipelineType"] = "V2"
    return declared


def test_commands_run_and_export_variables_and_files(lab, role):
    run = commands_action(["mkdir -p out", "echo ready > out/status.txt", "export RELEASE=1.2.$((1+2))",
                           "aws s3 ls > out/buckets.txt"],
                          outputs=["RunOutput"], variables=["RELEASE"], namespace="RunVariables")
    run["outputArtifacts"][0]["files"] = ["out/**/*"]
    lab.client("codepipeline").create_pipeline(pipeline=v2(role, {"name": "Run", "actions": [run]}))
    lab.run()
    detail = details(lab)["Run"]
    assert detail["status"] == "Succeeded"
    assert detail["output"]["outputVariables"] == {"RELEASE": "1.2.3"}
    files = output_files(lab, detail)
    assert files["out/status.txt"] == "ready\n" and "demo-artifacts" in files["out/buckets.txt"]


def test_a_failing_command_fails_the_action_and_logs_go_to_the_pipelines_group(lab, role):
    lab.client("codepipeline").create_pipeline(pipeline=v2(role, {"name": "Run", "actions": [
        commands_action(["echo starting", "exit 3"])]}))
    lab.run()
    detail = details(lab)["Run"]
    assert detail["status"] == "Failed"
    assert "Error while executing command: exit 3. Reason: exit status 3" in detail["output"]["executionResult"]["externalExecutionSummary"]
    streams = lab.client("logs").describe_log_streams(logGroupName="/aws/codepipeline/demo")["logStreams"]
    events = lab.client("logs").get_log_events(logGroupName="/aws/codepipeline/demo", logStreamName=streams[0]["logStreamName"])
    assert any("starting" in e["message"] for e in events["events"])
