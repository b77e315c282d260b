"""The error raised for a bad quiz file or question: it names the file, the question and the field."""

from __future__ import annotations


class QuizBankError(ValueError):
    def __init__(self, file: str, question_id: str | None, field: str | None, problem: str) -> None:
        self.file = file
        self.question_id = question_id
        self.field = field
        self.problem = problem
        where = [file]
        if question_id:
            where.append(f"question {question_id!r}")
        if field:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {problem}")
