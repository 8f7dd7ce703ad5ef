"""A coordinator receives a personal data request on the phone, sees its clock, answers it; an
overdue request waits on the home page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.support import COMMUNE, LiveServer, Phones

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_coordinator_receives_answers_and_sees_overdue_requests(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    from playwright.sync_api import expect

    tag = uuid.uuid4().hex[:4]
    late = live_server.api(
        "POST",
        "/api/v1/data-requests",
        phone=live_server.coordinator,
        json={
            "kind": "erasure",
            "requester": f"Bà Quá Hạn {tag}",
            "channel": "writing",
            "received_on": (date.today() - timedelta(days=40)).isoformat(),
            "area_code": COMMUNE,
        },
    )
    assert late.status_code == 201, late.text
    page = Phones.page(browser_context_factory.open("coordinator-requests"))
    page.goto(f"{live_server.url}/sign-in")
    page.fill("#phone", live_server.coordinator)
    page.fill("#password", live_server.password)
    page.click("button.primary")

    attention = page.locator("section[aria-labelledby=attention]")
    expect(attention).to_contain_text(f"Bà Quá Hạn {tag}")
    expect(attention).to_contain_text("Quá hạn")
    screenshots(page, "coordinator-home-overdue-request")

    page.get_by_role("link", name="Yêu cầu về dữ liệu cá nhân", exact=True).click()
    page.select_option("#kind", "access")
    page.fill("#requester", f"Ông Hỏi Xem {tag}")
    page.select_option("#channel", "in_person")
    page.get_by_role("button", name="Ghi yêu cầu").click()

    expect(page).to_have_url(re.compile(r"/manage/requests/[0-9a-f-]+\?done=1"))
    expect(page.locator("h1")).to_have_text("Xem dữ liệu hoặc xin bản sao")
    expect(page.locator("[data-state]").first).to_contain_text("Trả lời trước ngày")
    screenshots(page, "coordinator-data-request")
    page.get_by_role("button", name="Đã trả lời người yêu cầu").click()
    expect(page.locator("[data-state]").first).to_contain_text("Làm xong trước ngày")

    page.goto(f"{live_server.url}/manage/requests")
    page.select_option("#status", "overdue")
    page.locator("form.search button[type=submit]").click()
    expect(page.locator("#request-list")).to_contain_text(f"Bà Quá Hạn {tag}")
    expect(page.locator("#request-list")).not_to_contain_text(f"Ông Hỏi Xem {tag}")
    screenshots(page, "coordinator-requests-register")
