"""The console in headless Chromium: saved states rendered with no kernel (read-only, buttons disabled,
a note), the tabs and details that work anyway, and, with a stand-in kernel, the messages its dialogs send.
A screenshot of each state, at 1280 and 390 px, goes to test-artifacts/console/."""

import pytest
from console_kit import approver, classic_pipeline, stage

from codepipeline_lab.console import Console

WIDTHS = (1280, 390)
NOTE = "Read-only: this is a saved view with no kernel behind it."


def fits(page, width):
    """Nothing is cut off: the page is no wider than the window."""
    return page.evaluate("document.documentElement.scrollWidth") <= width


def live_buttons(page):
    """The buttons that would make a call (everything but tabs, details, Close and Cancel)."""
    names = ["Release change", "Stop execution", "Refresh", "Run: lab.run()", "Advance 1 h"]
    return [page.get_by_role("button", name=name, exact=True) for name in names]


@pytest.fixture
def waiting(lab, account):
    classic_pipeline(lab, account)
    return Console(lab, "WebApp")


@pytest.mark.parametrize("width", WIDTHS)
def test_saved_state_is_read_only_with_a_note(open_page, screenshot, waiting, width):
    page = open_page(waiting, width=width)
    assert page.get_by_role("note").first.inner_text().startswith(NOTE)
    assert all(button.is_disabled() for button in live_buttons(page))
    review = page.get_by_role("button", name="Review")
    assert review.is_disabled()
    transitions = page.get_by_role("button", name="Disable transition into Deploy")
    assert transitions.is_disabled()
    assert page.evaluate("getComputedStyle(document.querySelector('.cpc-btn:disabled')).cursor") == "not-allowed"
    stages = page.locator(".cpc-stage h4").all_inner_texts()
    assert stages == ["Source", "Build", "Approve", "Deploy"]
    approval = page.locator('[data-action="Approval"]')
    assert "Waiting for approval" in approval.inner_text()
    assert "cpc-edge-run" in approval.get_attribute("class")
    assert "cpc-edge-ok" in page.locator('[data-action="Build"]').get_attribute("class")
    assert page.evaluate("window.__sent") == [{"do": "hello"}]
    assert fits(page, width)
    screenshot(page, f"approval-waiting-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_details_open_without_a_kernel(open_page, screenshot, waiting, width):
    page = open_page(waiting, width=width)
    page.locator('[data-action="Build"]').get_by_role("button", name="View details").click()
    panel = page.get_by_role("region", name="Details of Build")
    text = panel.inner_text()
    assert "ProjectName" in text and "webapp-build" in text
    assert "s3://demo-artifacts/WebApp/" in text and "VERSION" in text
    assert "/aws/codebuild/webapp-build" in text and "Running command test -f ready.txt" in text
    assert fits(page, width)
    screenshot(page, f"build-details-{width}")
    panel.get_by_role("button", name="Close").click()
    assert page.get_by_role("region", name="Details of Build").count() == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_failed_build_shows_error_and_retry(open_page, screenshot, lab, account, width):
    classic_pipeline(lab, account, ready=False)
    page = open_page(Console(lab, "WebApp"), width=width)
    build = page.locator('[data-action="Build"]')
    assert "cpc-edge-bad" in build.get_attribute("class")
    assert "JobFailed" in build.inner_text() and "test -f ready.txt" in build.inner_text()
    red = page.evaluate("getComputedStyle(document.querySelector('[data-action=\"Build\"] .cpc-badge')).color")
    assert red == "rgb(217, 21, 21)"
    assert page.get_by_role("button", name="Retry stage Build").is_disabled()
    assert fits(page, width)
    screenshot(page, f"build-failed-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_history_and_an_execution_timeline(open_page, screenshot, waiting, width):
    page = open_page(waiting, width=width)
    page.get_by_role("button", name="Execution history").click()
    table = page.locator(".cpc-history")
    assert "CreatePipeline" in table.inner_text() and '"Add the home page"' in table.inner_text()
    execution_id = waiting.view["executions"][0]["id"]
    page.get_by_role("link", name=execution_id[:8]).click()
    detail = page.get_by_role("region", name=f"Execution {execution_id}")
    rows = detail.locator("tr")
    assert rows.count() == 4   # header + Source, Build, Approval
    assert "Approval" in rows.nth(3).inner_text() and "In progress" in rows.nth(3).inner_text()
    assert fits(page, width)
    screenshot(page, f"history-{width}")
    detail.get_by_role("link", name="Build").click()   # the timeline leads to the action's details
    assert page.get_by_role("region", name="Details of Build").is_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_access_denied_banner_and_a_disabled_transition(open_page, screenshot, lab, account, width):
    classic_pipeline(lab, account)
    lab.client("codepipeline").disable_stage_transition(pipelineName="WebApp", stageName="Deploy", transitionType="Inbound",
                                                        reason="Change freeze until Monday")
    console = Console(lab, "WebApp", credentials=approver(lab, may_approve=False))
    console.press({"do": "review", "stage": "Approve", "action": "Approval", "decision": "Approved", "comment": "ok"})
    page = open_page(console, width=width)
    banner = page.get_by_role("alert")
    assert banner.inner_text().startswith("AccessDeniedException") and "user/reader" in banner.inner_text()
    assert "What this tried: codepipeline.put_approval_result(" in page.locator(".cpc-did").inner_text()
    transition = page.locator(".cpc-blocked")
    assert "Transition disabled: Change freeze until Monday" in transition.inner_text()
    assert page.get_by_role("button", name="Enable transition into Deploy").is_disabled()
    assert "as arn:aws:iam::123456789012:user/reader" in page.locator(".cpc-top").inner_text()
    assert fits(page, width)
    screenshot(page, f"access-denied-{width}")


def test_with_a_kernel_the_dialogs_send_their_calls(open_page, screenshot, waiting):
    page = open_page(waiting, kernel=True)
    assert page.get_by_role("note").count() == 0
    assert all(button.is_enabled() for button in live_buttons(page))
    page.get_by_role("button", name="Review").click()
    dialog = page.get_by_role("dialog", name="Review: Approve / Approval")
    assert "Release Add the home page?" in dialog.inner_text()    # the approval's CustomData, resolved
    dialog.get_by_label("Reject").check()
    dialog.get_by_label("Comments").fill("Not before the release notes")
    screenshot(page, "review-dialog-1280")
    dialog.get_by_role("button", name="Submit").click()
    assert page.evaluate("window.__sent")[-1] == {"do": "review", "stage": "Approve", "action": "Approval",
                                                  "decision": "Rejected", "comment": "Not before the release notes"}
    assert page.get_by_role("status").inner_text() == "Calling…"
    assert page.get_by_role("button", name="Release change").is_disabled()   # one call at a time


def test_with_a_kernel_transition_stop_and_release(open_page, waiting):
    page = open_page(waiting, kernel=True)
    page.get_by_role("button", name="Disable transition into Deploy").click()
    dialog = page.get_by_role("dialog", name="Disable the transition into Deploy")
    dialog.get_by_role("button", name="Disable").click()          # an empty reason is not sent
    assert page.evaluate("window.__sent") == [{"do": "hello"}]
    dialog.get_by_label("Reason (required)").fill("Freeze")
    dialog.get_by_role("button", name="Disable").click()
    assert page.evaluate("window.__sent")[-1] == {"do": "transition", "stage": "Deploy", "enable": False, "reason": "Freeze"}

    page = open_page(waiting, kernel=True)
    page.get_by_role("button", name="Stop execution").click()
    dialog = page.get_by_role("dialog", name="Stop execution")
    dialog.get_by_label("Stop and abandon").check()
    dialog.get_by_role("button", name="Stop", exact=True).click()
    execution_id = waiting.view["executions"][0]["id"]
    assert page.evaluate("window.__sent")[-1] == {"do": "stop", "execution": execution_id, "abandon": True, "reason": ""}

    page = open_page(waiting, kernel=True)
    page.get_by_role("button", name="Release change").click()
    page.get_by_role("dialog", name="Release change").get_by_role("button", name="Release").click()
    page.get_by_role("button", name="Advance 1 h").wait_for()
    assert page.evaluate("window.__sent")[-1] == {"do": "release"}


def test_with_a_kernel_retry_chooses_its_mode(open_page, lab, account):
    classic_pipeline(lab, account, ready=False)
    console = Console(lab, "WebApp")
    page = open_page(console, kernel=True)
    page.get_by_role("button", name="Retry stage Build").click()
    dialog = page.get_by_role("dialog", name="Retry stage Build")
    dialog.get_by_label("Retry all actions in the stage").check()
    dialog.get_by_role("button", name="Retry").click()
    execution = stage(console, "Build")["execution"]
    assert page.evaluate("window.__sent")[-1] == {"do": "retry", "stage": "Build", "execution": execution, "mode": "ALL_ACTIONS"}


def test_dark_theme(open_page, screenshot, waiting):
    page = open_page(waiting, color_scheme="dark")
    background = page.evaluate("getComputedStyle(document.querySelector('.cpc')).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    screenshot(page, "approval-waiting-dark-1280")
