"""A conflict note on the phone in plain words: the field's label, the values as entered, and
whose change was kept — the member's own other phone or a colleague by name (issue 12, item 4)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.member import add_household, open_screen, sign_in, sync_now, wait_synced
from tests.browser.support import LiveServer, Phones
from tests.data import mutation

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_conflict_note_names_the_field_the_values_and_whose_change_was_kept(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    from playwright.sync_api import expect

    context = browser_context_factory.open("conflict-words")
    page = Phones.page(context)
    sign_in(page, live_server, live_server.member)
    household = add_household(page, "Hộ Sửa Hai Nơi")
    wait_synced(page)
    version = page.evaluate(
        "async (id) => (await window.langso.app.store.get('household', id)).version", household
    )

    # Offline, the member changes the address, the number of people and VNeID level.
    context.set_offline(True)
    open_screen(page, f"#/households/{household}/edit")
    page.get_by_label("Địa chỉ", exact=True).fill("Xóm 4, gần chợ")
    page.get_by_label("Số người", exact=True).fill("5")
    page.locator("input[name=ind-vneid][value=level2]").check()
    page.get_by_role("button", name="Lưu trên máy").click()
    page.wait_for_url(re.compile(rf"#/households/{household}$"))

    # Meanwhile: the same member's other phone changed the address, a colleague the rest.
    [mine] = live_server.push(
        live_server.member,
        "members-other-phone",
        [mutation(household, {"address": "Xóm 3, cạnh đình"}, "update", version)],
    )
    data = {"people_count": 6, "indicators": {"vneid": "none"}}
    [theirs] = live_server.push(
        live_server.second_member,
        "colleagues-phone",
        [mutation(household, data, "update", version)],
    )
    assert mine["status"] == "applied" and theirs["status"] == "merged", (mine, theirs)

    context.set_offline(False)
    sync_now(page)
    wait_synced(page)
    open_screen(page, "#/fix")
    note = page.locator(".card.note").filter(has_text="Hộ Sửa Hai Nơi")
    expect(note).to_contain_text(
        "Địa chỉ: đã giữ “Xóm 3, cạnh đình” (từ điện thoại khác của bạn); "
        "bạn nhập “Xóm 4, gần chợ”."
    )
    expect(note).to_contain_text("Số người trong hộ: đã giữ “6” (từ Người Thử Hai); bạn nhập “5”.")
    expect(note).to_contain_text(
        "Tài khoản định danh điện tử VNeID: đã giữ “Chưa có tài khoản” (từ Người Thử Hai); "
        "bạn nhập “Đã kích hoạt mức 2”."
    )
    text = note.inner_text()
    for code_word in ("address", "people_count", "indicators.", '"'):
        assert code_word not in text, text
    screenshots(page, "28-conflict-in-plain-words")
