"""Work a coordinator assigns shows on the member's phone, offline too, and goes when withdrawn."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.member import sign_in, sync_now, wait_synced
from tests.browser.support import LiveServer, Phones
from tests.conftest import household_data, mutation

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_an_assignment_reaches_the_members_phone(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    from playwright.sync_api import expect

    household = uuid.uuid4()
    name = f"Hộ Được Giao {household.hex[:6]}"
    pushed = live_server.api(
        "POST",
        "/api/v1/sync/push",
        phone=live_server.second_member,
        json={
            "device_id": "assign-setup",
            "mutations": [
                mutation(household, household_data(live_server.village_code, head_name=name))
            ],
        },
    )
    assert pushed.json()["results"][0]["status"] == "applied", pushed.text
    me = live_server.api("GET", "/api/v1/me", phone=live_server.member).json()
    due = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    made = live_server.api(
        "POST",
        "/api/v1/assignments",
        phone=live_server.coordinator,
        json={
            "member_id": me["id"],
            "household_id": str(household),
            "template_key": "vneid_account",
            "due_date": due,
            "note": "Hẹn bác chiều thứ Bảy",
        },
    )
    assert made.status_code == 201, made.text

    context = browser_context_factory.open("member-assignments")
    page = Phones.page(context)
    sign_in(page, live_server, live_server.member)
    page.get_by_role("link", name="Việc được giao (1)").click()
    item = page.locator("ul.assignments li").first
    expect(item).to_contain_text(name)
    expect(item).to_contain_text("Tài khoản định danh điện tử VNeID")
    expect(item).to_contain_text("Hẹn bác chiều thứ Bảy")
    screenshots(page, "member-assignments")

    context.set_offline(True)
    page.reload()
    expect(page.locator("ul.assignments li")).to_have_count(1)
    page.locator("ul.assignments li a").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    context.set_offline(False)

    withdrawn = live_server.api(
        "DELETE", f"/api/v1/assignments/{made.json()['id']}", phone=live_server.coordinator
    )
    assert withdrawn.status_code == 204
    page.goto(page.url.split("#")[0] + "#/assignments")
    sync_now(page)
    wait_synced(page)
    # The app redraws what a sync brought 3 s after the member's last tap (the sync button).
    expect(page.locator("ul.assignments li")).to_have_count(0, timeout=15_000)
    expect(page.get_by_text("Hiện chưa có việc nào được giao cho bạn.")).to_be_visible()
