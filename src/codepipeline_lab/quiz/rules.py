"""Rules the JSON Schema cannot say: answer counts, option counts, the "(Choose TWO.)" phrase, one URL per doc."""

from __future__ import annotations

from codepipeline_lab.quiz.errors import QuizBankError

CHOOSE_WORDS = {2: "TWO", 3: "THREE"}


def check_question(data: dict, file: str, file_topic: str) -> None:
    """Raise QuizBankError for the first rule a schema-valid question breaks."""
    qid = data["id"]
    if data["topic"] != file_topic:
        raise QuizBankError(file, qid, "topic", f"is {data['topic']!r} but the file holds topic {file_topic!r}")
    options = data["options"]
    correct = sum(1 for option in options if option["correct"])
    texts = [option["text"].strip() for option in options]
    if len(set(texts)) != len(texts):
        raise QuizBankError(file, qid, "options", "two options have the same text")
    refs = data["refs"]
    if "urls" in refs and len(refs["urls"]) != len(refs["docs"]):
        raise QuizBankError(file, qid, "refs.urls", f"gives {len(refs['urls'])} addresses for {len(refs['docs'])} pages in refs.docs")
    if data["type"] == "single":
        _check_single(file, qid, len(options), correct)
    else:
        _check_multiple(file, qid, data, len(options), correct)


def _check_single(file: str, qid: str, count: int, correct: int) -> None:
    if count != 4:
        raise QuizBankError(file, qid, "options", f"a single-answer question has 4 options, not {count}")
    if correct != 1:
        raise QuizBankError(file, qid, "options", f"a single-answer question has exactly one correct option, not {correct}")


def _check_multiple(file: str, qid: str, data: dict, count: int, correct: int) -> None:
    choose = data["choose"]
    if count != choose + 3:
        raise QuizBankError(file, qid, "options", f"a Choose-{choose} question has {choose + 3} options, not {count}")
    if correct != choose:
        raise QuizBankError(file, qid, "options", f"asks to choose {choose} but {correct} options are correct")
    phrase = f"(Choose {CHOOSE_WORDS[choose]}.)"
    if phrase not in data["stem"]:
        raise QuizBankError(file, qid, "stem", f"a Choose-{choose} question ends its stem with {phrase!r}")
