"""Every question's experiment runs in a fresh Lab and its assertions pass."""

import pytest

from codepipeline_lab.quiz import QuizBankError, load_bank
from codepipeline_lab.quiz.experiments import run_experiment
from codepipeline_lab.quiz.model import Question, Refs

WITH_EXPERIMENTS = [q for q in load_bank(strict=True).questions if q.experiment]


@pytest.mark.parametrize("question", WITH_EXPERIMENTS, ids=lambda q: q.id)
def test_experiment_passes(question):
    run_experiment(question)


def _question(experiment):
    return Question("q", "01-pipelines", 1, "single", 1, "easy", "stem", (), Refs("01-pipelines.ipynb", "h", ("d",)),
                    experiment, "01-pipelines.yaml")


def test_experiment_gets_a_running_lab():
    namespace = run_experiment(_question("region = lab.region\nassert lab.client('s3').list_buckets()['Buckets'] == []"))
    assert namespace["region"] == "us-east-1"


def test_failing_experiment_names_file_question_and_field():
    with pytest.raises(QuizBankError) as info:
        run_experiment(_question("assert 1 == 2, 'the answer is not visible'"))
    assert (info.value.file, info.value.question_id, info.value.field) == ("01-pipelines.yaml", "q", "experiment")
    assert "the answer is not visible" in str(info.value)
