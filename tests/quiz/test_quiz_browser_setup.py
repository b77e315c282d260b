"""Without a browser the browser tests skip with install advice, except in CI, where they fail."""

import pytest

import quiz_browser_support as quiz_conftest


def test_missing_browser_skips_outside_ci(monkeypatch):
    monkeypatch.setattr(quiz_conftest, "find_chromium", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        quiz_conftest.require_chromium()


def test_missing_browser_fails_in_ci(monkeypatch):
    monkeypatch.setattr(quiz_conftest, "find_chromium", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        quiz_conftest.require_chromium()


def test_present_browser_is_used(monkeypatch):
    monkeypatch.setattr(quiz_conftest, "find_chromium", lambda: "/opt/chrome")
    monkeypatch.setenv("CI", "true")
    assert quiz_conftest.require_chromium() == "/opt/chrome"
