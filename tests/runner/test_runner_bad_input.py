"""Every input the runner cannot use: exit 2, one line per problem naming the file and the
place, never a traceback."""

import json

import pytest
from runner_kit import BUILDSPEC, TEMPLATE, folder, s3_build_deploy, write_json, write_text

from codepipeline_lab.cli import main


def run_bad(argv, capsys, lines=1):
    code = main(["run", *argv])
    captured = capsys.readouterr()
    assert code == 2, captured.out + captured.err
    err = captured.err.splitlines()
    assert len(err) == lines, err
    assert "Traceback" not in captured.err + captured.out
    return err


def test_neither_declaration_nor_template(tmp_path, capsys):
    path = write_json(tmp_path, {"hello": "world"})
    [line] = run_bad([path, "--source", str(folder(tmp_path))], capsys)
    assert line.startswith(f"{path}: neither a pipeline declaration")


def test_template_without_a_pipeline(tmp_path, capsys):
    path = write_text(tmp_path, "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
    [line] = run_bad([path, "--source", str(folder(tmp_path))], capsys)
    assert line == f"{path}: Resources: the template declares no AWS::CodePipeline::Pipeline resource"


def test_intrinsic_the_runner_cannot_resolve(tmp_path, capsys):
    path = write_text(tmp_path, TEMPLATE.replace("Location: !Ref Artifacts", "Location: !ImportValue shared-bucket"))
    [line] = run_bad([path, "--source", str(folder(tmp_path))], capsys)
    assert line == f"{path}: Resources.Pipeline.Properties.ArtifactStore.Location: Fn::ImportValue cannot be resolved by the runner"


def test_attribute_the_runner_cannot_read(tmp_path, capsys):
    path = write_text(tmp_path, TEMPLATE.replace("RoleArn: !GetAtt Role.Arn", "RoleArn: !GetAtt Artifacts.Nonsense"))
    [line] = run_bad([path, "--source", str(folder(tmp_path))], capsys)
    assert "Fn::GetAtt Artifacts.Nonsense: the runner cannot read attribute Nonsense of AWS::S3::Bucket" in line


def test_folder_that_does_not_exist(tmp_path, capsys):
    path = write_json(tmp_path, s3_build_deploy())
    [line] = run_bad([path, "--source", str(tmp_path / "nowhere")], capsys)
    assert line == f"--source {tmp_path / 'nowhere'}: the folder {tmp_path / 'nowhere'} does not exist"


def test_source_action_without_a_folder_and_unknown_action_name(tmp_path, capsys):
    path = write_json(tmp_path, s3_build_deploy())
    lines = run_bad([path, "--source", f"Elsewhere={folder(tmp_path)}"], capsys, lines=2)
    assert "the pipeline has no source action named Elsewhere" in lines[0]
    assert lines[1].startswith(f"{path}: pipeline.stages[0].actions[0]: source action Source has no folder")


def test_buildspec_missing_from_the_source_folder(tmp_path, capsys):
    path = write_json(tmp_path, s3_build_deploy())
    [line] = run_bad([path, "--source", str(folder(tmp_path, buildspec=None))], capsys)
    assert line == (f"{path}: pipeline.stages[1].actions[0]: project runner-build reads buildspec.yml from artifact Code, "
                    f"but the folder of source action Source has no buildspec.yml")


def test_unreadable_and_unparsable_files(tmp_path, capsys):
    app = str(folder(tmp_path))
    [line] = run_bad([str(tmp_path / "missing.yaml"), "--source", app], capsys)
    assert line.startswith(f"{tmp_path / 'missing.yaml'}: cannot read the file")
    path = write_text(tmp_path, "Resources:\n  - [unclosed\n")
    [line] = run_bad([path, "--source", app], capsys)
    assert line.startswith(f"{path}: line ") and "not valid YAML or JSON" in line
    path = write_text(tmp_path, '{"stages": [', "broken.json")
    [line] = run_bad([path, "--source", app], capsys)
    assert "not valid JSON" in line


def test_parameters_unknown_and_missing(tmp_path, capsys):
    text = TEMPLATE.replace("    Default: main\n", "")
    path = write_text(tmp_path, text)
    lines = run_bad([path, "--source", str(folder(tmp_path)), "--parameter", "Colour=blue"], capsys, lines=2)
    assert lines[0] == f"{path}: --parameter Colour: the template declares no parameter Colour"
    assert lines[1] == f"{path}: Parameters.Branch: has no Default; give --parameter Branch=VALUE"
    [line] = run_bad([path, "--source", str(tmp_path / "app"), "--parameter", "nonsense"], capsys)
    assert line == "--parameter nonsense: expected NAME=VALUE"


def test_several_pipelines_need_pipeline_option(tmp_path, capsys):
    from codepipeline_lab.simulator.services.cloudformation.template_yaml import load
    document = load(TEMPLATE)
    document["Resources"]["Second"] = document["Resources"]["Pipeline"]
    path = write_text(tmp_path, json.dumps(document), "two.json")
    [line] = run_bad([path, "--source", str(folder(tmp_path))], capsys)
    assert line == f"{path}: Resources: the template declares 2 pipelines (Pipeline, Second); choose one with --pipeline NAME"
    [line] = run_bad([path, "--source", str(tmp_path / "app"), "--pipeline", "Third"], capsys)
    assert "--pipeline Third: no pipeline of the template" in line


def test_declaration_codepipeline_refuses(tmp_path, capsys):
    document = s3_build_deploy()
    document["stages"][1]["actions"][0]["inputArtifacts"] = [{"name": "Nowhere"}]
    path = write_json(tmp_path, document)
    [line] = run_bad([path, "--source", str(folder(tmp_path))], capsys)
    assert line.startswith(f"{path}: CreatePipeline: InvalidStructureException:")


@pytest.mark.parametrize("argv", [["--approve", "--reject"], ["--seed", "x"]])
def test_bad_options(tmp_path, capsys, argv):
    path = write_json(tmp_path, s3_build_deploy())
    assert main(["run", path, "--source", str(folder(tmp_path, buildspec=BUILDSPEC)), *argv]) == 2
    assert "Traceback" not in capsys.readouterr().err
