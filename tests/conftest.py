import pytest

from codepipeline_lab import Lab
from codepipeline_lab.setup_helpers import create_bucket, create_service_role, push


@pytest.fixture
def lab():
    with Lab(seed=0) as running:
        yield running


@pytest.fixture
def role_arn(lab):
    return create_service_role(lab)


@pytest.fixture
def account(lab):
    """A service role, an artifact bucket and a CodeCommit repository with one commit."""
    role = create_service_role(lab)
    create_bucket(lab, "demo-artifacts")
    lab.client("codecommit").create_repository(repositoryName="app")
    push(lab, "app", {"app.py": "print('hello')\n", "README.md": "# app\n"}, "Initial commit")
    return role
