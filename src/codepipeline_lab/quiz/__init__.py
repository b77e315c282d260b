"""Quizzes: the question bank, the quiz widget (checks answers in JavaScript) and the practice exam."""

from codepipeline_lab.quiz.bank import Bank, QuizBankWarning, load_bank, quizzes_dir
from codepipeline_lab.quiz.errors import QuizBankError
from codepipeline_lab.quiz.exam import PracticeExam
from codepipeline_lab.quiz.model import Option, Question, Refs
from codepipeline_lab.quiz.progress import progress_path, read_progress, reset_progress
from codepipeline_lab.quiz.topics import DOMAINS, TOPICS
from codepipeline_lab.quiz.widget import Quiz, quiz

__all__ = ["Bank", "DOMAINS", "Option", "PracticeExam", "Question", "Quiz", "QuizBankError", "QuizBankWarning",
           "Refs", "TOPICS", "load_bank", "progress_path", "quiz", "quizzes_dir", "read_progress", "reset_progress"]
