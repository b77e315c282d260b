"""Fixtures for the book tests: a fresh build of the book, served on localhost, and system Chromium.

The browser and the server come from tests/browser_support.py (shared with the quiz tests): without
Chromium/Chrome the browser tests are skipped with the way to install one, except in CI
(CI=true), where a missing browser fails them. No browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

from build_book import UNAVAILABLE  # noqa: E402
from browser_support import in_ci, launched_chromium, served  # noqa: E402

HTML = ROOT / "book" / "_build" / "html"
LOCK = ROOT / "book" / "_build" / ".build.lock"        # the xdist workers of a run build the book once
STAMP = ROOT / "book" / "_build" / ".build-run.json"
SERVER_LIFETIME_SECONDS = 600


@pytest.fixture(scope="session")
def built_book():
    """Build the book from the stored notebooks (scripts/build_book.py); the build's wall time and output.

    Several xdist workers may need it (test_book, test_practice_exam, test_subpath): the first builds
    under a lock and the others reuse that build, so none deletes the site while another serves it.

    The widget JavaScript comes from the npm registry (cached after the first build). When it cannot
    be obtained (no cache and no registry), the book tests are skipped with the build's advice,
    except in CI, where they fail.
    """
    with _build_lock():
        result, seconds = _build_once_per_run()
    if result["returncode"] == UNAVAILABLE:
        if in_ci():
            pytest.fail(f"CI is set but {result['stderr'].strip()}", pytrace=False)
        pytest.skip(result["stderr"].strip())
    assert result["returncode"] == 0, f"the book did not build:\n{result['stdout'][-4000:]}\n{result['stderr'][-4000:]}"
    return {"html": HTML, "seconds": seconds, "output": result["stdout"]}


@contextlib.contextmanager
def _build_lock():
    """One build at a time: pytest-xdist workers that each need the book wait for each other."""
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_once_per_run() -> tuple[dict, float]:
    """Build the book, unless another xdist worker of this test run already has (then reuse its result)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run and STAMP.exists():
        stamp = json.loads(STAMP.read_text(encoding="utf-8"))
        if stamp.get("run") == run:
            return stamp["result"], stamp["seconds"]
    started = time.monotonic()
    completed = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_book.py")], cwd=ROOT,
                               capture_output=True, text=True, timeout=600)
    seconds = time.monotonic() - started
    result = {"returncode": completed.returncode, "stdout": completed.stdout, "stderr": completed.stderr}
    if run:
        STAMP.write_text(json.dumps({"run": run, "result": result, "seconds": seconds}), encoding="utf-8")
    return result, seconds


@pytest.fixture(scope="session")
def book_site(built_book):
    """The built book on a localhost HTTP server (it stops itself after SERVER_LIFETIME_SECONDS at most)."""
    with served(built_book["html"], SERVER_LIFETIME_SECONDS) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with launched_chromium() as chromium:
        yield chromium
