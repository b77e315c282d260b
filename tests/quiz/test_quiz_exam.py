"""PracticeExam: balanced, repeatable draws, filters, focus on weak topics, results recorded."""

from collections import Counter

import pytest

from codepipeline_lab.quiz import PracticeExam, TOPICS, load_bank, read_progress, reset_progress
from codepipeline_lab.quiz.progress import record, weakest_topics


@pytest.fixture(autouse=True)
def lab_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CODEPIPELINE_LAB_HOME", str(tmp_path))
    return tmp_path


def topics_of(exam):
    return Counter(q["topic"] for q in exam.questions)


def test_default_exam_draws_twenty_balanced_questions():
    exam = PracticeExam()
    counts = topics_of(exam)
    assert len(exam.questions) == 20 and len({q["id"] for q in exam.questions}) == 20
    assert set(counts) == set(TOPICS)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_same_seed_same_exam_other_seed_other_exam():
    assert PracticeExam(seed=3).questions == PracticeExam(seed=3).questions
    assert PracticeExam(seed=3).questions != PracticeExam(seed=4).questions


def test_topic_and_domain_filters():
    exam = PracticeExam(questions=50, topics=["05-approval", "06-cloudformation"], domains=[2, 6])
    bank = load_bank(strict=True)
    expected = {q.id for q in bank.questions if q.topic in ("05-approval", "06-cloudformation") and q.domain in (2, 6)}
    assert {q["id"] for q in exam.questions} == expected


def test_timer_and_title():
    exam = PracticeExam(questions=5, minutes=10)
    assert exam.minutes == 10 and exam.title == "Practice exam: 5 questions, 10 minutes"
    assert PracticeExam(questions=5).minutes == 0


def test_repr_is_deterministic():
    assert repr(PracticeExam(questions=4, seed=1)) == (
        "PracticeExam(questions=4, topics=None, domains=None, minutes=None, seed=1, focus=None) with 4 questions")


@pytest.mark.parametrize("kwargs, message", [
    ({"questions": 0}, "positive whole number"),
    ({"topics": ["99-nothing"]}, "unknown topic"),
    ({"domains": [7]}, "unknown domain"),
    ({"minutes": -5}, "minutes must be positive"),
    ({"focus": "strongest"}, "focus must be"),
])
def test_bad_arguments_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PracticeExam(**kwargs)


def test_finished_exam_is_recorded():
    exam = PracticeExam(questions=3, seed=2)
    exam.result = {"score": 2, "total": 3, "time_up": False, "answers": {},
                   "topics": {"04-triggers": {"right": 0, "total": 1}}, "domains": {}}
    [entry] = read_progress()
    assert entry["kind"] == "exam" and entry["score"] == 2 and entry["seed"] == 2
    assert reset_progress() is True and read_progress() == [] and reset_progress() is False


def test_focus_weakest_draws_more_from_weak_topics():
    record({"kind": "exam", "topics": {"06-cloudformation": {"right": 0, "total": 4},
                                       "07-cross-region": {"right": 1, "total": 4},
                                       "01-pipelines": {"right": 4, "total": 4}}})
    assert weakest_topics(read_progress()) == ["06-cloudformation", "07-cross-region"]
    exam = PracticeExam(questions=16, focus="weakest")
    counts = topics_of(exam)
    assert exam.focus_topics == ["06-cloudformation", "07-cross-region"]
    assert counts["06-cloudformation"] >= 4 and counts["07-cross-region"] >= 4
    assert counts["01-pipelines"] <= 2


def test_focus_without_history_is_balanced():
    exam = PracticeExam(questions=16, focus="weakest")
    assert exam.focus_topics == [] and set(topics_of(exam).values()) == {2}


def test_progress_location_follows_the_environment(lab_home, monkeypatch):
    from codepipeline_lab.quiz import progress_path
    assert progress_path() == lab_home / "progress.jsonl"
    monkeypatch.delenv("CODEPIPELINE_LAB_HOME")
    assert str(progress_path()).endswith(".codepipeline-lab/progress.jsonl")


def test_quiz_first_attempts_count_towards_weakness():
    record({"kind": "quiz", "topic": "05-approval", "correct": False, "attempt": 1})
    record({"kind": "quiz", "topic": "05-approval", "correct": True, "attempt": 2})
    record({"kind": "quiz", "topic": "04-triggers", "correct": True, "attempt": 1})
    assert weakest_topics(read_progress(), 1) == ["05-approval"]
