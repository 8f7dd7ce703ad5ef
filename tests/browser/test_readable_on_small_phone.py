"""Older eyes and thumbs on a 360 × 640 phone: text a member must read is 16 px or more, the
search hint fits, the readiness bar says what it shows, and "saved" covers no button (issue 12,
item 9)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.member import add_household, open_screen, sign_in
from tests.browser.support import SCREENSHOTS, LiveServer, Phones

if TYPE_CHECKING:
    from playwright.sync_api import Page

MIN_PX = 16.0


def _font_px(page: Page, selector: str) -> list[float]:
    sizes: list[float] = page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector))
            .map((e) => parseFloat(getComputedStyle(e).fontSize))""",
        selector,
    )
    assert sizes, f"nothing matches {selector}"
    return sizes


def test_what_a_member_reads_is_large_enough_and_the_toast_covers_no_button(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    page = Phones.page(browser_context_factory.open("older-eyes"))
    assert page.viewport_size == {"width": 360, "height": 640}
    sign_in(page, live_server, live_server.member)

    # "Saved on this phone" shows where it hides no button, link or field, nor the tabs.
    add_household(page, "Hộ Chữ To")
    toast = page.locator("#toast.show")
    toast.wait_for()
    assert toast.inner_text().strip() == "Đã lưu trên máy."
    covered = page.evaluate(
        """() => {
            const box = document.querySelector("#toast").getBoundingClientRect();
            const hit = (r) => r.width && r.height && r.left < box.right && box.left < r.right
                && r.top < box.bottom && box.top < r.bottom;
            return Array.from(document.querySelectorAll(
                "#view a, #view button, #view input, #view select, #tabs a"))
                .filter((e) => hit(e.getBoundingClientRect()))
                .map((e) => e.outerHTML.slice(0, 80));
        }"""
    )
    assert covered == []
    assert min(_font_px(page, "#toast")) >= MIN_PX
    # `screenshots` hides a passing toast; this picture is of the toast itself.
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "25-saved-toast-over-the-header.png", animations="disabled")

    # The sync status in the header.
    assert min(_font_px(page, ".sync-text")) >= MIN_PX

    # The household list: the search hint fits, the readiness bar has words beside it.
    open_screen(page, "#/households")
    fits = page.evaluate(
        """() => {
            const input = document.querySelector("#search");
            const style = getComputedStyle(input);
            const ctx = document.createElement("canvas").getContext("2d");
            ctx.font = `${style.fontSize} ${style.fontFamily}`;
            const room = input.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight);
            return { text: ctx.measureText(input.placeholder).width, room };
        }"""
    )
    assert fits["text"] <= fits["room"], fits
    row = page.locator("#households li").filter(has_text="Hộ Chữ To")
    label = row.locator(".meter-label")
    assert label.is_visible()
    assert label.inner_text().startswith("Đạt ") and "chỉ số" in label.inner_text()
    assert min(_font_px(page, "#households .meter-label, #households .muted")) >= MIN_PX
    screenshots(page, "26-household-list-readable")

    # Lesson tags ("Chưa bắt đầu", "Xong: … điểm").
    open_screen(page, "#/lessons")
    assert min(_font_px(page, ".list .tag")) >= MIN_PX
    screenshots(page, "27-lesson-tags-readable")
