"""The quiz widget in headless Chromium, on a static page with no kernel: answers are checked in JavaScript."""

from codepipeline_lab.quiz import PracticeExam, quiz

SINGLE = "approval-action-type"
MULTIPLE = "approval-least-privilege-approver"


def display_indexes(widget, qid, correct=True):
    question = next(q for q in widget.questions if q["id"] == qid)
    return [k for k, option in enumerate(question["options"]) if option["correct"] is correct]


def inputs(page, qid):
    return page.locator(f'fieldset[data-id="{qid}"] input')


def block(page, qid):
    return page.locator(f'fieldset[data-id="{qid}"]')


def saved_answers(page):
    return page.evaluate("window.__states[0].answers")


def test_correct_single_answer_turns_green_and_explains(open_page):
    widget = quiz(ids=[SINGLE])
    page = open_page(widget)
    right = display_indexes(widget, SINGLE)[0]
    check = block(page, SINGLE).get_by_role("button", name="Check")
    assert check.is_disabled()
    inputs(page, SINGLE).nth(right).check()
    check.click()
    assert block(page, SINGLE).get_by_role("status").inner_text() == "✓ Correct."
    assert "cpq-right" in block(page, SINGLE).locator(".cpq-option").nth(right).get_attribute("class")
    explanations = block(page, SINGLE).locator(".cpq-why")
    assert explanations.count() == 4 and all(explanations.nth(k).is_visible() for k in range(4))
    assert "owned by AWS" in explanations.nth(right).inner_text()
    answer = saved_answers(page)[SINGLE]
    assert answer["correct"] is True and answer["attempts"] == 1


def test_wrong_answer_is_marked_and_can_be_retried(open_page):
    widget = quiz(ids=[SINGLE])
    page = open_page(widget)
    wrong = display_indexes(widget, SINGLE, correct=False)[0]
    inputs(page, SINGLE).nth(wrong).check()
    block(page, SINGLE).get_by_role("button", name="Check").click()
    assert block(page, SINGLE).get_by_role("status").inner_text().startswith("✗ Not quite")
    assert "cpq-wrong" in block(page, SINGLE).locator(".cpq-option").nth(wrong).get_attribute("class")
    assert "(your choice)" in block(page, SINGLE).locator(".cpq-why").nth(wrong).inner_text()
    block(page, SINGLE).get_by_role("button", name="Try again").click()
    assert not inputs(page, SINGLE).nth(wrong).is_checked()
    assert not block(page, SINGLE).locator(".cpq-why").first.is_visible()
    right = display_indexes(widget, SINGLE)[0]
    inputs(page, SINGLE).nth(right).check()
    block(page, SINGLE).get_by_role("button", name="Check").click()
    answer = saved_answers(page)[SINGLE]
    assert answer["correct"] is True and answer["attempts"] == 2


def test_choose_two_is_enforced(open_page):
    widget = quiz(ids=[MULTIPLE])
    page = open_page(widget)
    right = display_indexes(widget, MULTIPLE)
    wrong = display_indexes(widget, MULTIPLE, correct=False)
    assert block(page, MULTIPLE).get_by_role("group").count() == 1
    assert "Choose TWO" in block(page, MULTIPLE).locator("h4").inner_text()
    check = block(page, MULTIPLE).get_by_role("button", name="Check")
    inputs(page, MULTIPLE).nth(right[0]).check()
    assert check.is_disabled()
    assert block(page, MULTIPLE).get_by_role("status").inner_text() == "1 of 2 selected"
    inputs(page, MULTIPLE).nth(right[1]).check()
    assert check.is_enabled()
    assert all(inputs(page, MULTIPLE).nth(k).is_disabled() for k in wrong)  # a third choice is not possible
    check.click()
    assert block(page, MULTIPLE).get_by_role("status").inner_text() == "✓ Correct."
    assert saved_answers(page)[MULTIPLE]["selected"] == sorted(
        widget.questions[0]["options"][k]["i"] for k in right)


def test_keyboard_only_answering_with_visible_focus(open_page):
    widget = quiz(ids=[SINGLE])
    page = open_page(widget)
    right = display_indexes(widget, SINGLE)[0]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "radio"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    for _ in range(right):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert inputs(page, SINGLE).nth(right).is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check"
    page.keyboard.press("Enter")
    assert block(page, SINGLE).get_by_role("status").inner_text() == "✓ Correct."
    assert page.evaluate("document.activeElement.textContent") == "Try again"


def test_light_and_dark_themes_differ(open_page):
    widget = quiz(ids=[SINGLE])
    light = open_page(widget).evaluate("getComputedStyle(document.querySelector('.cpq')).backgroundColor")
    dark = open_page(widget, color_scheme="dark").evaluate(
        "getComputedStyle(document.querySelector('.cpq')).backgroundColor")
    assert light == "rgb(255, 255, 255)" and dark != light


def test_short_exam_reaches_the_score_screen(open_page):
    exam = PracticeExam(questions=3, seed=5, minutes=30)
    page = open_page(exam)
    qs = exam.questions
    assert page.locator(".cpq-clock").inner_text().startswith("Time left 30:0")
    for k, question in enumerate(qs):
        answer = display_indexes(exam, question["id"], correct=k != 1)[: question["choose"]]
        for index in answer:
            inputs(page, question["id"]).nth(index).check()
        if k < len(qs) - 1:
            page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Finish exam").click()
    head = page.locator(".cpq-result h4").first
    assert head.inner_text() == "Score: 2 / 3 (67%)"
    tables = page.locator(".cpq-table")
    assert tables.count() == 2
    assert "Topic" in tables.nth(0).inner_text() and "Domain" in tables.nth(1).inner_text()
    assert "Review of 1 missed question(s)" in page.locator(".cpq-result").inner_text()
    missed = page.locator(f'.cpq-result fieldset[data-id="{qs[1]["id"]}"]')
    assert missed.locator(".cpq-why").first.is_visible()
    result = page.evaluate("window.__states[0].result")
    assert result["score"] == 2 and result["total"] == 3 and result["time_up"] is False
    assert sum(t["total"] for t in result["topics"].values()) == 3


def test_exam_ends_when_time_is_up(open_page):
    exam = PracticeExam(questions=2, seed=1, minutes=0.05)
    page = open_page(exam)
    page.wait_for_selector("text=Time is up.", timeout=10_000)
    assert page.evaluate("window.__states[0].result.time_up") is True
