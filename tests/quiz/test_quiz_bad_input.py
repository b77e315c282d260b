"""Broken quiz files give errors naming the file, the question and the field; the rest still loads."""

import copy
import warnings

import pytest
import yaml

from codepipeline_lab.quiz import QuizBankError, QuizBankWarning, load_bank

GOOD = {
    "id": "sample-question",
    "topic": "02-artifacts",
    "domain": 1,
    "type": "single",
    "difficulty": "easy",
    "stem": "A team stores artifacts in S3 and wonders which service reads the repository. Which one does?",
    "options": [
        {"text": f"Option {n}", "correct": n == 1, "explanation": f"Because of fact number {n} here."}
        for n in range(1, 5)
    ],
    "refs": {"notebook": "02-artifacts.ipynb", "heading": "The artifact store", "docs": ["Input and output artifacts"]},
}


def write(folder, name, questions, topic=None):
    topic = topic or name
    (folder / f"{name}.yaml").write_text(yaml.safe_dump({"topic": topic, "questions": questions}), encoding="utf-8")


def question(**changes):
    data = copy.deepcopy(GOOD)
    data.update(changes)
    return data


def strict_error(folder) -> QuizBankError:
    with pytest.raises(QuizBankError) as info:
        load_bank(folder, strict=True)
    return info.value


def test_a_good_file_loads(tmp_path):
    write(tmp_path, "02-artifacts", [question()])
    assert [q.id for q in load_bank(tmp_path, strict=True).questions] == ["sample-question"]


def test_malformed_yaml_names_the_file_and_line(tmp_path):
    (tmp_path / "02-artifacts.yaml").write_text("topic: 02-artifacts\nquestions: [\n  - id: x\n", encoding="utf-8")
    error = strict_error(tmp_path)
    assert error.file == "02-artifacts.yaml"
    assert "not valid YAML at line" in str(error)


def test_missing_field_names_question_and_field(tmp_path):
    broken = question()
    del broken["options"][2]["explanation"]
    write(tmp_path, "02-artifacts", [broken])
    error = strict_error(tmp_path)
    assert (error.file, error.question_id, error.field) == ("02-artifacts.yaml", "sample-question", "options[2].explanation")
    assert "02-artifacts.yaml, question 'sample-question', field 'options[2].explanation'" in str(error)


def test_missing_id_is_named_by_position(tmp_path):
    broken = question()
    del broken["id"]
    write(tmp_path, "02-artifacts", [question(), broken])
    error = strict_error(tmp_path)
    assert (error.question_id, error.field) == ("#2 (no id)", "id")


def test_duplicate_id_names_both_files(tmp_path):
    write(tmp_path, "02-artifacts", [question()])
    write(tmp_path, "03-troubleshooting", [question(topic="03-troubleshooting")])
    error = strict_error(tmp_path)
    assert (error.file, error.question_id, error.field) == ("03-troubleshooting.yaml", "sample-question", "id")
    assert "first used in 02-artifacts.yaml" in str(error)


def test_unknown_topic_in_a_question(tmp_path):
    write(tmp_path, "02-artifacts", [question(topic="09-kubernetes")])
    error = strict_error(tmp_path)
    assert (error.question_id, error.field) == ("sample-question", "topic")


def test_unknown_topic_as_file_name(tmp_path):
    write(tmp_path, "09-kubernetes", [question()], topic="02-artifacts")
    error = strict_error(tmp_path)
    assert (error.file, error.field) == ("09-kubernetes.yaml", "topic")
    assert "unknown topic" in str(error)


def test_question_in_the_wrong_file(tmp_path):
    write(tmp_path, "02-artifacts", [question(topic="03-troubleshooting")])
    error = strict_error(tmp_path)
    assert error.field == "topic" and "the file holds topic '02-artifacts'" in str(error)


def test_single_answer_needs_exactly_one_correct_option(tmp_path):
    broken = question()
    broken["options"][2]["correct"] = True
    write(tmp_path, "02-artifacts", [broken])
    error = strict_error(tmp_path)
    assert error.field == "options" and "exactly one correct" in str(error)


def test_multiple_response_needs_as_many_correct_as_it_asks(tmp_path):
    broken = question(type="multiple", choose=2, stem=GOOD["stem"] + " (Choose TWO.)")
    broken["options"].append({"text": "Option 5", "correct": False, "explanation": "Because of fact number 5 here."})
    write(tmp_path, "02-artifacts", [broken])
    error = strict_error(tmp_path)
    assert error.field == "options" and "asks to choose 2 but 1" in str(error)


def test_multiple_response_must_say_choose_two(tmp_path):
    broken = question(type="multiple", choose=2)
    broken["options"].append({"text": "Option 5", "correct": True, "explanation": "Because of fact number 5 here."})
    write(tmp_path, "02-artifacts", [broken])
    error = strict_error(tmp_path)
    assert error.field == "stem" and "(Choose TWO.)" in str(error)


def test_single_answer_must_not_set_choose(tmp_path):
    write(tmp_path, "02-artifacts", [question(choose=2)])
    error = strict_error(tmp_path)
    assert error.question_id == "sample-question"


def test_outside_tests_a_bad_question_is_reported_and_the_rest_loads(tmp_path):
    broken = question(id="broken-question")
    del broken["refs"]
    write(tmp_path, "02-artifacts", [question(), broken])
    (tmp_path / "03-troubleshooting.yaml").write_text("topic: [unclosed\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bank = load_bank(tmp_path)
    assert [q.id for q in bank.questions] == ["sample-question"]
    messages = [str(w.message) for w in caught if issubclass(w.category, QuizBankWarning)]
    assert any("question 'broken-question', field 'refs'" in m for m in messages)
    assert any(m.startswith("03-troubleshooting.yaml: not valid YAML") for m in messages)
    assert len(bank.problems) == 2


def test_refs_urls_give_one_aws_address_per_doc(tmp_path):
    refs = {**GOOD["refs"], "urls": ["https://docs.aws.amazon.com/codepipeline/latest/userguide/welcome-introducing-artifacts.html"]}
    write(tmp_path, "02-artifacts", [question(refs=refs)])
    [loaded] = load_bank(tmp_path, strict=True).questions
    assert loaded.refs.urls == tuple(refs["urls"])
    write(tmp_path, "02-artifacts", [question(refs={**refs, "urls": refs["urls"] * 2})])
    error = strict_error(tmp_path)
    assert (error.question_id, error.field) == ("sample-question", "refs.urls")
    write(tmp_path, "02-artifacts", [question(refs={**refs, "urls": ["http://example.com/page"]})])
    assert strict_error(tmp_path).question_id == "sample-question"
