"""Load the question bank: every quizzes/<topic>.yaml, checked against the schema and the rules.

Outside tests a bad question (or a bad file) is reported as a warning and the rest still loads;
``strict=True`` raises the first problem instead.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from codepipeline_lab.quiz.errors import QuizBankError
from codepipeline_lab.quiz.model import Question
from codepipeline_lab.quiz.rules import check_question
from codepipeline_lab.quiz.schema import check_file_shape, check_question_shape
from codepipeline_lab.quiz.topics import TOPICS

QUIZZES_ENV = "CODEPIPELINE_LAB_QUIZZES"


class QuizBankWarning(UserWarning):
    """A question or file that was left out of the bank because it is broken."""


@dataclass
class Bank:
    questions: list[Question] = field(default_factory=list)
    problems: list[QuizBankError] = field(default_factory=list)

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def topic(self, topic: str) -> list[Question]:
        if topic not in TOPICS:
            raise KeyError(f"unknown topic {topic!r}; topics are {', '.join(TOPICS)}")
        return [q for q in self.questions if q.topic == topic]


def quizzes_dir() -> Path:
    """$CODEPIPELINE_LAB_QUIZZES, else the quizzes/ folder of the repository holding this package,
    else of the folder the course runs in (an installed package, as on JupyterHub or Binder:
    notebooks run in notebooks/, beside quizzes/)."""
    if os.environ.get(QUIZZES_ENV):
        return Path(os.environ[QUIZZES_ENV])
    here = Path.cwd().resolve()
    for parent in [*Path(__file__).resolve().parents, here, *here.parents]:
        if (parent / "quizzes").is_dir():
            return parent / "quizzes"
    raise FileNotFoundError(f"no quizzes/ folder found; set {QUIZZES_ENV} to the folder of the question files")


def load_bank(directory: str | Path | None = None, strict: bool = False) -> Bank:
    bank = Bank()
    seen: dict[str, str] = {}
    for path in sorted(Path(directory or quizzes_dir()).glob("*.yaml")):
        for item in _load_file(path, bank, strict):
            _add(bank, item, seen, strict)
    return bank


def _report(bank: Bank, problem: QuizBankError, strict: bool) -> None:
    if strict:
        raise problem
    bank.problems.append(problem)
    warnings.warn(str(problem), QuizBankWarning, stacklevel=3)


def _add(bank: Bank, question: Question, seen: dict[str, str], strict: bool) -> None:
    if question.id in seen:
        problem = QuizBankError(question.file, question.id, "id", f"duplicate id; first used in {seen[question.id]}")
        _report(bank, problem, strict)
        return
    seen[question.id] = question.file
    bank.questions.append(question)


def _load_file(path: Path, bank: Bank, strict: bool) -> list[Question]:
    file = path.name
    try:
        data = _read_yaml(path)
        if path.stem not in TOPICS:
            raise QuizBankError(file, None, "topic", f"unknown topic {path.stem!r} (file name); topics are {', '.join(TOPICS)}")
        check_file_shape(data, file)
        if data["topic"] != path.stem:
            raise QuizBankError(file, None, "topic", f"is {data['topic']!r} but the file is named for {path.stem!r}")
    except QuizBankError as problem:
        _report(bank, problem, strict)
        return []
    return [q for q in (_load_question(item, i, file, path.stem, bank, strict) for i, item in enumerate(data["questions"])) if q]


def _load_question(item: dict, index: int, file: str, topic: str, bank: Bank, strict: bool) -> Question | None:
    label = item["id"] if isinstance(item.get("id"), str) else f"#{index + 1} (no id)"
    try:
        check_question_shape(item, file, label)
        check_question(item, file, topic)
    except QuizBankError as problem:
        _report(bank, problem, strict)
        return None
    return Question.from_dict(item, file)


def _read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise QuizBankError(path.name, None, None, f"not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
