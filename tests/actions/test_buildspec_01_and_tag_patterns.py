"""Buildspec version 0.1 (environment_variables, one shell per command) and the Java-syntax
patterns (\\p{L}...) of AWS's models: both blocked real sample pipelines (issue 17)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from codepipeline_lab.setup_helpers import create_service_role
from codepipeline_lab.simulator import artifacts as zips
from codepipeline_lab.simulator import shapes
from codepipeline_lab.simulator.services import codebuild_buildspec
from codepipeline_lab.simulator.services.codebuild_build import BuildRequest, run_build

SPEC_01 = """version: 0.1
environment_variables:
  plaintext:
    GREETING: hello
phases:
  build:
    commands:
      - mkdir -p sub && cd sub && echo "$GREETING" > here.txt
      - pwd > where.txt
      - MINE=set-in-one-command
      - echo "mine=[$MINE]" > mine.txt
artifacts:
  type: zip
  files:
    - where.txt
    - mine.txt
    - sub/here.txt
"""


def _build(spec: str):
    request = BuildRequest("proj:0000000a-0000-0000-0000-000000000000", spec, [("Source", zips.zip_files({"README": b"x"}))],
                           ["Out"], {}, 60, datetime(2024, 1, 1, tzinfo=timezone.utc), lambda name: "")
    return run_build(request)


def test_version_01_reads_environment_variables_plaintext():
    spec = codebuild_buildspec.parse(SPEC_01, "buildspec.yml")
    assert spec.version == "0.1" and spec.separate_shells
    assert spec.variables == {"GREETING": "hello"}
    assert spec.artifacts.files == ["where.txt", "mine.txt", "sub/here.txt"]


def test_version_01_runs_each_command_in_its_own_shell():
    outcome = _build(SPEC_01)
    assert outcome.status == "SUCCEEDED", outcome.message
    files = outcome.outputs["Out"]
    assert files["sub/here.txt"] == b"hello\n"
    assert not files["where.txt"].strip().endswith(b"/sub")      # the cd of the first command is gone
    assert files["mine.txt"] == b"mine=[]\n"                     # so is the variable


def test_version_02_keeps_one_session():
    spec = SPEC_01.replace("version: 0.1", "version: 0.2").replace("environment_variables:\n  plaintext:", "env:\n  variables:")
    spec = spec.replace("  type: zip\n", "").replace("    - where.txt\n    - mine.txt\n", "    - sub/where.txt\n    - sub/mine.txt\n")
    outcome = _build(spec)
    assert outcome.status == "SUCCEEDED", outcome.message
    files = outcome.outputs["Out"]
    assert files["sub/where.txt"].strip().endswith(b"/sub")       # one session: the cd stays
    assert files["sub/mine.txt"] == b"mine=[set-in-one-command]\n"


@pytest.mark.parametrize("text, expected", [
    ("version: 0.2\nenvironment_variables:\n  plaintext: {A: b}\nphases: {}\n", "unknown key 'environment_variables'"),
    ("version: 0.1\nenv:\n  variables: {A: b}\nphases: {}\n", "unknown key 'env' in a version 0.1 buildspec"),
    ("version: 0.1\nenvironment_variables:\n  variables: {A: b}\nphases: {}\n", "unknown key 'variables' in environment_variables"),
])
def test_keys_of_the_other_version_are_refused(text, expected):
    with pytest.raises(codebuild_buildspec.BuildspecError, match=expected):
        codebuild_buildspec.parse(text, "buildspec.yml")


def test_java_unicode_classes_are_checked_in_python():
    tag = shapes.shape("Tag", "codebuild")
    assert shapes.check({"key": "Name é", "value": "a b:c/d=e@f+g-h_1"}, tag, "tags[0]") == []
    problems = shapes.check({"key": "bad#", "value": "x"}, tag, "tags[0]")
    assert [p.path for p in problems] == ["tags[0].key"]


def test_patterns_python_cannot_read_are_not_checked():
    assert shapes._compiled(r"^([\p{L}\p{Z}\p{N}\p{P}\p{M}]*)$") is None   # \p{P}, \p{M}: no Python equivalent


def test_create_project_with_tags(lab):
    codebuild = lab.client("codebuild")
    role = create_service_role(lab, "CodeBuildRole", "codebuild.amazonaws.com")
    project = codebuild.create_project(name="tagged", source={"type": "NO_SOURCE", "buildspec": "version: 0.2\nphases: {}\n"},
                                       artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role,
                                       environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                                                    "computeType": "BUILD_GENERAL1_SMALL"},
                                       tags=[{"key": "Project Name", "value": "sample:1"}])["project"]
    assert project["tags"] == [{"key": "Project Name", "value": "sample:1"}]
