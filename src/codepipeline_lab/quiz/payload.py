"""What the widget's JavaScript receives for a question: stem as HTML, options in a stable shuffled order."""

from __future__ import annotations

import random

from codepipeline_lab.quiz.markdown import to_html
from codepipeline_lab.quiz.model import Question
from codepipeline_lab.quiz.topics import DOMAINS, TOPICS


def option_order(question: Question) -> list[int]:
    """A shuffle seeded by the question id: the same every run, so saved notebooks stay identical."""
    order = list(range(len(question.options)))
    random.Random(question.id).shuffle(order)
    return order


def question_payload(question: Question) -> dict:
    return {
        "id": question.id,
        "topic": question.topic,
        "domain": question.domain,
        "type": question.type,
        "choose": question.choose,
        "stem": to_html(question.stem),
        "options": [
            {"i": i, "text": question.options[i].text, "correct": question.options[i].correct,
             "explanation": question.options[i].explanation}
            for i in option_order(question)
        ],
        "refs": {"notebook": question.refs.notebook, "heading": question.refs.heading, "docs": list(question.refs.docs),
                 "urls": list(question.refs.urls)},
    }


def labels() -> dict:
    return {"topics": dict(TOPICS), "domains": {str(k): v for k, v in DOMAINS.items()}}
