"""One phone, several members, older eyes: signing out safely, sharing, text size, touch targets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.member import (
    add_household,
    pending,
    sign_in,
    sync_now,
    tick_first_steps,
    wait_synced,
)
from tests.browser.support import LiveServer, Phones

if TYPE_CHECKING:
    from playwright.sync_api import Dialog, Page

SIGN_OUT_WARNING = (
    "Còn {n} thay đổi chưa gửi. Các thay đổi này vẫn lưu trên máy và sẽ được gửi khi bạn "
    "đăng nhập lại. Bạn có muốn đăng xuất không?"
)
NOT_ON_THIS_PHONE = "Hộ này chưa có trên máy. Hãy đồng bộ rồi thử lại."
SEARCH = "Tìm theo tên, địa chỉ hoặc số điện thoại"
MIN_TARGET_PX = 48


def _open(page: Page, server: LiveServer, hash_path: str) -> None:
    page.goto(f"{server.url}/app{hash_path}")


def _on_server(server: LiveServer, name: str) -> int:
    [(count,)] = server.sql("SELECT COUNT(*) FROM household WHERE head_name = ?", name)
    return int(count)


def _answer_next_dialog(page: Page, seen: list[str], *, accept: bool) -> None:
    def handle(dialog: Dialog) -> None:
        seen.append(f"{dialog.type}: {dialog.message}")
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", handle)


def _sign_out(page: Page, server: LiveServer, *, warned_about: int | None = None) -> None:
    """Settings → Sign out, accepting the warning (which must name `warned_about` changes)."""
    _open(page, server, "#/settings")
    dialogs: list[str] = []
    if warned_about is not None:
        _answer_next_dialog(page, dialogs, accept=True)
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_label("Số điện thoại di động").wait_for()
    expected = (
        [] if warned_about is None else [f"confirm: {SIGN_OUT_WARNING.format(n=warned_about)}"]
    )
    assert dialogs == expected


def _search_households(page: Page, words: str) -> str:
    """Search the open households list; returns the count line ("N hộ")."""
    page.get_by_label(SEARCH).wait_for()
    drawn = page.locator("#households").get_attribute("data-drawn") or "0"
    page.get_by_label(SEARCH).fill(words)
    page.wait_for_function(
        "(n) => Number(document.querySelector('#households').dataset.drawn) > n",
        arg=int(drawn),
    )
    return page.locator("#count").inner_text()


def test_signing_out_with_unsent_changes_warns_and_keeps_them(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("sign-out")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    context.set_offline(True)
    name = "Hộ Chưa Gửi Lúc Đăng Xuất"
    household = add_household(page, name)
    assert pending(page) == 1

    _open(page, live_server, "#/settings")
    dialogs: list[str] = []
    _answer_next_dialog(page, dialogs, accept=False)
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_timeout(500)
    assert dialogs == [f"confirm: {SIGN_OUT_WARNING.format(n=1)}"]
    page.get_by_text("Đang đăng nhập: Người Thử Một").wait_for()
    page.reload()
    page.get_by_text("Đang đăng nhập: Người Thử Một").wait_for()
    assert page.get_by_label("Số điện thoại di động").count() == 0
    assert pending(page) == 1

    _sign_out(page, live_server, warned_about=1)  # still without signal
    assert page.get_by_role("heading", name="Đăng nhập").is_visible()
    assert _on_server(live_server, name) == 0

    context.set_offline(False)
    page.wait_for_timeout(1000)  # nobody is signed in: nothing may be sent now
    assert _on_server(live_server, name) == 0
    sign_in(page, live_server, live_server.member)
    assert _on_server(live_server, name) == 1
    sync_now(page)
    wait_synced(page)
    [(found_id, head_name)] = live_server.sql(
        "SELECT id, head_name FROM household WHERE head_name = ?", name
    )
    assert (str(found_id), head_name) == (household, name)
    _open(page, live_server, f"#/households/{household}")
    page.get_by_role("heading", name=name).wait_for()


def test_a_second_member_on_the_same_phone_never_sees_the_first_ones_work(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("shared-phone")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    context.set_offline(True)
    name = "Hộ Riêng Của Người Một"
    household = add_household(page, name)
    _sign_out(page, live_server, warned_about=1)
    context.set_offline(False)

    sign_in(page, live_server, live_server.second_member)
    page.get_by_role("heading", name="Xin chào, Người Thử Hai").wait_for()
    assert _on_server(live_server, name) == 0
    [(in_village,)] = live_server.sql(
        "SELECT COUNT(*) FROM household WHERE village_code = ? AND deleted = ?",
        live_server.village_code,
        False,
    )
    page.get_by_role("link", name=f"Hộ gia đình ({in_village})").wait_for()
    _open(page, live_server, "#/households")
    assert _search_households(page, "Riêng Của Người Một") == "0 hộ"
    assert page.locator("#households li").count() == 0
    assert _search_households(page, "") == f"{in_village} hộ"
    assert page.get_by_role("link", name=name).count() == 0
    for path in (f"#/households/{household}", f"#/households/{household}/edit"):
        _open(page, live_server, path)
        page.get_by_text(NOT_ON_THIS_PHONE).wait_for()
    assert pending(page) == 0
    _sign_out(page, live_server)
    assert _on_server(live_server, name) == 0

    sign_in(page, live_server, live_server.member)
    assert _on_server(live_server, name) == 1
    _open(page, live_server, "#/households")
    assert _search_households(page, "Riêng Của Người Một") == "1 hộ"
    page.get_by_role("link", name=name).wait_for()


def _root_font_px(page: Page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)"))


def _font_px(page: Page, selector: str) -> float:
    return float(
        page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )


def _turn_on_larger_text(page: Page, server: LiveServer) -> None:
    _open(page, server, "#/settings")
    box = page.get_by_label("Chữ to hơn")
    assert not box.is_checked()
    box.check()
    page.wait_for_function("document.documentElement.classList.contains('large-text')")


def test_larger_text_survives_an_offline_reload(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("larger-text")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    _open(page, live_server, "#/settings")
    normal = _root_font_px(page)
    _turn_on_larger_text(page, live_server)
    assert _root_font_px(page) >= normal * 1.2

    context.set_offline(True)
    page.reload()
    page.get_by_label("Chữ to hơn").wait_for()
    assert page.get_by_label("Chữ to hơn").is_checked()
    assert _root_font_px(page) >= normal * 1.2
    context.close()
    context = phones.open("larger-text", offline=True)
    page = phones.page(context)
    _open(page, live_server, "#/")
    page.get_by_role("heading", name="Xin chào, Người Thử Một").wait_for()
    assert _root_font_px(page) >= normal * 1.2


def test_larger_text_makes_the_reading_text_bigger(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    page = phones.page(phones.open("larger-text-body"))
    sign_in(page, live_server, live_server.member)
    _open(page, live_server, "#/households/new")
    page.locator("form.household-form").wait_for()
    targets = ("form.household-form p", "label[for=given_by]", "#given_by", "label.check span")
    before = {selector: _font_px(page, selector) for selector in targets}
    _turn_on_larger_text(page, live_server)
    _open(page, live_server, "#/households/new")
    page.locator("form.household-form").wait_for()
    after = {selector: _font_px(page, selector) for selector in targets}
    unchanged = {
        s: f"{before[s]:g}px → {after[s]:g}px" for s in targets if after[s] < before[s] * 1.2
    }
    assert not unchanged, f"larger text did not grow: {unchanged}"


# Controls a finger must hit: buttons, links, fields. A checkbox or radio may be small when its
# label is the target. Links inside a lesson's text are words in a sentence, not targets.
# (The scan covers the whole page, scrolled or not.)
_SMALL_TARGETS = """(min) => {
    const controls = document.querySelectorAll(
        "button, a[href], input:not([type=hidden]), select, textarea");
    const out = [];
    for (const el of controls) {
        if (!el.checkVisibility({visibilityProperty: true}) || el.closest(".lesson-text")) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        const label = el.closest("label");
        if (["checkbox", "radio"].includes(el.type) && label
            && label.getBoundingClientRect().height >= min) continue;
        if (box.height >= min) continue;
        const name = (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "")
            .trim().replace(/\\s+/g, " ").slice(0, 40);
        const cls = el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : "";
        out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${cls} "${name}" `
            + `${Math.round(box.height)}px`);
    }
    return out;
}"""


def test_every_touch_target_is_at_least_48_px(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    """Every main screen at 360 × 640; each one's screenshot is saved on the way."""
    phones = browser_context_factory
    page = phones.page(phones.open("touch-targets"))
    offenders: dict[str, list[str]] = {}

    def measure(screen: str) -> None:
        assert page.viewport_size == {"width": 360, "height": 640}
        small = page.evaluate(_SMALL_TARGETS, MIN_TARGET_PX)
        if small:
            offenders[screen] = small
        screenshots(page, f"screen-{screen}")

    _open(page, live_server, "#/")
    page.get_by_label("Số điện thoại di động").wait_for()
    measure("sign-in")
    sign_in(page, live_server, live_server.member)
    household = add_household(page, "Hộ Để Đo Nút Bấm")
    tick_first_steps(page, household, steps=1)
    checklist = page.url.split("#", 1)[1]
    wait_synced(page)
    screens = {
        "home": ("#/", "a[href='#/households/new']"),
        "households": ("#/households", "#households li"),
        "household": (f"#/households/{household}", "#start"),
        "household-form": ("#/households/new", "form.household-form"),
        "checklist": (f"#{checklist}", "input[data-item]"),
        "lessons": ("#/lessons", ".list a"),
        "lesson": ("#/lessons/" + _first_lesson_slug(page), "form.quiz"),
        "needs-attention": ("#/fix", "h1"),
        "settings": ("#/settings", "#sign-out"),
    }
    for screen, (path, ready) in screens.items():
        _open(page, live_server, path)
        page.locator(ready).first.wait_for()
        page.wait_for_timeout(100)  # let the screen settle before it is measured
        measure(screen)
    assert not offenders, f"touch targets under {MIN_TARGET_PX} px: {offenders}"


def _first_lesson_slug(page: Page) -> str:
    return str(
        page.evaluate(
            """async () => (await window.langso.app.store.all("lesson"))
                .sort((a, b) => a.data.order - b.data.order)[0].data.slug"""
        )
    )


def test_the_english_switch_survives_offline_and_switches_back(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("english")
    page = phones.page(context)
    _open(page, live_server, "#/")  # the switch is on the sign-in screen too
    with page.expect_event("load"):
        page.get_by_role("button", name="English").click()
    page.get_by_label("Mobile number").wait_for()
    with page.expect_event("load"):
        page.get_by_role("button", name="Tiếng Việt").click()
    sign_in(page, live_server, live_server.member)
    _open(page, live_server, "#/settings")
    with page.expect_event("load"):
        page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Settings").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"

    context.set_offline(True)
    _open(page, live_server, "#/")
    page.reload()
    page.get_by_role("heading", name="Hello, Người Thử Một").wait_for()
    assert page.locator("#tabs").inner_text().split() == ["Households", "Lessons", "Settings"]
    page.get_by_role("link", name="Add a household").click()
    page.get_by_role("heading", name="Add a household").wait_for()
    page.get_by_role("button", name="Save on this phone").click()
    page.get_by_text(
        "Without consent to keep the household's records, nothing personal can be saved."
    ).wait_for()

    context.set_offline(False)
    _open(page, live_server, "#/settings")
    with page.expect_event("load"):
        page.get_by_role("button", name="Tiếng Việt").click()
    page.get_by_role("heading", name="Cài đặt").wait_for()
    assert page.evaluate("document.documentElement.lang") == "vi"
