"""The book's practice exam page in headless Chromium, with no kernel: the whole bank, a timed round,
the score per DOP-C02 domain and per topic, progress kept in the browser across a reload, the next
round led by the weakest topics, and phone-width (390 px) screenshots in test-artifacts/book/. No request may leave the test's
localhost server.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "book"
PAGE = "practice-exam.html"


@pytest.fixture(scope="module")
def bank(built_book):
    data = json.loads((built_book["html"] / "_static" / "_exam" / "bank.json").read_text(encoding="utf-8"))
    return {q["id"]: q for q in data["questions"]}, data["labels"]


@pytest.fixture
def open_exam(browser, book_site):
    """Open the page (with a query string) in a fresh browser profile; console errors and outside requests are collected."""
    contexts = []

    def opener(query: str = "", width: int = 1280, height: int = 900, context=None):
        if context is None:
            context = browser.new_context(viewport={"width": width, "height": height}, color_scheme="light")
            contexts.append(context)
        page = context.new_page()
        page.problems, page.outside = [], []
        page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
        page.on("response", lambda r: page.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

        def guard(route):
            if route.request.url.startswith(book_site):
                route.continue_()
            else:
                page.outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(book_site + PAGE + query, wait_until="networkidle")
        page.wait_for_selector("#cpx-practice-exam .cpx-setup", timeout=15_000)
        return page

    yield opener
    for context in contexts:
        context.close()


def current_question(page, bank):
    block = page.locator("#cpx-practice-exam .cpq-stage fieldset[data-id]")
    return block, bank[block.get_attribute("data-id")]


def answer(page, bank, right: bool) -> dict:
    """Answer the question on screen, rightly or wrongly; its bank entry."""
    block, question = current_question(page, bank)
    inputs = block.locator("input")
    wanted = [k for k, option in enumerate(question["options"]) if option["correct"] is right]
    for k in wanted[: question["choose"]]:
        inputs.nth(k).check()
    return question


def start(page):
    page.get_by_role("button", name="Start the exam").click()
    page.wait_for_selector("#cpx-practice-exam .cpq-stage fieldset[data-id]")


def test_the_page_holds_the_whole_bank(open_exam, bank):
    by_id, labels = bank
    page = open_exam()
    assert len(by_id) >= 40
    assert f"The bank holds {len(by_id)} questions" in page.locator(".cpx-setup").inner_text()
    assert page.locator("#cpx-size option").last.inner_text() == f"all {len(by_id)} questions"
    assert "48 minutes" in page.locator(".cpx-timing").inner_text()      # 20 questions at the exam's pace
    assert page.locator("#cpx-weak").is_disabled()                         # nothing to focus on yet
    assert "No round finished yet" in page.locator(".cpx-progress").inner_text()
    assert page.outside == [] and page.problems == [], (page.outside, page.problems)


def test_a_round_scores_per_domain_and_topic_and_is_kept_after_a_reload(open_exam, bank):
    by_id, labels = bank
    page = open_exam("?questions=5")
    assert page.locator("#cpx-size").input_value() == "5"
    start(page)
    asked = []
    for k in range(5):
        asked.append(answer(page, by_id, right=k < 3))
        if k < 4:
            page.get_by_role("button", name="Next").click()
    assert len({q["id"] for q in asked}) == 5
    assert re.search(r"Time left \d+:\d\d", page.locator(".cpq-clock").inner_text())
    page.get_by_role("button", name="Finish exam").click()
    result = page.locator(".cpq-result")
    assert result.locator("h4").first.inner_text() == "Score: 3 / 5 (60%)"
    domain_table = result.locator("table").nth(1)
    assert domain_table.locator("th").first.inner_text() == "Domain"
    domains = {str(q["domain"]) for q in asked}
    rows = domain_table.locator("tr").all_inner_texts()[1:]
    assert len(rows) == len(domains)
    for d in domains:
        expected_right = sum(1 for k, q in enumerate(asked) if str(q["domain"]) == d and k < 3)
        total = sum(1 for q in asked if str(q["domain"]) == d)
        assert any(row.startswith(f"{d} {labels['domains'][d]}") and f"{expected_right} / {total}" in row for row in rows), rows
    assert result.locator("table").first.locator("th").first.inner_text() == "Topic"
    assert result.locator("fieldset.cpq-q").count() == 2                  # the two missed questions, explained
    assert page.locator(".cpx-kept").inner_text() == "Result kept in this browser."

    page.reload(wait_until="networkidle")
    page.wait_for_selector(".cpx-progress .cpx-summary")
    progress = page.locator(".cpx-progress")
    assert progress.locator(".cpx-summary").inner_text().startswith("1 round finished; last: 3 / 5 (60%)")
    assert "5 different questions answered" in progress.inner_text()
    assert progress.locator("caption", has_text="Domain (all rounds)").count() == 1
    missed_topics = {q["topic"] for q in asked[3:]}
    weak = page.locator("#cpx-weak")
    assert weak.is_enabled() and weak.is_checked()
    focus = re.search(r"\((.*)\)", page.locator("label[for=cpx-weak]").inner_text()).group(1).split(", ")
    assert set(focus) <= {q["topic"] for q in asked} and focus[0] in missed_topics

    start(page)                                                            # the next round leads with the weakest topic
    _, first = current_question(page, by_id)
    assert first["topic"] == focus[0]
    assert page.outside == [] and page.problems == [], (page.outside, page.problems)


def test_the_clock_runs_out_and_the_round_is_scored(open_exam, bank):
    by_id, labels = bank
    page = open_exam("?questions=3&seconds=2")
    assert "2 seconds in all" in page.locator(".cpx-timing").inner_text()
    start(page)
    answer(page, by_id, right=True)
    page.wait_for_selector(".cpq-result", timeout=10_000)
    head = page.locator(".cpq-result h4").first.inner_text()
    assert head.startswith("Time is up. Score: 1 / 3"), head
    assert page.locator(".cpq-result table").nth(1).locator("th").first.inner_text() == "Domain"
    assert page.locator(".cpx-kept").is_visible()
    assert page.outside == [] and page.problems == [], (page.outside, page.problems)


def test_phone_width(open_exam, bank):
    by_id, _ = bank
    page = open_exam("?questions=4", width=390, height=844)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    start(page)
    answer(page, by_id, right=True)
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(fits), "the exam scrolls sideways at 390 px"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "practice-exam-phone-question.png"), full_page=True)
    page.get_by_role("button", name="Finish exam").click()
    page.wait_for_selector(".cpq-result")
    assert page.evaluate(fits), "the score scrolls sideways at 390 px"
    page.locator(".cpq-result").screenshot(path=str(ARTIFACTS / "practice-exam-phone-score.png"))
    page.get_by_role("button", name="Another round").click()
    page.wait_for_selector(".cpx-progress .cpx-summary")
    assert page.evaluate(fits), "the progress panel scrolls sideways at 390 px"
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "practice-exam-phone.png"), full_page=True)
    assert page.outside == [] and page.problems == [], (page.outside, page.problems)
