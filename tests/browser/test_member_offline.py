"""A team member's day without signal, in real Chromium with the network really cut."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.member import (
    add_household,
    edit_household,
    finish_first_lesson_quiz,
    open_screen,
    pending,
    sign_in,
    sync_now,
    tick_first_steps,
    wait_synced,
)
from tests.browser.support import LiveServer, Phones, is_error_page

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route


def test_a_day_offline_then_everything_syncs_exactly_once(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    phones = browser_context_factory
    context = phones.open("member-day")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    screenshots(page, "01-home")

    context.set_offline(True)
    page.reload()
    assert not is_error_page(page)
    page.get_by_role("link", name="Thêm hộ").wait_for()

    names = ["Nguyễn Văn Ngoại Tuyến", "Trần Thị Mất Sóng", "Lò Văn Bản Xa"]
    ids = []
    for n, name in enumerate(names):
        ids.append(add_household(page, name))
        if n == 0:
            screenshots(page, "03-household")
    edit_household(page, ids[1], **{"Địa chỉ": "Xóm 7, cạnh nhà văn hoá"})
    tick_first_steps(page, ids[0], steps=2)
    screenshots(page, "04-checklist")
    finish_first_lesson_quiz(page)
    screenshots(page, "05-lesson-quiz")
    page.goto(page.url.split("#")[0] + "#/households")
    page.get_by_label("Tìm theo tên, địa chỉ hoặc số điện thoại").fill("tran thi mat song")
    page.get_by_role("link", name="Trần Thị Mất Sóng").wait_for()
    page.locator("#count").filter(has_text=re.compile(r"^1 hộ$")).wait_for()
    screenshots(page, "02-households")
    waiting = pending(page)
    # 3 creates, 1 edit, checklist start + 2 ticks, lesson start and completion.
    queued = page.evaluate(
        """async () => (await window.langso.app.store.outbox("pending"))
            .map((e) => `${e.type} ${e.op} ${Object.keys(e.data).join(",")}`)"""
    )
    assert waiting == len(queued) >= 9, queued
    assert "thay đổi đang chờ gửi" in page.get_by_test_id("sync-status").inner_text()

    context.close()
    # Offline from the first moment: otherwise Background Sync sends everything at start-up.
    context = phones.open("member-day", offline=True)
    page = phones.page(context)
    page.goto(f"{live_server.url}/app#/households")
    assert not is_error_page(page)
    for name in names:
        page.get_by_role("link", name=name).wait_for()
    assert pending(page) == waiting
    # Still offline after the restart: a third tick merges into the checklist's steps (a map
    # field, as the schema kept on the phone says) instead of replacing the two before it.
    # (the member's village may hold other tests' checklists: take this household's one)
    [checklist_id] = page.evaluate(
        """async (household) => (await window.langso.app.store.all("checklist"))
            .filter((c) => c.data.household_id === household).map((c) => c.id)""",
        ids[0],
    )
    open_screen(page, f"#/households/{ids[0]}/checklists/{checklist_id}")
    page.locator("input[data-item]").nth(2).check()
    page.wait_for_function(
        "(n) => Number(document.querySelector('[data-testid=pending-count]').textContent) > n",
        arg=waiting,
    )  # the tick is saved
    done = page.evaluate(
        """async (id) => {
            const checklist = await window.langso.app.store.get("checklist", id);
            return Object.values(checklist.data.items).filter((item) => item.done).length;
        }""",
        checklist_id,
    )
    assert done == 3

    context.set_offline(False)
    wait_synced(page)
    for name in names:
        rows = live_server.sql("SELECT COUNT(*) FROM household WHERE head_name = ?", name)
        assert rows == [(1,)], name
    [(address,)] = live_server.sql("SELECT address FROM household WHERE id = ?", ids[1])
    assert address == "Xóm 7, cạnh nhà văn hoá"
    [(items,)] = live_server.sql("SELECT items FROM checklist WHERE household_id = ?", ids[0])
    ticked = json.loads(items) if isinstance(items, str) else items
    assert sum(1 for item in ticked.values() if item["done"]) == 3
    [(status, score)] = live_server.sql(
        "SELECT p.status, p.score FROM lesson_progress p JOIN app_user u ON u.id = p.user_id "
        "WHERE u.phone = ?",
        live_server.member,
    )
    assert (status, score) == ("completed", 100)


def test_lost_responses_converge_to_exactly_once(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    """The server commits but the phone never hears back: retries must not duplicate."""
    phones = browser_context_factory
    context = phones.open("flaky")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    lost = {"count": 0}

    def lose_the_answer(route: Route) -> None:
        if lost["count"] < 3:
            route.fetch()  # the server applies the batch...
            lost["count"] += 1
            route.abort("connectionreset")  # ...and the answer is lost on the way back
        else:
            route.continue_()

    context.route("**/api/v1/sync/push", lose_the_answer)
    names = ["Hộ Mạng Chập Chờn Một", "Hộ Mạng Chập Chờn Hai"]
    for name in names:
        add_household(page, name)
    for _ in range(20):
        sync_now(page)
        if lost["count"] >= 3 and pending(page) == 0:
            break
        page.wait_for_timeout(500)
    wait_synced(page, timeout_ms=60_000)
    assert lost["count"] == 3
    for name in names:
        assert live_server.sql("SELECT COUNT(*) FROM household WHERE head_name = ?", name) == [(1,)]


def test_two_phones_edit_one_household_offline(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    first, second = phones.open("phone-a"), phones.open("phone-b")
    page_a, page_b = phones.page(first), phones.page(second)
    sign_in(page_a, live_server, live_server.member)
    household = add_household(page_a, "Hộ Hai Máy Cùng Sửa", people=4, adults=2)
    wait_synced(page_a)
    sign_in(page_b, live_server, live_server.second_member)
    page_b.goto(f"{live_server.url}/app#/households/{household}")
    page_b.get_by_role("heading", name="Hộ Hai Máy Cùng Sửa").wait_for()

    first.set_offline(True)
    second.set_offline(True)
    edit_household(page_a, household, **{"Số người": "5", "Địa chỉ": "Xóm Mới"})
    edit_household(page_b, household, **{"Số người": "6", "Ghi chú": "Đã hẹn lên xã"})
    first.set_offline(False)
    wait_synced(page_a)
    second.set_offline(False)
    wait_synced(page_b)
    sync_now(page_a)
    wait_synced(page_a)

    [(people, address, notes)] = live_server.sql(
        "SELECT people_count, address, notes FROM household WHERE id = ?", household
    )
    assert (people, address, notes) == (5, "Xóm Mới", "Đã hẹn lên xã")
    conflicts = live_server.sql(
        "SELECT field, kept_value, lost_value FROM sync_conflict WHERE record_id = ?", household
    )
    assert [(field, str(kept), str(lost)) for field, kept, lost in conflicts] == [
        ("people_count", "5", "6")
    ]
    for page in (page_a, page_b):
        # The open household page refreshes itself with what the sync brought.
        facts = page.locator("dl.facts")
        facts.filter(has_text="Xóm Mới").wait_for()
        assert "5 / 2" in facts.inner_text()
        page.reload()
        assert "Xóm Mới" in facts.inner_text() and "5 / 2" in facts.inner_text()
    page_b.goto(f"{live_server.url}/app#/fix")
    page_b.get_by_text("điều phối viên sẽ xem lại").first.wait_for()


def test_a_refused_change_is_shown_and_can_be_fixed(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    """The server refuses a change the phone thought valid (older rules): fix and resend."""
    phones = browser_context_factory
    context = phones.open("refused")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    tampered = {"done": False}

    def older_rules(route: Route) -> None:
        body = route.request.post_data_json
        for mutation in body["mutations"]:
            if mutation["type"] == "household" and not tampered["done"]:
                mutation["data"]["people_count"] = 99
                tampered["done"] = True
        route.continue_(post_data=json.dumps(body))

    context.route("**/api/v1/sync/push", older_rules)
    household = add_household(page, "Hộ Bị Từ Chối")
    wait_synced(page)
    assert tampered["done"]
    page.goto(f"{live_server.url}/app#/fix")
    page.get_by_text("Hãy nhập số nguyên từ 1 đến 50.").first.wait_for()
    screenshots(page, "06-needs-fixing")
    page.get_by_role("link", name="Sửa").first.click()
    page.get_by_label("Số người", exact=True).fill("3")
    page.get_by_role("button", name="Lưu trên máy").click()
    page.wait_for_url(f"**/households/{household}")
    for _ in range(60):
        if live_server.sql("SELECT people_count FROM household WHERE id = ?", household):
            break
        page.wait_for_timeout(500)
    assert live_server.sql("SELECT people_count FROM household WHERE id = ?", household) == [(3,)]
    wait_synced(page)
    page.goto(f"{live_server.url}/app#/fix")
    page.get_by_text("Không có gì cần sửa.").wait_for()
