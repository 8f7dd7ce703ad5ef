"""A coordinator pages and searches a long list on a phone: htmx swaps the list, not the page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.support import COMMUNE, LiveServer, Phones

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_coordinator_searches_and_pages_the_villages_without_reloading(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    from playwright.sync_api import expect

    tag = uuid.uuid4().hex[:4]
    for n in range(55):
        created = live_server.api(
            "POST",
            "/api/v1/villages",
            phone=live_server.coordinator,
            json={"commune_code": COMMUNE, "name": f"Thôn Phân Trang {tag} {n:02d}"},
        )
        assert created.status_code == 201, created.text
    special = f"Thôn Đặc Biệt {tag}"
    live_server.api(
        "POST",
        "/api/v1/villages",
        phone=live_server.coordinator,
        json={"commune_code": COMMUNE, "name": special},
    )
    page = Phones.page(browser_context_factory.open("coordinator-lists"))
    page.goto(f"{live_server.url}/sign-in")
    page.fill("#phone", live_server.coordinator)
    page.fill("#password", live_server.password)
    page.click("button.primary")
    page.goto(f"{live_server.url}/manage/villages")
    page.evaluate("window.__samePage = true")  # gone if the browser loads a whole new page
    items = page.locator("#villages-list ul.list > li")
    expect(items).to_have_count(50)

    page.get_by_role("searchbox").fill(f"dac biet {tag}")  # typed without diacritics
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text(special)
    expect(page).to_have_url(re.compile(r"[?&]q=dac"))
    screenshots(page, "coordinator-villages-search")

    page.get_by_role("searchbox").fill("")
    expect(items).to_have_count(50)
    page.get_by_role("link", name=re.compile("Trang sau")).first.click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(page.locator("#villages-list")).to_contain_text("Đang xem 51–")
    assert page.evaluate("window.__samePage === true")

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"page=2"))
    expect(page.locator("#villages-list")).to_contain_text("Đang xem 1–50")
