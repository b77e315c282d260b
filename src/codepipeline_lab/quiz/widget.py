"""The quiz widget: an anywidget whose JavaScript (quiz.js) checks answers, with or without a kernel."""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

from codepipeline_lab.quiz import progress
from codepipeline_lab.quiz.bank import load_bank
from codepipeline_lab.quiz.model import Question
from codepipeline_lab.quiz.payload import question_payload
from codepipeline_lab.quiz.topics import TOPICS

ESM_PATH = Path(__file__).with_name("quiz.js")
CSS_PATH = Path(__file__).with_name("quiz.css")


class QuizWidget(anywidget.AnyWidget):
    """Shared traits. Python -> JS: mode, title, questions, minutes, labels. JS -> Python: answers, result."""

    _esm = ESM_PATH
    _css = CSS_PATH
    mode = traitlets.Unicode("quiz").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    questions = traitlets.List().tag(sync=True)
    minutes = traitlets.Float(0).tag(sync=True)
    labels = traitlets.Dict().tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)
    result = traitlets.Dict().tag(sync=True)


class Quiz(QuizWidget):
    """Questions to answer one by one, each checked at once, with explanations and retry."""

    def __init__(self, questions: list[Question], title: str, label: str) -> None:
        if not questions:
            raise ValueError("a quiz needs at least one question")
        super().__init__(mode="quiz", title=title, questions=[question_payload(q) for q in questions])
        self._label = label
        self._by_id = {q.id: q for q in questions}
        self.observe(self._record_answers, names="answers")

    def _record_answers(self, change) -> None:
        old, new = change["old"] or {}, change["new"] or {}
        for qid, answer in sorted(new.items()):
            question = self._by_id.get(qid)
            if question is None or answer == old.get(qid):
                continue
            progress.record({"kind": "quiz", "question": qid, "topic": question.topic, "domain": question.domain,
                             "correct": bool(answer.get("correct")), "attempt": int(answer.get("attempts", 1)),
                             "selected": list(answer.get("selected", []))})

    def __repr__(self) -> str:
        return f"Quiz({self._label}, questions={len(self.questions)})"


def quiz(topic: str | None = None, ids: list[str] | None = None, bank=None) -> Quiz:
    """``quiz("02-artifacts")`` shows a topic's questions; ``quiz(ids=[...])`` shows chosen ones."""
    bank = bank or load_bank()
    if (topic is None) == (ids is None):
        raise TypeError("quiz() takes a topic or ids=[...], not both and not neither")
    if topic is not None:
        return Quiz(bank.topic(topic), title=f"Quiz: {TOPICS[topic]}", label=f"topic={topic!r}")
    known = bank.by_id()
    unknown = [qid for qid in ids if qid not in known]
    if unknown:
        raise KeyError(f"no question with id {', '.join(map(repr, unknown))} in the bank")
    return Quiz([known[qid] for qid in ids], title="Quiz", label=f"ids={list(ids)!r}")


__all__ = ["Quiz", "QuizWidget", "quiz", "ESM_PATH", "CSS_PATH"]
