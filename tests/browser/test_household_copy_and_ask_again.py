"""The household's short copy on the phone (offline), and households whose consent to ask again."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from tests.browser.member import add_household, open_screen, sign_in
from tests.browser.support import LiveServer, Phones

if TYPE_CHECKING:
    from playwright.sync_api import Page

ASK_AGAIN = "Cần hỏi lại sự đồng ý"


def test_the_member_shows_the_household_its_copy_offline_and_sees_whom_to_ask_again(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    phones = browser_context_factory
    context = phones.open("household-copy")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    context.set_offline(True)
    name = "Lê Thị Bản Sao"
    household = add_household(page, name, phone="0987 654 321")

    page.get_by_role("link", name="Cho hộ xem thông tin đang lưu").click()
    page.wait_for_url(re.compile(rf"#/households/{household}/copy$"))
    copy = page.locator("[data-copy]")
    copy.get_by_role("heading", name="Thông tin tổ đang lưu về hộ này").wait_for()
    text = copy.inner_text()
    assert name in text and "Xóm 3" in text and "0987" in text
    assert "Đã có mức 1" in text  # the indicator's choice, as its label
    agreed = copy.locator("[data-purpose=support_records]").inner_text()
    assert "Đồng ý" in agreed and "nội dung bản 2026-01-01" in agreed
    assert "Không đồng ý" in copy.locator("[data-purpose=contact_phone]").inner_text()
    # Readable on a 360 px phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshots(page, "household-copy-phone")
    assert page.locator("[data-ask-again]").count() == 0

    # The phone's next schema brings a new version of the required purpose's texts.
    page.evaluate(
        """() => {
            const purposes = window.langso.app.store.schema.consent_purposes;
            purposes.find((p) => p.required).version = "2099-01-01";
        }"""
    )
    open_screen(page, "#/households")
    page.get_by_label("Xem", exact=True).select_option(label=ASK_AGAIN)
    listed = page.locator("#households li").filter(has_text=name)
    listed.locator("[data-ask-again]").wait_for()
    assert listed.locator("[data-ask-again]").inner_text() == "cần hỏi lại đồng ý"
    open_screen(page, f"#/households/{household}")
    page.locator("[data-ask-again]").click()
    page.wait_for_url(re.compile(rf"#/households/{household}/edit$"))
    page.locator("[data-ask-again]").wait_for()
    # Asked again from blank ticks: nothing is carried over from the old texts.
    assert page.locator("input[name=purpose]:checked").count() == 0
    page.get_by_label(re.compile("Lưu thông tin của hộ")).check()
    page.get_by_role("button", name="Lưu trên máy").click()
    page.wait_for_url(re.compile(rf"#/households/{household}$"))
    expect(page.locator("[data-ask-again]")).to_have_count(0)  # once the screen is redrawn
    open_screen(page, f"#/households/{household}/copy")
    assert "nội dung bản 2099-01-01" in page.locator("[data-purpose=support_records]").inner_text()
