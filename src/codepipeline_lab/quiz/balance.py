"""Bank-wide rules: no answer given away by its length, and the course's targets for the bank.

These rules look at the bank as a whole (or at a question against its neighbours), so they are
not part of loading: a learner's bank still loads when a rule here fails. The tests in
``tests/quiz/test_quiz_bank.py`` apply them; ``docs/quiz.md`` documents the thresholds.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from codepipeline_lab.quiz.model import Question

# (a) Per question: the correct option(s) may be at most this many times as long (characters,
# average) as the distractors.
MAX_LENGTH_RATIO = 1.4

# (b) Across the bank: how much more often than chance the longest option may be a correct one,
# in percentage points (for 4-option single-answer questions chance is 25 %, so at most 40 %).
MAX_LONGEST_CORRECT_ABOVE_CHANCE = 0.15

# (c) The course's targets (issue 16): bank size, per-chapter minimum, experiment share, and the
# DOP-C02 domain weights, each to be met within DOMAIN_TOLERANCE (percentage points).
MIN_QUESTIONS = 150
MIN_PER_CHAPTER = 15
CHAPTERS = ("01-pipelines", "02-artifacts", "03-troubleshooting", "04-triggers", "05-approval",
            "06-cloudformation", "07-cross-region")
MIN_EXPERIMENT_SHARE = 0.40
DOMAIN_WEIGHTS = {1: 0.22, 2: 0.17, 3: 0.15, 4: 0.15, 5: 0.14, 6: 0.17}
DOMAIN_TOLERANCE = 0.06
DOMAIN_NAMES = {1: "SDLC Automation", 2: "Configuration Management and IaC", 3: "Resilient Cloud Solutions",
                4: "Monitoring and Logging", 5: "Incident and Event Response", 6: "Security and Compliance"}


def length_ratio(question: Question) -> float:
    """Average length of the correct options divided by the average length of the others."""
    right = [len(o.text) for o in question.options if o.correct]
    wrong = [len(o.text) for o in question.options if not o.correct]
    return (sum(right) / len(right)) / (sum(wrong) / len(wrong))


def length_giveaways(questions) -> list[str]:
    """One line per question whose correct option(s) stand out by length."""
    return [f"{q.file}, question {q.id!r}: correct option(s) {length_ratio(q):.2f}x as long as the others "
            f"(at most {MAX_LENGTH_RATIO}x)"
            for q in questions if length_ratio(q) > MAX_LENGTH_RATIO]


def longest_is_correct(question: Question) -> bool:
    """True when the longest option (the first of equals) is a correct one."""
    longest = max(range(len(question.options)), key=lambda i: len(question.options[i].text))
    return question.options[longest].correct


@dataclass(frozen=True)
class LongestShare:
    type: str
    questions: int
    longest_correct: int
    chance: float

    @property
    def share(self) -> float:
        return self.longest_correct / self.questions if self.questions else 0.0

    @property
    def limit(self) -> float:
        return self.chance + MAX_LONGEST_CORRECT_ABOVE_CHANCE

    @property
    def ok(self) -> bool:
        return self.share <= self.limit

    def __str__(self) -> str:
        return (f"{self.type}-answer questions: the longest option is correct in {self.longest_correct} of "
                f"{self.questions} ({self.share:.0%}); chance is {self.chance:.0%}, the limit {self.limit:.0%}")


def longest_correct_shares(questions) -> list[LongestShare]:
    """For single- and for multiple-answer questions: how often the longest option is correct, against chance."""
    shares = []
    for kind in ("single", "multiple"):
        group = [q for q in questions if q.type == kind]
        if group:
            chance = sum(q.choose / len(q.options) for q in group) / len(group)
            shares.append(LongestShare(kind, len(group), sum(longest_is_correct(q) for q in group), chance))
    return shares


def course_target_gaps(questions) -> list[str]:
    """What the bank still lacks against the course's targets; empty when they are met."""
    questions = list(questions)
    gaps = []
    total = len(questions)
    if total < MIN_QUESTIONS:
        gaps.append(f"the bank has {total} questions; {MIN_QUESTIONS} are needed ({MIN_QUESTIONS - total} more)")
    per_topic = Counter(q.topic for q in questions)
    for chapter in CHAPTERS:
        if per_topic[chapter] < MIN_PER_CHAPTER:
            gaps.append(f"{chapter} has {per_topic[chapter]} questions; {MIN_PER_CHAPTER} are needed "
                        f"({MIN_PER_CHAPTER - per_topic[chapter]} more)")
    with_experiment = sum(bool(q.experiment) for q in questions)
    if total and with_experiment / total < MIN_EXPERIMENT_SHARE:
        needed = math.ceil(MIN_EXPERIMENT_SHARE * total - 1e-9)
        gaps.append(f"{with_experiment} of {total} questions ({with_experiment / total:.0%}) have an experiment; "
                    f"{MIN_EXPERIMENT_SHARE:.0%} are needed ({needed - with_experiment} more)")
    per_domain = Counter(q.domain for q in questions)
    for domain, weight in DOMAIN_WEIGHTS.items():
        share = per_domain[domain] / total if total else 0.0
        if abs(share - weight) > DOMAIN_TOLERANCE:
            gaps.append(f"domain {domain} ({DOMAIN_NAMES[domain]}) has {per_domain[domain]} questions ({share:.1%}); "
                        f"the exam weighs it {weight:.0%} (allowed {weight - DOMAIN_TOLERANCE:.0%}-"
                        f"{weight + DOMAIN_TOLERANCE:.0%})")
    return gaps
