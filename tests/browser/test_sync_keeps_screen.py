"""A background sync never wipes what the member is looking at (issue 12, item 2).

On each screen — a lesson with its quiz result, a checklist scrolled down, a household form half
typed — a sync that brings changes to other records, and one that changes the record on screen,
leaves the screen as it was: scroll position, result shown, typed text and focus.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.browser.member import (
    add_household,
    finish_first_lesson_quiz,
    open_screen,
    sign_in,
    sync_now,
    tick_first_steps,
    wait_synced,
)
from tests.browser.support import LiveServer, Phones
from tests.data import household_data, mutation

if TYPE_CHECKING:
    from playwright.sync_api import Page

# The app waits 3 s after the member's last touch before showing what a sync brought.
QUIET_MS = 3_000


def _someone_elses_household(server: LiveServer) -> None:
    """The second member adds a household in the same village (a change to another record)."""
    record = uuid.uuid4()
    data = household_data(server.village_code, head_name=f"Hộ Khác {record.hex[:6]}")
    [receipt] = server.push(server.second_member, "other-member", [mutation(record, data)])
    assert receipt["status"] == "applied", receipt


def _record(page: Page, type_: str, record_id: str) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(
        "([t, id]) => window.langso.app.store.get(t, id)", [type_, record_id]
    )
    return found


def _sync_and_wait(page: Page) -> None:
    """Sync now, then let the app's quiet time pass so any redraw would have happened."""
    sync_now(page)
    wait_synced(page)
    page.wait_for_timeout(QUIET_MS + 1_500)


def _screen(page: Page) -> dict[str, Any]:
    """What the member sees of the open screen: scroll, focus, and what a full redraw loses."""
    seen: dict[str, Any] = page.evaluate(
        """() => {
            const view = document.querySelector("#view");
            const active = document.activeElement;
            return {
                y: Math.round(window.scrollY),
                focus: active && active !== document.body ? active.outerHTML.slice(0, 120) : null,
                marked: Boolean(view.firstElementChild?.dataset.mark),
                score: document.querySelector(".score")?.textContent || "",
                feedback: Array.from(document.querySelectorAll(".feedback"))
                    .map((p) => p.textContent),
                checked: Array.from(document.querySelectorAll("#view input:checked"))
                    .map((i) => `${i.name}=${i.value}/${i.dataset.item || ""}`),
            };
        }"""
    )
    return seen


def _same(after: dict[str, Any], before: dict[str, Any], *, redrawn: bool = False) -> None:
    """The screen as it was; the scroll within a few pixels (a header line may wrap anew)."""
    assert abs(after["y"] - before["y"]) <= 16, (before, after)
    ignored = {"y", "marked"} if redrawn else {"y"}
    assert {k: v for k, v in after.items() if k not in ignored} == {
        k: v for k, v in before.items() if k not in ignored
    }


def _mark(page: Page) -> None:
    """Tag the drawn screen: a full redraw replaces it and drops the tag."""
    page.evaluate('document.querySelector("#view").firstElementChild.dataset.mark = "1"')


def test_a_sync_keeps_the_quiz_result_and_the_place_in_a_lesson(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    page = Phones.page(browser_context_factory.open("keep-lesson"))
    sign_in(page, live_server, live_server.member)
    finish_first_lesson_quiz(page)
    wait_synced(page)
    page.wait_for_timeout(QUIET_MS + 1_500)  # the echo of the member's own result has come back
    page.locator(".score").scroll_into_view_if_needed()
    page.get_by_role("button", name="Kiểm tra câu trả lời").focus()
    _mark(page)
    before = _screen(page)
    assert before["score"] and before["y"] > 0 and before["checked"], before
    assert all(text.strip() for text in before["feedback"]), before

    _someone_elses_household(live_server)
    _sync_and_wait(page)
    _same(_screen(page), before)  # nothing redrawn: the lesson shows no household

    # The same member's other phone changes this lesson's progress: shown in place, kept.
    slug = page.evaluate('location.hash.split("/").pop()')
    progress = page.evaluate(
        """async (slug) => (await window.langso.app.store.all("lesson_progress"))
            .find((p) => p.data.lesson_slug === slug)""",
        slug,
    )
    [receipt] = live_server.push(
        live_server.member,
        "members-other-phone",
        [mutation(progress["id"], {"score": 50}, "update", progress["version"], "lesson_progress")],
    )
    assert receipt["status"] == "applied", receipt
    _sync_and_wait(page)
    assert _record(page, "lesson_progress", progress["id"])["data"]["score"] == 50
    _same(_screen(page), before, redrawn=True)
    screenshots(page, "21-lesson-result-kept-after-sync")


def test_a_sync_keeps_the_place_and_focus_on_a_checklist(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    page = Phones.page(browser_context_factory.open("keep-checklist"))
    sign_in(page, live_server, live_server.member)
    household = add_household(page, "Hộ Giữ Chỗ")
    tick_first_steps(page, household, steps=2)
    wait_synced(page)
    page.wait_for_timeout(QUIET_MS + 1_500)  # the echo of the member's own ticks has come back
    boxes = page.locator("input[data-item]")
    last = boxes.nth(boxes.count() - 1)
    last.scroll_into_view_if_needed()
    last.focus()
    checklist_id = page.url.rsplit("/", 1)[-1]
    before = _screen(page)
    assert before["y"] > 0 and "data-item" in (before["focus"] or ""), before

    _someone_elses_household(live_server)
    _mark(page)
    _sync_and_wait(page)
    _same(_screen(page), before | {"marked": True})

    # The member's other phone ticks the third step: it shows here, in place.
    record = _record(page, "checklist", checklist_id)
    third = page.evaluate("() => document.querySelectorAll('input[data-item]')[2].dataset.item")
    entry = {"done": True, "at": "2026-12-01T08:00:00+07:00"}
    [receipt] = live_server.push(
        live_server.member,
        "members-other-phone",
        [
            mutation(
                checklist_id, {"items": {third: entry}}, "update", record["version"], "checklist"
            )
        ],
    )
    assert receipt["status"] == "applied", receipt
    _sync_and_wait(page)
    after = _screen(page)
    assert page.locator(f"input[data-item='{third}']").is_checked()
    assert abs(after["y"] - before["y"]) <= 16 and after["focus"] == before["focus"], (
        before,
        after,
    )
    screenshots(page, "22-checklist-place-kept-after-sync")


def test_a_sync_keeps_what_is_typed_in_the_household_form(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    page = Phones.page(browser_context_factory.open("keep-form"))
    sign_in(page, live_server, live_server.member)
    household = add_household(page, "Hộ Đang Gõ")
    wait_synced(page)
    open_screen(page, f"#/households/{household}/edit")
    address = page.get_by_label("Địa chỉ", exact=True)
    address.fill("Xóm 9, đầu ngõ")
    address.focus()
    before = _screen(page)

    _someone_elses_household(live_server)
    _sync_and_wait(page)
    _same(_screen(page), before)
    assert address.input_value() == "Xóm 9, đầu ngõ"

    record = _record(page, "household", household)
    [receipt] = live_server.push(
        live_server.second_member,
        "other-member",
        [mutation(household, {"notes": "Đã gọi điện"}, "update", record["version"])],
    )
    assert receipt["status"] == "applied", receipt
    _sync_and_wait(page)
    _same(_screen(page), before)
    assert address.input_value() == "Xóm 9, đầu ngõ"
    screenshots(page, "23-household-form-kept-after-sync")
