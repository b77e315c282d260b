"""The quiz widget's Python side: payload, deterministic repr, synced answers recorded as progress."""

import re

import pytest

from codepipeline_lab.quiz import load_bank, quiz, read_progress
from codepipeline_lab.quiz.payload import option_order
from codepipeline_lab.quiz.widget import CSS_PATH, ESM_PATH


@pytest.fixture(autouse=True)
def lab_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CODEPIPELINE_LAB_HOME", str(tmp_path))
    return tmp_path


def test_topic_quiz_holds_the_topic_questions():
    widget = quiz("02-artifacts")
    bank_ids = [q.id for q in load_bank(strict=True).topic("02-artifacts")]
    assert [q["id"] for q in widget.questions] == bank_ids
    assert widget.mode == "quiz" and widget.title == "Quiz: Artifacts through S3"


def test_chosen_ids_keep_their_order():
    widget = quiz(ids=["triggers-double-start", "approval-action-type"])
    assert [q["id"] for q in widget.questions] == ["triggers-double-start", "approval-action-type"]


def test_unknown_topic_and_id_are_named():
    with pytest.raises(KeyError, match="09-nothing"):
        quiz("09-nothing")
    with pytest.raises(KeyError, match="no-such-question"):
        quiz(ids=["no-such-question"])
    with pytest.raises(TypeError):
        quiz()


def test_repr_is_deterministic_and_has_no_address():
    count = len(load_bank().topic("05-approval"))
    text = quiz("05-approval")._repr_mimebundle_()[0]["text/plain"]
    assert text == f"Quiz(topic='05-approval', questions={count})"
    assert not re.search(r"0x[0-9a-f]+", text)


def test_options_are_shuffled_the_same_way_every_time():
    first = quiz("01-pipelines").questions
    again = quiz("01-pipelines").questions
    assert first == again
    bank = load_bank(strict=True)
    positions = {option_order(q).index(q.correct_indexes[0]) for q in bank.questions if q.type == "single"}
    assert positions == {0, 1, 2, 3}


def test_stem_markdown_becomes_html_and_text_is_escaped():
    payload = quiz(ids=["pipelines-source-first-stage"]).questions[0]
    assert "<code>InvalidStructureException</code>" in payload["stem"]
    assert payload["stem"].startswith("<p>")


def test_esm_and_css_are_package_files():
    widget = quiz("03-troubleshooting")
    assert widget._esm == ESM_PATH.read_text(encoding="utf-8")
    assert widget._css == CSS_PATH.read_text(encoding="utf-8")


def test_javascript_is_small_and_makes_no_requests():
    source = ESM_PATH.read_text(encoding="utf-8")
    assert len(source.encode()) < 12_000
    for needle in ("fetch(", "XMLHttpRequest", "import(", "http://", "https://", "WebSocket", "sendBeacon"):
        assert needle not in source


def test_answers_from_the_browser_are_recorded(lab_home):
    widget = quiz("04-triggers")
    qid = widget.questions[0]["id"]
    widget.answers = {qid: {"selected": [0], "correct": False, "attempts": 1}}
    widget.answers = {qid: {"selected": [1], "correct": True, "attempts": 2}}
    entries = read_progress()
    assert [(e["kind"], e["question"], e["correct"], e["attempt"]) for e in entries] == [
        ("quiz", qid, False, 1), ("quiz", qid, True, 2)]
    assert entries[0]["topic"] == "04-triggers"
    assert (lab_home / "progress.jsonl").exists()
