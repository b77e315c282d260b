import pytest


@pytest.fixture
def role(account):
    """The pipeline role of the shared `account` fixture (tests/conftest.py)."""
    return account
