"""A coordinator on a small phone resolves a conflict two members made, then reads the history."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.support import LiveServer, Phones
from tests.data import household_data, mutation

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_coordinator_accepts_the_value_that_lost(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    from playwright.sync_api import expect

    record = uuid.uuid4()
    name = f"Hộ Xem Lại {record.hex[:6]}"
    data = household_data(live_server.village_code, head_name=name)
    [created] = live_server.push(live_server.member, "review-a", [mutation(record, data)])
    base = created["version"]
    live_server.push(
        live_server.member, "review-a", [mutation(record, {"people_count": 5}, "update", base)]
    )
    [lost] = live_server.push(
        live_server.second_member,
        "review-b",
        [mutation(record, {"people_count": 6}, "update", base)],
    )
    assert lost["status"] == "conflict"

    page = Phones.page(browser_context_factory.open("coordinator"))
    page.goto(f"{live_server.url}/sign-in")
    page.fill("#phone", live_server.coordinator)
    page.fill("#password", live_server.password)
    page.click("button.primary")
    page.get_by_role("link", name="Chỗ bị sửa trùng cần xem lại").click()
    card = page.locator("li", has=page.get_by_role("link", name=name))
    expect(card.locator(".value-kept")).to_have_text("5")
    expect(card.locator(".value-lost")).to_have_text("6")
    expect(card).to_contain_text("Người Thử Hai")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshots(page, "coordinator-conflict")

    card.get_by_role("button", name="Dùng giá trị kia").click()

    # htmx swaps the card in place; without JavaScript the form posts and the page reloads.
    expect(card.get_by_role("status")).to_have_text("Đã xử lý: đã lưu giá trị kia.")
    # The old value is no longer called the one kept; the value now kept is.
    expect(card.locator(".value-kept").locator("xpath=..")).to_contain_text("Đã thay")
    expect(card.locator(".value-kept").locator("xpath=..")).not_to_contain_text("Đang giữ")
    expect(card.locator(".value-lost").locator("xpath=..")).to_contain_text("Đang giữ")
    page.reload()
    expect(page.get_by_role("link", name=name)).to_have_count(0)
    # Every page: other tests' households (an import of 197) share the member's village.
    changes, cursor, more = [], "", True
    while more:
        query = {"limit": 500, "cursor": cursor}
        pulled = live_server.api(
            "GET", "/api/v1/sync/pull", phone=live_server.member, params=query
        ).json()
        changes += pulled["changes"]
        cursor, more = pulled["cursor"], pulled["more"]
    [change] = [c for c in changes if c["record_id"] == str(record)]
    assert change["data"]["people_count"] == 6

    page.goto(f"{live_server.url}/review/households/{record}")
    expect(page.locator("ol.history > li").last).to_contain_text("Trên trang web")
    expect(page.locator("ol.history > li").last).to_contain_text("Số người trong hộ: 5 → 6")
    screenshots(page, "coordinator-history")
