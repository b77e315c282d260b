"""Run a question's `experiment`: Python that, in a fresh Lab, makes the correct answer visible.

Contract: the snippet runs with `lab` (a started ``Lab(seed=0)``) in its namespace and checks
what it shows with ``assert``. Anything it raises fails the experiment.
"""

from __future__ import annotations

import traceback

from codepipeline_lab.quiz.errors import QuizBankError
from codepipeline_lab.quiz.model import Question


def run_experiment(question: Question) -> dict:
    """Run the experiment in a fresh Lab and return its namespace; raise QuizBankError if it fails."""
    from codepipeline_lab import Lab

    if not question.experiment:
        raise ValueError(f"question {question.id!r} has no experiment")
    code = compile(question.experiment, f"<experiment of {question.id}>", "exec")
    with Lab(seed=0) as lab:
        namespace = {"lab": lab, "__name__": "__experiment__"}
        try:
            exec(code, namespace)
        except Exception as exc:
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            raise QuizBankError(question.file, question.id, "experiment", f"failed: {detail}") from exc
    return namespace
