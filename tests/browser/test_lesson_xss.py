"""No script from a lesson runs: not in the trainer's live preview, not in the member's reader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Error as PlaywrightError

from tests.browser.member import sign_in, sync_now
from tests.browser.support import LiveServer, Phones
from tests.browser.trainer import (
    LessonText,
    QuizQuestion,
    open_laptop,
    publish,
    sign_in_page,
    write_lesson,
)
from tests.xss_corpus import PAYLOADS, corpus_markdown

if TYPE_CHECKING:
    from playwright.sync_api import Page

TRAP = '<img src=x onerror="window.__xss=1">'
LESSON = LessonText(
    slug="xss-corpus",
    title=f"Bài thử an toàn {TRAP}",
    summary=f"Tóm tắt {TRAP}",
    order=99,
    objectives=[f"Mục tiêu {TRAP}"],
    body=corpus_markdown(),
    quiz=[
        QuizQuestion(
            f"Câu hỏi {TRAP}",
            [f"Đáp án {TRAP}", "<script>window.__xss=1</script>"],
            1,
            f"Giải thích {TRAP}",
        )
    ],
)


def _watch(page: Page) -> list[str]:
    """Collect every dialog (alert, confirm, prompt) the page opens, and dismiss it."""
    dialogs: list[str] = []

    def seen(dialog: object) -> None:
        dialogs.append(getattr(dialog, "message", "?"))
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", seen)
    return dialogs


def _poke(page: Page, selector: str) -> None:
    """Hover, focus and click what was rendered, as a curious person would."""
    for element in page.locator(f"{selector} *").all()[:200]:
        try:
            if element.is_visible():
                element.hover(timeout=2_000, force=True)
        except PlaywrightError:  # it went out of view meanwhile (the page redrew): next one
            continue
    page.wait_for_timeout(300)


def _nothing_ran(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.evaluate("() => typeof parent.__xss") == "undefined"
    assert dialogs == []


def test_no_script_runs_in_preview_or_on_the_phone(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    assert len(PAYLOADS) >= 30
    phones = browser_context_factory
    laptop_context, laptop = open_laptop(phones, "trainer-xss")
    # Control: the trap does run when it reaches a page of ours unsanitised.
    control = laptop_context.new_page()
    control.goto(f"{live_server.url}/sign-in")
    control.evaluate("(h) => document.body.insertAdjacentHTML('beforeend', h)", TRAP)
    control.wait_for_function("() => window.__xss === 1")
    control.close()
    trainer_dialogs = _watch(laptop)
    sign_in_page(laptop, live_server, live_server.trainer)
    write_lesson(laptop, LESSON)
    laptop.locator("#preview", has_text="Kết thúc bài.").wait_for()
    _poke(laptop, "#preview")
    _nothing_ran(laptop, trainer_dialogs)
    laptop.get_by_role("button", name="Xem trước").click()  # the preview without htmx
    laptop.locator("#preview", has_text="Kết thúc bài.").wait_for()
    _nothing_ran(laptop, trainer_dialogs)
    screenshots(laptop, "23-trainer-xss-preview")
    publish(laptop)
    _nothing_ran(laptop, trainer_dialogs)

    context = phones.open("member-xss")
    phone = phones.page(context)
    member_dialogs = _watch(phone)
    sign_in(phone, live_server, live_server.second_member)
    sync_now(phone)
    phone.wait_for_function(
        """async (slug) => (await window.langso.app.store.all("lesson"))
            .some((l) => l.data.slug === slug)""",
        arg=LESSON.slug,
    )
    phone.goto(phone.url.split("#")[0] + "#/lessons")
    phone.get_by_text("Bài thử an toàn").first.wait_for()
    _nothing_ran(phone, member_dialogs)
    phone.goto(phone.url.split("#")[0] + f"#/lessons/{LESSON.slug}")
    phone.locator("article.lesson", has_text="Kết thúc bài.").wait_for()
    _poke(phone, "article.lesson")
    phone.locator("input[name='q1'][value='1']").check()
    phone.get_by_role("button", name="Kiểm tra câu trả lời").click()
    phone.locator(".feedback", has_text="Giải thích").wait_for()
    _nothing_ran(phone, member_dialogs)
    assert phone.locator("article.lesson script, article.lesson iframe").count() == 0
    assert phone.get_by_role("heading", name=LESSON.title).count() == 1, "titles are shown as text"
    screenshots(phone, "24-member-xss-lesson")
