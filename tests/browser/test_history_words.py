"""A coordinator reads a household's history in words a person recognises (issue 12, item 4).

The member made the household offline and corrected it before the first sync: the phone sends
two creates in one push. The history shows one "đã tạo" with the values entered (no line for an
empty field), the village's name, and the member's name and phone instead of a phone id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page

from tests.browser.support import LiveServer, Phones, _cli
from tests.data import mutation

LAN = "0987000077"
SAMSUNG_CHROME = (
    "Mozilla/5.0 (Linux; Android 13; SM-A155F Build/TP1A.220624.014) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.6099.230 Mobile Safari/537.36"
)


def _form(village: str, head: str, people: int) -> dict[str, object]:
    """What the member app's form sends for a new household: every field, empty ones too."""
    return {
        "village_code": village,
        "head_name": head,
        "address": "Xóm 4",
        "phone": "",
        "people_count": people,
        "adult_count": None,
        "notes": "",
        "consent": {
            "given_by": head,
            "purposes": ["support_records"],
            "given_at": "2026-11-23T08:00:00+07:00",
        },
        "indicators": {"vneid": "level2", "smartphone_count": None, "skill_cyber_safety": None},
    }


def test_history_of_a_household_made_offline_reads_as_a_person_would_say_it(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    _cli(
        live_server.env, "user", "add", "--phone", LAN, "--name", "Chị Lan Lịch Sử", "--role",
        "member", "--area", live_server.village_code, "--password-stdin",
        stdin=f"{live_server.password}\n",
    )  # fmt: skip
    household = uuid.uuid4()
    village = live_server.village_code
    response = live_server.api(
        "POST",
        "/api/v1/sync/push",
        phone=LAN,
        headers={"User-Agent": SAMSUNG_CHROME},
        json={
            "device_id": "lan-history-phone",
            "mutations": [
                mutation(household, _form(village, "Hộ Lịch Sử", 4)),
                mutation(household, _form(village, "Hộ Lịch Sử", 5)),  # corrected, still offline
            ],
        },
    )
    assert response.status_code == 200, response.text

    page = Phones.page(browser_context_factory.open("history-words"))
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Số điện thoại di động").fill(live_server.coordinator)
    page.get_by_label("Mật khẩu").fill(live_server.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/review/households/{household}")
    entries = page.locator("ol.history > li")
    entries.first.wait_for()
    screenshots(page, "household-history-after")

    text = page.locator("ol.history").inner_text()
    assert text.count("đã tạo") == 1, text
    assert "(trống)" not in text, text
    assert "Thôn: Thôn Thử Nghiệm" in text, text
    assert village not in text
    assert "lan-hist" not in text and "Chị Lan Lịch Sử" in text
    assert "SM-A155F · Chrome 120" in text, text
    assert "Số người trong hộ: 4 → 5" in text, text
    assert "VNeID" in text and "level2" not in text  # the choice's label
