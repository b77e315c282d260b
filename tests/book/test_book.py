"""The static book: it builds from the stored notebooks, and every page works in headless Chromium.

Every page of the table of contents loads with no console error and no request leaving
localhost; each diagram is visible; on each chapter page a quiz answers and shows feedback with
no kernel; solutions start folded. A screenshot of each page goes to test-artifacts/book/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "book"


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]


def chapter_pages() -> list[str]:
    """Pages built from numbered course notebooks: each ends with a quiz."""
    return [name for name in toc_pages() if name[:2].isdigit()]


PAGES = toc_pages()


def test_book_builds_from_stored_outputs_with_local_widget_js(built_book):
    html = built_book["html"]
    for name in PAGES:
        assert (html / f"{name}.html").is_file(), f"{name}.html was not built"
    widgets = html / "_static" / "_widgets"
    for needed in ("require.js", "embed-amd.js", "anywidget/index.js"):
        assert (widgets / needed).is_file(), f"_static/_widgets/{needed} is missing"
    for name in PAGES:
        page = (html / f"{name}.html").read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in page and "cdnjs.cloudflare.com" not in page and "unpkg.com/thebe" not in page.split("text/x-thebe-config")[0]


@pytest.fixture
def open_book_page(browser, book_site):
    contexts = []

    def opener(name: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
        contexts.append(context)
        page = context.new_page()
        page.problems, page.outside = [], []
        page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
        page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url}")
                if r.url.startswith(book_site) else None)

        def guard(route):
            if route.request.url.startswith(book_site):
                route.continue_()
            else:
                page.outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(book_site + f"{name}.html", wait_until="networkidle")
        if page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count():
            page.wait_for_selector("fieldset[data-id]", timeout=15_000)
        return page

    yield opener
    for context in contexts:
        context.close()


def stored_quiz_questions(page) -> list[dict]:
    """The quiz questions saved in the page's widget state (what the widget renders, in order)."""
    state = json.loads(page.locator('script[type="application/vnd.jupyter.widget-state+json"]').first.inner_text())
    questions = []
    for model in state["state"].values():
        questions += model["state"].get("questions", [])
    return questions


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_offline_without_errors(open_book_page, name):
    page = open_book_page(name)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert page.outside == [], f"{name}: requests left localhost: {page.outside}"
    assert page.problems == [], f"{name}: {page.problems}"
    diagrams = page.locator("main img[src$='.svg']")
    for k in range(diagrams.count()):
        diagram = diagrams.nth(k)
        diagram.scroll_into_view_if_needed()
        assert diagram.is_visible(), f"{name}: diagram {k + 1} is not visible"
        assert diagram.evaluate("img => img.complete && img.naturalWidth > 100"), f"{name}: diagram {k + 1} did not load"


def displayed_question(page, mode: str) -> dict | None:
    """The first stored question of a quiz-widget model in ``mode`` ("quiz" or "exam") that the
    page really shows (a notebook may keep state of widgets it never displayed)."""
    state = json.loads(page.locator('script[type="application/vnd.jupyter.widget-state+json"]').first.inner_text())
    for model in state["state"].values():
        if model["state"].get("mode") != mode:
            continue
        for question in model["state"].get("questions", []):
            if page.locator(f'fieldset[data-id="{question["id"]}"]').count():
                return question
    return None


def choose_correct(block, question) -> None:
    options = block.locator("input")
    for k, option in enumerate(question["options"]):
        if option["correct"]:
            options.nth(k).check()


@pytest.mark.parametrize("name", chapter_pages())
def test_chapter_quiz_answers_and_explains_without_a_kernel(open_book_page, name):
    page = open_book_page(name)
    assert stored_quiz_questions(page), f"{name}: no quiz stored on the page"
    first = displayed_question(page, "quiz")
    if first is None:                 # the review chapter ends in a practice exam instead of a quiz
        first = displayed_question(page, "exam")
        assert first is not None, f"{name}: no quiz or exam question is displayed"
        block = page.locator(f'fieldset[data-id="{first["id"]}"]')
        block.scroll_into_view_if_needed()
        choose_correct(block, first)
        page.get_by_role("button", name="Finish exam").click()
        assert page.locator(".cpq-result > .cpq-head").inner_text().startswith("Score: 1 / ")
        assert page.problems == [], f"{name}: {page.problems}"
        return
    block = page.locator(f'fieldset[data-id="{first["id"]}"]')
    block.scroll_into_view_if_needed()
    choose_correct(block, first)
    block.get_by_role("button", name="Check").click()
    assert block.get_by_role("status").inner_text() == "✓ Correct."
    explanations = block.locator(".cpq-why")
    assert all(explanations.nth(k).is_visible() for k in range(explanations.count()))
    assert page.problems == [], f"{name}: {page.problems}"


@pytest.mark.parametrize("name", chapter_pages())
def test_solutions_start_folded(open_book_page, name):
    page = open_book_page(name)
    folded = page.locator("details.hide", has_text="Show the solution")
    assert folded.count() >= 1, f"{name}: no folded solution"
    for k in range(folded.count()):
        assert folded.nth(k).get_attribute("open") is None
        assert not folded.nth(k).locator(".cell_input").is_visible()
