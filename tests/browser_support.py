"""Shared by the browser tests (quiz widget, book): the system Chromium — never a downloaded
browser — launched headless, and a bounded localhost server for a folder."""

from __future__ import annotations

import atexit
import contextlib
import functools
import http.server
import os
import shutil
import threading
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
INSTALL_HINT = ("no Chromium or Chrome found for the browser tests; install one: "
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


_shared: dict = {}


@contextlib.contextmanager
def launched_chromium():
    """Headless system Chromium through Playwright (skipped or failed as require_chromium says).

    One Playwright and one browser per test process, shared by every fixture that asks: Playwright's
    sync API refuses to start a second instance while another one runs in the same process (which
    happens when a session-scoped and a module-scoped browser fixture meet in one xdist worker)."""
    path = require_chromium()
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright
        playwright = sync_playwright().start()
        _shared["playwright"] = playwright
        _shared["browser"] = playwright.chromium.launch(executable_path=path, headless=True, args=ARGS)
        atexit.register(_close_shared)
    yield _shared["browser"]


def _close_shared() -> None:
    browser, playwright = _shared.pop("browser", None), _shared.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def served(directory, lifetime_seconds: int):
    """Serve ``directory`` on 127.0.0.1 at a free port; the server stops itself after ``lifetime_seconds``."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    deadline = threading.Timer(lifetime_seconds, server.shutdown)
    deadline.daemon = True
    deadline.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        deadline.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
