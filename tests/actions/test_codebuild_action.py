"""CodeBuild actions: real buildspecs, artifacts, variables, logs, failures and retries."""

import json
import time

from actions_kit import build_action, build_of, commit, details, latest_execution, log_text, output_files, pipeline, project, retry

from codepipeline_lab.simulator.services import codebuild_build

BUILDSPEC = """version: 0.2
env:
  variables:
    GREETING: hello
  exported-variables: [VERSION]
phases:
  build:
    commands:
      - mkdir -p dist/sub
      - echo "$GREETING from $CODEBUILD_INITIATOR" > dist/greeting.txt
      - cp app.py dist/sub/
      - VERSION=1.0.$CODEBUILD_BUILD_NUMBER
artifacts:
  files: ['**/*']
  base-directory: dist
"""


def test_project_with_codepipeline_source_needs_no_location(lab, role):
    created = project(lab, timeoutInMinutes=15)
    assert created["source"] == {"type": "CODEPIPELINE"} and created["timeoutInMinutes"] == 15
    lab.client("codebuild").update_project(name="app-build", timeoutInMinutes=20)
    shown = lab.client("codebuild").batch_get_projects(names=["app-build", "nope"])
    assert shown["projects"][0]["timeoutInMinutes"] == 20 and shown["projectsNotFound"] == ["nope"]


def test_buildspec_files_appear_in_the_output_artifact(lab, role):
    project(lab)
    commit(lab, {"buildspec.yml": BUILDSPEC})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [
        build_action(outputs=["BuildOutput"], namespace="BuildVariables")]}))
    lab.run()
    build = details(lab)["Build"]
    assert build["status"] == "Succeeded"
    assert output_files(lab, build) == {"greeting.txt": "hello from codepipeline/demo\n", "sub/app.py": "print('hello')\n"}
    assert build["output"]["outputVariables"] == {"VERSION": "1.0.1"}


def test_batch_get_builds_shows_phases_and_logs(lab, role):
    project(lab)
    commit(lab, {"buildspec.yml": BUILDSPEC})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [build_action(outputs=["BuildOutput"])]}))
    lab.run()
    build = build_of(lab, details(lab)["Build"])
    phases = [(p["phaseType"], p.get("phaseStatus")) for p in build["phases"]]
    assert phases == [("SUBMITTED", "SUCCEEDED"), ("QUEUED", "SUCCEEDED"), ("PROVISIONING", "SUCCEEDED"), ("DOWNLOAD_SOURCE", "SUCCEEDED"),
                      ("BUILD", "SUCCEEDED"), ("UPLOAD_ARTIFACTS", "SUCCEEDED"), ("FINALIZING", "SUCCEEDED"), ("COMPLETED", None)]
    assert build["buildStatus"] == "SUCCEEDED" and build["logs"]["groupName"] == "/aws/codebuild/app-build"
    text = log_text(lab, build)
    assert "Running command cp app.py dist/sub/" in text and "Phase complete: BUILD State: SUCCEEDED" in text
    assert "/tmp" not in text   # the workspace is shown where CodeBuild has it, the same on every run


def test_secondary_artifacts_for_two_outputs(lab, role):
    project(lab)
    commit(lab, {"buildspec.yml": """version: 0.2
phases:
  build:
    commands:
      - mkdir -p web api && echo page > web/index.html && echo code > api/handler.py
artifacts:
  secondary-artifacts:
    WebOutput:
      files: ['**/*']
      base-directory: web
    ApiOutput:
      files: [api/handler.py]
      discard-paths: yes
"""})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [
        build_action(outputs=["WebOutput", "ApiOutput"])]}))
    lab.run()
    build = details(lab)["Build"]
    outputs = {a["name"]: i for i, a in enumerate(build["output"]["outputArtifacts"])}
    assert output_files(lab, build, outputs["WebOutput"]) == {"index.html": "page\n"}
    assert output_files(lab, build, outputs["ApiOutput"]) == {"handler.py": "code\n"}


def test_failing_build_phase_runs_finally_and_post_build(lab, role):
    project(lab)
    commit(lab, {"buildspec.yml": """version: 0.2
phases:
  build:
    commands:
      - echo compiling
      - exit 3
      - echo never
    finally:
      - echo cleaning up
  post_build:
    commands:
      - echo "succeeding=$CODEBUILD_BUILD_SUCCEEDING"
"""})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [build_action()]}))
    lab.run()
    build = details(lab)["Build"]
    assert build["status"] == "Failed"
    assert build["output"]["executionResult"]["errorDetails"]["message"] == (
        "Build terminated with state: FAILED. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR, "
        "Message: Error while executing command: exit 3. Reason: exit status 3")
    text = log_text(lab, build_of(lab, build))
    assert "cleaning up" in text and "succeeding=0" in text and "never" not in text.replace("Running command echo never", "")
    assert latest_execution(lab)["status"] == "Failed"


def test_on_failure_continue_goes_on_but_the_build_fails(lab, role):
    project(lab, buildspec="""version: 0.2
phases:
  pre_build:
    on-failure: CONTINUE
    commands: [false]
  build:
    commands: [echo built]
""")
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [build_action()]}))
    lab.run()
    build = build_of(lab, details(lab)["Build"])
    assert [(p["phaseType"], p["phaseStatus"]) for p in build["phases"] if p["phaseType"] in ("PRE_BUILD", "BUILD")] == [
        ("PRE_BUILD", "FAILED"), ("BUILD", "SUCCEEDED")]
    assert build["buildStatus"] == "FAILED"


def test_exported_variable_reaches_a_later_action_through_its_namespace(lab, role):
    project(lab, buildspec="""version: 0.2
env:
  exported-variables: [IMAGE_TAG]
phases:
  build:
    commands:
      - export IMAGE_TAG=v42
""")
    project(lab, name="report", buildspec="""version: 0.2
phases:
  build:
    commands:
      - echo "tag=$TAG stage=$STAGE" > report.txt
artifacts:
  files: [report.txt]
""")
    variables = json.dumps([{"name": "TAG", "value": "#{BuildVariables.IMAGE_TAG}", "type": "PLAINTEXT"},
                            {"name": "STAGE", "value": "test"}])
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(
        role, {"name": "Build", "actions": [build_action(namespace="BuildVariables")]},
        {"name": "Report", "actions": [build_action("Report", "report", outputs=["ReportOutput"], EnvironmentVariables=variables)]}))
    lab.run()
    report = details(lab)["Report"]
    assert report["input"]["resolvedConfiguration"]["EnvironmentVariables"].count("v42") == 1
    assert output_files(lab, report) == {"report.txt": "tag=v42 stage=test\n"}


def test_two_parallel_test_actions(lab, role):
    project(lab, buildspec="version: 0.2\nphases:\n  build:\n    commands: [echo unit]\n")
    project(lab, name="lint", buildspec="version: 0.2\nphases:\n  build:\n    commands: [echo lint]\n")
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Test", "actions": [
        build_action("Unit", category="Test"), build_action("Lint", "lint", category="Test")]}))
    lab.run()
    assert {n: d["status"] for n, d in details(lab).items()} == {"Source": "Succeeded", "Unit": "Succeeded", "Lint": "Succeeded"}
    assert latest_execution(lab)["status"] == "Succeeded"


def _failing_then_fixed(lab, role, problem_spec, expected):
    project(lab, buildspec=problem_spec)
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [build_action()]}))
    lab.run()
    failed = details(lab)["Build"]
    assert failed["status"] == "Failed"
    assert expected in failed["output"]["executionResult"]["errorDetails"]["message"]
    lab.client("codebuild").update_project(name="app-build", source={"type": "CODEPIPELINE",
                                                                     "buildspec": "version: 0.2\nphases:\n  build:\n    commands: [echo fixed]\n"})
    retry(lab, "Build")
    lab.run()
    assert details(lab)["Build"]["status"] == "Succeeded"
    assert latest_execution(lab)["status"] == "Succeeded"


def test_missing_buildspec_fails_then_retry_succeeds(lab, role):
    _failing_then_fixed(lab, role, None, "YAML_FILE_ERROR: stat $CODEBUILD_SRC_DIR/buildspec.yml: no such file or directory")


def test_invalid_yaml_names_the_line(lab, role):
    _failing_then_fixed(lab, role, "version: 0.2\nphases:\n  build:\n    commands: [echo one\n  - broken: : x\n",
                        "Phase: DOWNLOAD_SOURCE, Code: YAML_FILE_ERROR, Message: YAML_FILE_ERROR: yaml: line")


def test_unknown_phase_key_is_named_with_its_line(lab, role):
    _failing_then_fixed(lab, role, "version: 0.2\nphases:\n  build:\n    command:\n      - echo hi\n",
                        "YAML_FILE_ERROR: unknown key 'command' in phase 'build'; allowed keys: run-as, on-failure, runtime-versions, "
                        "commands, finally at line 4 of the project's inline buildspec")


def test_named_buildspec_file_in_the_source(lab, role):
    project(lab, buildspec="ci/test-spec.yml")
    commit(lab, {"ci/test-spec.yml": "version: 0.2\nphases:\n  build:\n    commands: [test -f app.py]\n"})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [build_action()]}))
    lab.run()
    assert details(lab)["Build"]["status"] == "Succeeded"


def test_hanging_command_is_killed_at_the_timeout(lab, role, monkeypatch):
    monkeypatch.setattr(codebuild_build, "REAL_SECONDS_PER_TIMEOUT_MINUTE", 0.1)
    project(lab, timeoutInMinutes=5, buildspec="version: 0.2\nphases:\n  build:\n    commands: ['sleep 60 & sleep 60']\n")
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [build_action()]}))
    started = time.monotonic()
    lab.run()
    assert time.monotonic() - started < 10
    build = build_of(lab, details(lab)["Build"])
    assert build["buildStatus"] == "TIMED_OUT"
    assert (build["endTime"] - build["startTime"]).total_seconds() >= 5 * 60
    assert "Build terminated with state: TIMED_OUT. Phase: BUILD, Code: BUILD_TIMED_OUT" in \
        details(lab)["Build"]["output"]["executionResult"]["errorDetails"]["message"]
