"""A coordinator restricts a household and prints its copy; the member's phone shows it
restricted."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.member import open_screen, sign_in, wait_synced
from tests.browser.support import LiveServer, Phones
from tests.data import household_data, mutation

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_restricted_household_reaches_the_phone_and_its_copy_prints_on_a4(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    from playwright.sync_api import expect

    record = uuid.uuid4()
    name = f"Hộ Hạn Chế {record.hex[:6]}"
    data = household_data(live_server.village_code, head_name=name)
    live_server.push(live_server.member, "restrict-a", [mutation(record, data)])

    page = Phones.page(browser_context_factory.open("coordinator-restrict"))
    page.goto(f"{live_server.url}/sign-in")
    page.fill("#phone", live_server.coordinator)
    page.fill("#password", live_server.password)
    page.click("button.primary")
    page.goto(f"{live_server.url}/review/households/{record}/edit")
    page.get_by_text("Hạn chế dùng thông tin của hộ này").click()
    page.get_by_label("Lý do (ví dụ: hộ đề nghị bằng văn bản ngày 3 tháng 3)").fill(
        "Hộ đề nghị tạm ngừng"
    )
    page.get_by_role("button", name="Hạn chế", exact=True).click()
    expect(page.locator("[data-restricted]")).to_contain_text("Hộ đề nghị tạm ngừng")

    page.goto(f"{live_server.url}/review/households/{record}/copy")
    expect(
        page.get_by_role("heading", name="Mọi thông tin Làng Số đang lưu về hộ này")
    ).to_be_visible()
    expect(page.locator("[data-section=household]")).to_contain_text("Hộ đề nghị tạm ngừng")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshots(page, "household-copy-coordinator")
    page.emulate_media(media="print")
    assert page.locator("header.bar").is_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")

    phone = browser_context_factory.open("restricted-member")
    member = Phones.page(phone)
    sign_in(member, live_server, live_server.member)
    wait_synced(member)
    open_screen(member, "#/households")
    listed = member.locator("#households li").filter(has_text=name)
    expect(listed.locator("[data-restricted]")).to_have_text("đang hạn chế")
    open_screen(member, f"#/households/{record}")
    expect(member.locator("[data-restricted]")).to_contain_text("Cán bộ điều phối đã hạn chế")
