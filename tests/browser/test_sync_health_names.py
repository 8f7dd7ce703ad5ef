"""A coordinator recognises each team phone on the sync health list (issue 12, item 6).

A member who cleared the app's data twice has three phone ids; the list shows one row for her
phone, named by her name, the phone's model and browser, and when it was first seen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page

from tests.browser.support import LiveServer, Phones, _cli
from tests.data import household_data, mutation

HOA = "0987000066"
SAMSUNG_CHROME = (
    "Mozilla/5.0 (Linux; Android 13; SM-A155F Build/TP1A.220624.014) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.6099.230 Mobile Safari/537.36"
)


def test_one_row_per_phone_named_by_member_model_and_browser(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    _cli(
        live_server.env, "user", "add", "--phone", HOA, "--name", "Chị Hoa Thử", "--role",
        "member", "--area", live_server.village_code, "--password-stdin",
        stdin=f"{live_server.password}\n",
    )  # fmt: skip
    for device in ("hoa-phone-1", "hoa-phone-2", "hoa-phone-3"):  # the app's data cleared twice
        response = live_server.api(
            "POST",
            "/api/v1/sync/push",
            phone=HOA,
            headers={"User-Agent": SAMSUNG_CHROME},
            json={
                "device_id": device,
                "mutations": [mutation(uuid.uuid4(), household_data(live_server.village_code))],
            },
        )
        assert response.status_code == 200, response.text

    page = Phones.page(browser_context_factory.open("sync-health"))
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Số điện thoại di động").fill(live_server.coordinator)
    page.get_by_label("Mật khẩu").fill(live_server.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/coverage/{live_server.village_code}/activity")
    rows = page.locator("#devices tbody tr").filter(has_text="Chị Hoa Thử")
    rows.first.wait_for()
    page.evaluate("document.querySelector('#devices-h').scrollIntoView()")
    screenshots(page, "sync-health-after")

    assert rows.count() == 1
    text = rows.inner_text()
    assert "SM-A155F" in text and "Chrome 120" in text, text
    assert "Dùng từ" in text, text
    assert "hoa-phon" not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
