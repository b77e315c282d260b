import pytest

from codepipeline_lab.setup_helpers import create_bucket, create_service_role, push


@pytest.fixture
def role(lab):
    """A pipeline role, the artifact bucket and a CodeCommit repository 'app' with one commit."""
    arn = create_service_role(lab)
    create_bucket(lab, "demo-artifacts")
    lab.client("codecommit").create_repository(repositoryName="app")
    push(lab, "app", {"app.py": "print('hello')\n", "README.md": "# app\n"}, "Initial commit")
    return arn
