"""Work a coordinator assigns shows on the member's phone, offline too, and goes when withdrawn."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.member import open_screen, sign_in, sync_now, wait_synced
from tests.browser.support import LiveServer, Phones
from tests.data import household_data, mutation

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
    [pushed] = live_server.push(
        live_server.second_member,
        "assign-setup",
        [mutation(household, household_data(live_server.village_code, head_name=name))],
    )
    assert pushed["status"] == "applied", pushed
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


def test_the_member_marks_work_done_offline_and_the_coordinator_sees_it(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    from playwright.sync_api import expect

    me = live_server.api("GET", "/api/v1/me", phone=live_server.member).json()
    due = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    made = live_server.api(
        "POST",
        "/api/v1/assignments",
        phone=live_server.coordinator,
        json={"member_id": me["id"], "template_key": "scam_safety", "due_date": due},
    )
    assert made.status_code == 201, made.text
    record = made.json()["id"]
    later = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
    other = live_server.api(
        "POST",
        "/api/v1/assignments",
        phone=live_server.coordinator,
        json={"member_id": me["id"], "template_key": "vneid_account", "due_date": later},
    ).json()["id"]

    context = browser_context_factory.open("member-assignment-done")
    page = Phones.page(context)
    sign_in(page, live_server, live_server.member)
    open_screen(page, "#/assignments")
    item = page.locator(f'ul.assignments li[data-id="{record}"]')
    mark = item.get_by_role("button", name="Đánh dấu đã xong")
    box = mark.bounding_box()
    assert box is not None and box["height"] >= 48

    context.set_offline(True)
    mark.click()
    expect(item.get_by_role("button", name="Chưa xong")).to_be_visible()
    expect(item).to_contain_text("Đã làm")
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    page.reload()  # kept on the phone, offline
    open_screen(page, "#/assignments")
    expect(item.get_by_role("button", name="Chưa xong")).to_be_visible()
    # Done work goes below the open ones, although it is due sooner.
    expect(page.locator("ul.assignments li")).to_have_count(2)
    expect(page.locator("ul.assignments li").first).to_have_attribute("data-id", other)
    expect(page.locator("ul.assignments li").last).to_have_attribute("data-id", record)
    screenshots(page, "member-assignment-done")

    context.set_offline(False)
    sync_now(page)
    wait_synced(page)
    listed = live_server.api("GET", "/api/v1/assignments", phone=live_server.coordinator).json()
    [row] = [a for a in listed["assignments"] if a["id"] == record]
    assert row["status"] == "done" and row["done_at"]

    coordinator = Phones.page(browser_context_factory.open("coordinator-assignments"))
    coordinator.goto(f"{live_server.url}/sign-in")
    coordinator.fill("#phone", live_server.coordinator)
    coordinator.fill("#password", live_server.password)
    coordinator.click("button.primary")
    coordinator.goto(f"{live_server.url}/manage/assignments")
    done = coordinator.locator(f'li[data-id="{record}"]')
    expect(done).to_have_attribute("data-status", "done")
    expect(done).to_contain_text("Đã báo xong trên điện thoại lúc")

    # "Not done yet" reopens it, through the same queue.
    item.get_by_role("button", name="Chưa xong").click()
    sync_now(page)
    wait_synced(page)
    coordinator.reload()
    expect(done).to_have_attribute("data-status", "open")
    live_server.api("DELETE", f"/api/v1/assignments/{other}", phone=live_server.coordinator)
