"""The question bank in quizzes/ is complete, valid and balanced."""

import re
from collections import Counter

import pytest

from codepipeline_lab.quiz import TOPICS, load_bank, quizzes_dir


@pytest.fixture(scope="module")
def bank():
    return load_bank(strict=True)


def test_every_topic_has_its_file():
    names = sorted(p.stem for p in quizzes_dir().glob("*.yaml"))
    assert names == sorted(TOPICS)


def test_bank_loads_strictly_and_has_at_least_40_questions(bank):
    assert len(bank.questions) >= 40
    assert bank.problems == []


def test_ids_are_unique(bank):
    counts = Counter(q.id for q in bank.questions)
    assert [qid for qid, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_each_topic_has_at_least_five_questions(bank, topic):
    assert len(bank.topic(topic)) >= 5


def test_about_a_third_are_multiple_response(bank):
    share = sum(q.type == "multiple" for q in bank.questions) / len(bank.questions)
    assert 0.28 <= share <= 0.45


def test_every_domain_is_examined(bank):
    assert {q.domain for q in bank.questions} == {1, 2, 3, 4, 5, 6}


def test_answer_counts_match_question_types(bank):
    for q in bank.questions:
        assert len(q.correct_indexes) == q.choose, q.id
        assert len(q.options) == q.choose + 3, q.id
        assert all(o.explanation for o in q.options), q.id


OUTLINE_POINTS = {
    "polling": r"PollForSourceChanges",
    "events": r"EventBridge rule",
    "webhooks": r"webhook",
    "connections as a GitHub app": r"GitHub app",
    "artifacts through S3": r"artifact (store|bucket)",
    "CodeBuild needs no CodeCommit access": r"CodeBuild.*(GitPull|CodeCommit permission)",
    "approval owner/category/provider": r"owner AWS, category Approval, provider Manual",
    "approver permissions": r"PutApprovalResult",
    "approval notification": r"sns:Publish",
    "troubleshooting with events": r"State Change",
    "service role": r"service role",
    "CloudTrail": r"CloudTrail",
    "CREATE_UPDATE": r"CREATE_UPDATE",
    "REPLACE_ON_FAILURE": r"REPLACE_ON_FAILURE",
    "DELETE_ONLY": r"DELETE_ONLY",
    "change set, approval, execute": r"CHANGE_SET_EXECUTE",
    "StackSets": r"CloudFormationStackSet",
    "cross-region artifact stores": r"artifactStores",
    "automatic copies": r"copies the input artifacts",
    "execution modes": r"QUEUED",
    "superseding": r"Superseded",
}


@pytest.mark.parametrize("point", sorted(OUTLINE_POINTS))
def test_outline_point_is_covered(bank, point):
    pattern = re.compile(OUTLINE_POINTS[point], re.IGNORECASE | re.DOTALL)
    texts = [q.stem + " " + " ".join(o.text + " " + o.explanation for o in q.options) for q in bank.questions]
    assert any(pattern.search(text) for text in texts), f"no question covers {point}"


# Bank-wide rules (src/codepipeline_lab/quiz/balance.py, thresholds in docs/quiz.md).

def test_no_correct_option_stands_out_by_length(bank):
    from codepipeline_lab.quiz.balance import length_giveaways

    problems = length_giveaways(bank.questions)
    assert problems == [], "length giveaways:\n" + "\n".join(problems)


def test_longest_option_is_correct_not_far_more_often_than_chance(bank):
    from codepipeline_lab.quiz.balance import longest_correct_shares

    shares = longest_correct_shares(bank.questions)
    assert [str(s) for s in shares if not s.ok] == []


def test_bank_meets_the_course_targets(bank):
    """Issue 16's targets: 150 questions, 15 per chapter 01-07, the exam's domain weights, 40 % with experiments."""
    from codepipeline_lab.quiz.balance import course_target_gaps

    gaps = course_target_gaps(bank.questions)
    assert gaps == [], "the bank misses the course's targets:\n" + "\n".join(gaps)
