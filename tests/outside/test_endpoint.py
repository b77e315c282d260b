"""The Lab's endpoint answers the AWS CLI from other processes, and says so clearly when a
service is not simulated (a client error, not a 500 with a traceback on the Lab's terminal)."""

import os
import subprocess
import sys

import pytest

from codepipeline_lab import Lab


def aws(lab, *arguments):
    env = dict(os.environ, AWS_ENDPOINT_URL=lab.endpoint_url,
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    return subprocess.run(["aws", *arguments], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def lab():
    with Lab(seed=0) as running:
        yield running


def test_the_cli_sees_what_boto3_created(lab):
    lab.client("s3").create_bucket(Bucket="made-in-python")
    answer = aws(lab, "s3api", "list-buckets", "--query", "Buckets[].Name", "--output", "text")
    assert answer.returncode == 0 and answer.stdout.split() == ["made-in-python"]


@pytest.mark.parametrize("command", [["appflow", "list-flows"], ["codeguru-reviewer", "list-code-reviews", "--type", "PullRequest"]])
def test_a_service_the_lab_does_not_simulate_gets_a_clear_error(lab, command, capfd):
    answer = aws(lab, *command)
    assert answer.returncode != 0
    assert "An error occurred (NotImplemented)" in answer.stderr
    assert f"does not simulate the service '{command[0]}'" in answer.stderr
    lab_output = capfd.readouterr()
    assert "Traceback" not in lab_output.err and "Unable to find" not in lab_output.out
