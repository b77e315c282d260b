import pytest

from codepipeline_lab import Lab
from codepipeline_lab.setup_helpers import create_bucket, create_service_role


@pytest.fixture
def lab():
    with Lab(seed=0) as running:
        yield running


@pytest.fixture
def role_arn(lab):
    return create_service_role(lab)


@pytest.fixture
def artifact_bucket(lab):
    return create_bucket(lab, "demo-artifacts")
