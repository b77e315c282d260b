"""Without a browser the browser tests skip with install advice, except in CI, where they fail."""

import pytest

import browser_support


def test_missing_browser_skips_outside_ci(monkeypatch):
    monkeypatch.setattr(browser_support, "find_chromium", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        browser_support.require_chromium()


def test_missing_browser_fails_in_ci(monkeypatch):
    monkeypatch.setattr(browser_support, "find_chromium", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        browser_support.require_chromium()


def test_present_browser_is_used(monkeypatch):
    monkeypatch.setattr(browser_support, "find_chromium", lambda: "/opt/chrome")
    monkeypatch.setenv("CI", "true")
    assert browser_support.require_chromium() == "/opt/chrome"
