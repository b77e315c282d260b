"""Fixtures for the quiz widget's browser tests: system Chromium, a bounded localhost server, a page.

No browser is ever downloaded. Without Chromium/Chrome the browser tests are skipped with the way
to install one, except in CI (CI=true), where a missing browser fails them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codepipeline_lab.quiz.widget import CSS_PATH, ESM_PATH
from browser_support import launched_chromium, served

SERVER_LIFETIME_SECONDS = 300
SYNCED = ("mode", "title", "questions", "minutes", "labels", "answers", "result")


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def site(tmp_path):
    """A localhost HTTP server for tmp_path; it shuts itself down after SERVER_LIFETIME_SECONDS at most."""
    with served(tmp_path, SERVER_LIFETIME_SECONDS) as url:
        yield tmp_path, url


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>quiz widget test page</title>
<link rel="stylesheet" href="quiz.css"></head>
<body>
<div id="widgets"></div>
<script type="module">
import widget from "./quiz.js";
const states = __STATES__;
window.__saved = [];
function fakeModel(state, index) {
  const listeners = {};
  return {
    get: (key) => state[key],
    set: (key, value) => { state[key] = value; (listeners["change:" + key] || []).forEach((f) => f()); },
    save_changes: () => window.__saved.push([index, JSON.parse(JSON.stringify(state))]),
    on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
    off: () => {},
  };
}
states.forEach((state, index) => {
  const el = document.createElement("div");
  el.id = "w" + index;
  document.getElementById("widgets").append(el);
  widget.render({ model: fakeModel(state, index), el });
});
window.__states = states;
window.__ready = true;
</script></body></html>
"""


def write_page(folder: Path, widgets) -> None:
    """A static page with no kernel: quiz.js and quiz.css from the package and each widget's synced state."""
    states = [{name: getattr(w, name) for name in SYNCED} for w in widgets]
    shutil.copy(ESM_PATH, folder / "quiz.js")
    shutil.copy(CSS_PATH, folder / "quiz.css")
    (folder / "index.html").write_text(PAGE.replace("__STATES__", json.dumps(states)), encoding="utf-8")


@pytest.fixture
def open_page(browser, site):
    """open_page(*widgets, color_scheme="light") -> a Playwright page showing them; checks no request left localhost."""
    folder, base = site
    contexts, outside = [], []

    def opener(*widgets, color_scheme="light"):
        write_page(folder, widgets)
        context = browser.new_context(color_scheme=color_scheme)
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def guard(route):
            if route.request.url.startswith(base):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(base + "index.html")
        page.wait_for_function("window.__ready === true", timeout=10_000)
        assert errors == []
        page.js_errors = errors
        return page

    yield opener
    for context in contexts:
        context.close()
    assert outside == [], f"requests left localhost: {outside}"
