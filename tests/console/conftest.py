"""Fixtures for the console's browser tests: system Chromium, a bounded localhost server, a page
showing saved console states with no kernel (or with a stand-in kernel that answers "hello").

No browser is ever downloaded. Without Chromium/Chrome the browser tests are skipped with the way
to install one, except in CI (CI=true), where a missing browser fails them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from browser_support import launched_chromium, served
from codepipeline_lab.console.widget import CSS_PATH, ESM_PATH

SERVER_LIFETIME_SECONDS = 300
SYNCED = ("view", "last")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def site(tmp_path):
    with served(tmp_path, SERVER_LIFETIME_SECONDS) as url:
        yield tmp_path, url


# The model stands in for anywidget's: get/set/on/send. With __KERNEL__ false nobody answers the
# widget's "hello" (the static book, a saved notebook); with true, a stand-in kernel answers it and
# records every button message in window.__sent without changing the state.
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>console widget test page</title><link rel="stylesheet" href="console.css">
<style>body { font-family: system-ui, sans-serif; font-size: 14px; margin: 12px; }</style></head>
<body><div id="widgets"></div>
<script type="module">
import widget from "./console.js";
const states = __STATES__;
const kernel = __KERNEL__;
window.__sent = [];
function fakeModel(state) {
  const listeners = {};
  const fire = (name, ...args) => (listeners[name] || []).forEach((f) => f(...args));
  return {
    get: (key) => state[key],
    set: (key, value) => { state[key] = value; fire("change:" + key); },
    save_changes: () => {},
    on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
    off: () => {},
    send: (content) => {
      window.__sent.push(content);
      if (kernel && content.do === "hello") setTimeout(() => fire("msg:custom", { live: true }), 0);
    },
  };
}
states.forEach((state) => {
  const el = document.createElement("div");
  document.getElementById("widgets").append(el);
  widget.render({ model: fakeModel(state), el });
});
window.__ready = true;
</script></body></html>
"""


def write_page(folder: Path, widgets, kernel: bool) -> None:
    states = [{name: getattr(w, name) for name in SYNCED} for w in widgets]
    shutil.copy(ESM_PATH, folder / "console.js")
    shutil.copy(CSS_PATH, folder / "console.css")
    page = PAGE.replace("__STATES__", json.dumps(states)).replace("__KERNEL__", json.dumps(kernel))
    (folder / "index.html").write_text(page, encoding="utf-8")


@pytest.fixture
def open_page(browser, site):
    """open_page(*widgets, width=1280, kernel=False, color_scheme="light") -> a Playwright page; no request may leave localhost."""
    folder, base = site
    contexts, outside = [], []

    def opener(*widgets, width=1280, kernel=False, color_scheme="light"):
        write_page(folder, widgets, kernel)
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=color_scheme)
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
        if kernel:
            page.wait_for_function("!document.querySelector('.cpc-note')", timeout=5_000)
        assert errors == []
        return page

    yield opener
    for context in contexts:
        context.close()
    assert outside == [], f"requests left localhost: {outside}"


@pytest.fixture
def screenshot():
    """screenshot(page, name) saves the full page under test-artifacts/console/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
