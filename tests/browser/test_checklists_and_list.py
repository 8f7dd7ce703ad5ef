"""Checklist steps raise the household's indicators; the list finds households by search, filter."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from tests.browser.member import add_household, sign_in, wait_synced
from tests.browser.support import LiveServer, Phones

if TYPE_CHECKING:
    from playwright.sync_api import Page

SEARCH = "Tìm theo tên, địa chỉ hoặc số điện thoại"
NO_LEVEL_2 = "Chưa đạt: Tài khoản định danh điện tử VNeID"
NOT_RECORDED = "Chưa ghi đủ thông tin"


def _vneid_shown(page: Page, household_id: str) -> str:
    """The VNeID value on the household's page."""
    page.goto(page.url.split("#")[0] + f"#/households/{household_id}")
    row = page.locator(".indicators li").filter(has_text="Tài khoản định danh điện tử VNeID")
    return row.locator("strong").inner_text()


def _tick(page: Page, step: str) -> None:
    """Tick one step of the open checklist and wait until it is saved."""
    done = page.locator("input[data-item]:checked").count()
    page.locator(f"input[data-item='{step}']").check()
    page.wait_for_function(
        "(n) => document.querySelectorAll('input[data-item]:checked').length === n", arg=done + 1
    )


def _listed(page: Page, words: str, show: str) -> list[str]:
    """Names the household list shows for a search and a filter (by its label)."""
    page.goto(page.url.split("#")[0] + "#/households")
    page.get_by_label(SEARCH).fill(words)
    page.get_by_label("Xem", exact=True).select_option(label=show)
    page.wait_for_function(
        """([words, choice]) => {
            const list = document.querySelector('#households');
            return list && window.langso && document.querySelector('#search').value === words
                && document.querySelector('#filter').selectedOptions[0].text === choice
                && Number(list.dataset.drawn) > 0;
        }""",
        arg=[words, show],
    )
    page.wait_for_timeout(300)  # the search waits 120 ms for the member to stop typing
    return page.locator("#households li strong").all_inner_texts()


def test_a_ticked_step_raises_the_indicator_and_the_list_follows(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("checklist-indicator")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    context.set_offline(True)
    ready, waiting = "Nguyễn Văn Đồi Chè", "Trần Thị Đồi Chè"
    household = add_household(page, ready)  # recorded with VNeID level 1
    add_household(page, waiting)
    assert _vneid_shown(page, household) == "Đã có mức 1"

    page.locator("#start").select_option("vneid_account")
    page.get_by_role("button", name="Bắt đầu").click()
    page.wait_for_url(re.compile(r"/checklists/"))
    _tick(page, "set_passcode")  # the last step of level 2 sets VNeID to level 2
    page.get_by_text("Đã cập nhật mức sẵn sàng số của hộ.").wait_for()
    # The checklist may be helping another adult: their level-1 step never lowers the household's
    # highest level, and neither does unticking a step.
    _tick(page, "register_level1")
    page.locator("input[data-item='set_passcode']").uncheck()
    page.wait_for_function(
        "() => document.querySelectorAll('input[data-item]:checked').length === 1"
    )
    assert _vneid_shown(page, household) == "Đã kích hoạt mức 2"

    assert sorted(_listed(page, "doi che", "Tất cả các hộ")) == sorted([ready, waiting])
    assert _listed(page, "NGUYEN van doi", "Tất cả các hộ") == [ready]
    assert _listed(page, "doi che", NO_LEVEL_2) == [waiting]
    assert sorted(_listed(page, "đồi chè", NOT_RECORDED)) == sorted([ready, waiting])

    context.set_offline(False)
    wait_synced(page)
    [(indicators,)] = live_server.sql("SELECT indicators FROM household WHERE id = ?", household)
    values = json.loads(indicators) if isinstance(indicators, str) else indicators
    assert values["vneid"] == "level2"
