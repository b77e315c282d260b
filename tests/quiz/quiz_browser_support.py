"""Finding the system Chromium for the quiz browser tests; never downloads a browser."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CANDIDATES = [
    "/usr/bin/chromium",
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
INSTALL_HINT = ("no Chromium or Chrome found for the quiz browser tests; install one: "
                "`sudo apt-get install chromium` (Debian/Ubuntu) or `brew install --cask google-chrome` (macOS)")


def find_chromium() -> str | None:
    for path in CANDIDATES:
        if Path(path).is_file() and os.access(path, os.X_OK):
            return path
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_chromium() -> str:
    """The browser's path; skip (with how to install one) when there is none, but fail in CI."""
    path = find_chromium()
    if path is None:
        if in_ci():
            pytest.fail(f"CI is set but {INSTALL_HINT}", pytrace=False)
        pytest.skip(INSTALL_HINT)
    return path
