import json

from codepipeline_lab.cli import main
from builders import declaration


def write(tmp_path, content, name="pipeline.json"):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_valid_declaration_exits_0(tmp_path, capsys):
    assert main(["validate", write(tmp_path, declaration())]) == 0
    assert "valid" in capsys.readouterr().out


def test_get_pipeline_output_with_metadata_is_accepted(tmp_path):
    document = {"pipeline": declaration(), "metadata": {"pipelineArn": "arn:aws:codepipeline:us-east-1:123456789012:demo"}}
    assert main(["validate", write(tmp_path, document)]) == 0


def test_every_problem_is_printed_with_its_path(tmp_path, capsys):
    broken = declaration(name="bad name")
    broken["stages"][1]["actions"][0]["inputArtifacts"] = [{"name": "Nowhere"}]
    assert main(["validate", write(tmp_path, {"pipeline": broken})]) == 1
    out = capsys.readouterr().out
    assert "pipeline.name:" in out and "pipeline.stages[1].actions[0].inputArtifacts:" in out
    assert "[InvalidStructureException]" in out and "2 problem(s)" in out


def test_unreadable_or_not_json_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing.json")]) == 2
    assert main(["validate", write(tmp_path, "{not json")]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_wrong_types_are_problems_not_crashes(tmp_path, capsys):
    assert main(["validate", write(tmp_path, {"pipeline": {"name": "p", "stages": {"a": 1}}})]) == 1
    assert "must be a list" in capsys.readouterr().out
