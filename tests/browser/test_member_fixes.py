"""A refused checklist or lesson change is shown with the server's message and can be fixed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.browser.member import add_household, sign_in, tick_first_steps, wait_synced
from tests.browser.support import LiveServer, Phones

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

WRONG_SHAPE = "Giá trị này không đúng định dạng."


def _wait_until(page: Page, done: Callable[[], object]) -> None:
    """Let the phone work (up to 30 s) until `done()` is true; the caller asserts it after."""
    for _ in range(60):
        if done():
            return
        page.wait_for_timeout(500)


def _server_items(live_server: LiveServer, household: str) -> dict[str, Any]:
    """The steps the server holds for the household's checklist."""
    rows = live_server.sql("SELECT items FROM checklist WHERE household_id = ?", household)
    if not rows:
        return {}
    raw = rows[0][0]
    return dict(json.loads(raw) if isinstance(raw, str) else raw)


def test_a_refused_checklist_step_is_shown_on_the_checklist_and_can_be_sent_again(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    """The server refuses a ticked step (an older app sent it badly): see why, send it again."""
    phones = browser_context_factory
    context = phones.open("refused-step")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    tampered: dict[str, str] = {}

    def older_app(route: Route) -> None:
        body = route.request.post_data_json
        for mutation in body["mutations"]:
            items = mutation["data"].get("items") if mutation["type"] == "checklist" else None
            if items and not tampered:
                step = next(iter(items))
                items[step]["done"] = "yes"
                tampered["step"] = step
        route.continue_(post_data=json.dumps(body))

    context.route("**/api/v1/sync/push", older_app)
    household = add_household(page, "Hộ Bước Bị Từ Chối")
    tick_first_steps(page, household, steps=1)
    _wait_until(page, lambda: bool(tampered))
    wait_synced(page)
    step = tampered["step"]
    assert step not in _server_items(live_server, household)

    page.goto(f"{live_server.url}/app#/fix")
    page.get_by_text(WRONG_SHAPE).first.wait_for()
    page.get_by_role("link", name="Sửa").first.click()
    refused = page.locator(f"[data-refused='{step}']")
    refused.get_by_text(WRONG_SHAPE).wait_for()
    note = page.get_by_text("Máy chủ đã từ chối một thay đổi ở một bước.")
    note.wait_for()
    assert page.locator(f"input[data-item='{step}']").is_checked()
    screenshots(page, "07-checklist-step-refused")
    refused.get_by_role("button", name="Gửi lại").click()
    refused.wait_for(state="detached")
    note.wait_for(state="detached")
    _wait_until(page, lambda: _server_items(live_server, household).get(step, {}).get("done"))
    assert _server_items(live_server, household)[step]["done"] is True
    wait_synced(page)
    page.goto(f"{live_server.url}/app#/fix")
    page.get_by_text("Không có gì cần sửa.").wait_for()


def _answer_quiz(page: Page, wrong: int) -> int:
    """Answer the open lesson's quiz, the first `wrong` questions wrongly; the score expected."""
    page.locator("form.quiz").wait_for()
    answers = page.evaluate(
        """async () => {
            const slug = location.hash.split("/").pop();
            const lessons = await window.langso.app.store.all("lesson");
            return lessons.find((l) => l.data.slug === slug).data.quiz
                .map((q) => [q.id, q.answer]);
        }"""
    )
    for n, (question_id, answer) in enumerate(answers):
        chosen = (answer + 1) % 2 if n < wrong else answer
        page.locator(f"input[name='{question_id}'][value='{chosen}']").check()
    page.get_by_role("button", name="Kiểm tra câu trả lời").click()
    page.locator(".score").filter(has_text="câu").wait_for()
    return round((len(answers) - wrong) / len(answers) * 100)


def test_a_refused_quiz_result_is_shown_and_fixed_by_taking_the_quiz_again(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    """The server refuses a quiz result (an older app sent a bad score): take the quiz again."""
    phones = browser_context_factory
    context = phones.open("refused-quiz")
    page = phones.page(context)
    sign_in(page, live_server, live_server.second_member)
    tampered: dict[str, str] = {}

    def older_app(route: Route) -> None:
        body = route.request.post_data_json
        for mutation in body["mutations"]:
            result = mutation["type"] == "lesson_progress" and "score" in mutation["data"]
            if result and not tampered:
                mutation["data"]["score"] = 150
                tampered["id"] = mutation["record_id"]
        route.continue_(post_data=json.dumps(body))

    context.route("**/api/v1/sync/push", older_app)
    page.goto(f"{live_server.url}/app#/lessons")
    page.locator(".list a").first.click()
    _answer_quiz(page, wrong=0)
    _wait_until(page, lambda: bool(tampered))
    wait_synced(page)

    page.goto(f"{live_server.url}/app#/fix")
    page.get_by_text("Hãy nhập số nguyên từ 0 đến 100.").wait_for()
    page.get_by_role("link", name="Sửa").click()
    expected = _answer_quiz(page, wrong=1)
    assert expected < 100

    def server_scores() -> list[tuple[Any, ...]]:
        return live_server.sql(
            "SELECT p.status, p.score FROM lesson_progress p JOIN app_user u ON u.id = p.user_id "
            "WHERE u.phone = ? AND p.score = ?",
            live_server.second_member,
            expected,
        )

    _wait_until(page, lambda: bool(server_scores()))
    assert server_scores() == [("completed", expected)]
    wait_synced(page)
    page.goto(f"{live_server.url}/app#/fix")
    page.get_by_text("Không có gì cần sửa.").wait_for()
