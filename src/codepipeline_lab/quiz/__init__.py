"""Quizzes: the question bank, the quiz widget (checks answers in JavaScript) and the practice exam."""

from codepipeline_lab.quiz.bank import Bank, QuizBankWarning, load_bank, quizzes_dir
from codepipeline_lab.quiz.errors import QuizBankError
from codepipeline_lab.quiz.model import Option, Question, Refs
from codepipeline_lab.quiz.topics import DOMAINS, TOPICS

__all__ = ["Bank", "DOMAINS", "Option", "Question", "QuizBankError", "QuizBankWarning", "Refs",
           "TOPICS", "load_bank", "quizzes_dir"]
