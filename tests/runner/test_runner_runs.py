"""`codepipeline-lab run` on small pipelines: sources of each kind, builds, deploys, approvals, --out."""

import json
import subprocess
import sys
from pathlib import Path

from runner_kit import FAILING_BUILDSPEC, TEMPLATE, folder, s3_build_deploy, write_json, write_text

from codepipeline_lab.cli import main

REPO = Path(__file__).resolve().parents[2]
CLASSIC = REPO / "examples" / "classic"


def test_classic_template_runs_and_writes_out(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", str(CLASSIC / "template.yaml"), "--source", str(CLASSIC / "app"), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "created AWS::CodeBuild::Project" in printed and "deployed stack template" in printed
    assert "Build/Build" in printed and "Succeeded: pipeline classic" in printed
    assert (out / "artifacts" / "BuildOutput" / "index.html").read_text() == "<h1>Hello from version 1.0</h1>\n"
    assert (out / "artifacts" / "SourceOutput" / "buildspec.yml").exists()
    assert "Phase complete: BUILD State: SUCCEEDED" in (out / "logs" / "Build.Build.log").read_text()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pipelineExecution"]["status"] == "Succeeded"
    assert summary["actionExecutionDetails"][-1]["lastUpdateTime"].startswith("2025-01-06T09:00:28")
    assert [d["actionName"] for d in summary["actionExecutionDetails"]] == ["Source", "Build", "Site"]
    events = json.loads((out / "events.json").read_text())
    states = [e["detail"]["state"] for e in events if e["detail-type"] == "CodePipeline Pipeline Execution State Change"]
    assert states == ["STARTED", "SUCCEEDED"]


def test_declaration_with_s3_source_gets_what_it_lacks(tmp_path, capsys):
    path = write_json(tmp_path, {"pipeline": s3_build_deploy()})
    code = main(["run", path, "--source", str(folder(tmp_path))])
    printed = capsys.readouterr().out
    assert code == 0, printed
    for thing in ("IAM role RunnerPipelineRole", "S3 bucket runner-artifacts", "S3 bucket runner-source in us-east-1 (source, versioned)",
                  "CodeBuild project runner-build", "S3 bucket runner-site"):
        assert f"created {thing}" in printed
    assert "uploaded as s3://runner-source/app.zip (version" in printed
    assert "Deploy/Site" in printed and "Succeeded" in printed.splitlines()[-1]


def test_failing_build_exits_1_with_error_and_log_tail(tmp_path, capsys):
    path = write_json(tmp_path, s3_build_deploy())
    code = main(["run", path, "--source", str(folder(tmp_path, buildspec=FAILING_BUILDSPEC))])
    printed = capsys.readouterr().out
    assert code == 1
    assert "Build/Build" in printed and "Failed" in printed
    assert "error: JobFailed: Build terminated with state: FAILED. Phase: BUILD" in printed
    assert "| compiler says no" in printed
    assert printed.splitlines()[-1].startswith("Failed: pipeline runner-demo")


def test_approve_and_reject(tmp_path, capsys):
    path = write_json(tmp_path, s3_build_deploy(approval=True))
    app = folder(tmp_path)
    assert main(["run", path, "--source", str(app), "--approve"]) == 0
    assert "Approve/Review" in capsys.readouterr().out
    assert main(["run", path, "--source", str(app), "--reject"]) == 1
    printed = capsys.readouterr().out
    assert "answered: Rejected" in printed and "Failed" in printed.splitlines()[-1]


def test_unanswered_approval_without_a_terminal_stops_with_a_hint(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", open("/dev/null"))
    path = write_text(tmp_path, TEMPLATE)
    assert main(["run", path, "--source", str(folder(tmp_path, buildspec=None))]) == 1
    printed = capsys.readouterr().out
    assert "cannot go on without approval Check/Approve: give --approve or --reject" in printed


def test_variables_reach_the_build(tmp_path, capsys):
    document = s3_build_deploy(pipelineType="V2", variables=[{"name": "greeting", "defaultValue": "hi"}])
    document["stages"][1]["actions"][0]["configuration"]["EnvironmentVariables"] = json.dumps(
        [{"name": "GREETING", "value": "#{variables.greeting}", "type": "PLAINTEXT"}])
    out = tmp_path / "out"
    code = main(["run", write_json(tmp_path, document), "--source", str(folder(tmp_path)), "--variable", "greeting=bonjour",
                 "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "with the --variable values" in printed
    assert "variable is bonjour" in (out / "logs" / "Build.Build.log").read_text()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pipelineExecution"]["variables"] == [{"name": "greeting", "resolvedValue": "bonjour"}]


def test_strict_reports_what_is_missing(tmp_path, capsys):
    path = write_json(tmp_path, s3_build_deploy())
    assert main(["run", path, "--source", str(folder(tmp_path)), "--strict"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 5
    assert all(line.startswith(f"{path}: pipeline.") and "does not exist (--strict" in line for line in err)
    assert any("IAM role RunnerPipelineRole" in line for line in err)
    assert any("CodeBuild project runner-build" in line for line in err)


def test_as_a_process(tmp_path):
    done = subprocess.run([sys.executable, "-m", "codepipeline_lab.cli", "run", str(CLASSIC / "template.yaml"),
                           "--source", str(CLASSIC / "app")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Succeeded: pipeline classic" in done.stdout and "Traceback" not in done.stderr
