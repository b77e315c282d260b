"""PracticeExam: a balanced, optionally timed set of questions, scored in the browser at the end."""

from __future__ import annotations

from codepipeline_lab.quiz import progress
from codepipeline_lab.quiz.bank import load_bank
from codepipeline_lab.quiz.draw import draw
from codepipeline_lab.quiz.payload import labels, question_payload
from codepipeline_lab.quiz.topics import DOMAINS, TOPICS
from codepipeline_lab.quiz.widget import QuizWidget

FOCUS_WEIGHT = 3


class PracticeExam(QuizWidget):
    """``PracticeExam(questions=20, topics=None, domains=None, minutes=None, seed=0, focus=None)``.

    Shows one question at a time; "Finish exam" (or the end of the time) shows the score, a
    breakdown per topic and per exam domain, and the missed questions with explanations. With a
    kernel the result is appended to the progress file. ``focus="weakest"`` draws more questions
    from the topics with the lowest share of right answers in that file.
    """

    def __init__(self, questions: int = 20, topics=None, domains=None, minutes: float | None = None,
                 seed: int = 0, focus: str | None = None, bank=None) -> None:
        _check_arguments(questions, topics, domains, minutes, focus)
        pool = [q for q in (bank or load_bank()).questions
                if (topics is None or q.topic in topics) and (domains is None or q.domain in domains)]
        if not pool:
            raise ValueError(f"no questions match topics={topics!r} and domains={domains!r}")
        self.focus_topics = progress.weakest_topics(progress.read_progress()) if focus == "weakest" else []
        weights = {topic: FOCUS_WEIGHT for topic in self.focus_topics}
        drawn = draw(pool, questions, seed, weights)
        super().__init__(mode="exam", title=_title(len(drawn), minutes), minutes=float(minutes or 0),
                         questions=[question_payload(q) for q in drawn], labels=labels())
        self._arguments = dict(questions=questions, topics=topics, domains=domains, minutes=minutes, seed=seed, focus=focus)
        self.observe(self._record_result, names="result")

    def _record_result(self, change) -> None:
        result = change["new"] or {}
        if "score" in result:
            progress.record({"kind": "exam", **self._arguments, "focus_topics": self.focus_topics, **result})

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._arguments.items())
        return f"PracticeExam({args}) with {len(self.questions)} questions"


def _title(count: int, minutes) -> str:
    timing = f", {minutes:g} minutes" if minutes else ", untimed"
    return f"Practice exam: {count} questions{timing}"


def _check_arguments(questions, topics, domains, minutes, focus) -> None:
    if not isinstance(questions, int) or questions < 1:
        raise ValueError(f"questions must be a positive whole number; got {questions!r}")
    unknown = [t for t in topics or [] if t not in TOPICS]
    if unknown:
        raise ValueError(f"unknown topic(s) {unknown}; topics are {', '.join(TOPICS)}")
    bad = [d for d in domains or [] if d not in DOMAINS]
    if bad:
        raise ValueError(f"unknown domain(s) {bad}; exam domains are 1-6")
    if minutes is not None and not minutes > 0:
        raise ValueError(f"minutes must be positive or None (untimed); got {minutes!r}")
    if focus not in (None, "weakest"):
        raise ValueError(f"focus must be None or 'weakest'; got {focus!r}")
