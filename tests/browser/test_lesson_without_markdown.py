"""Issue 17's "done means": a trainer writes a lesson with the toolbar and a quiz with three
answers without typing any Markdown, publishes it, and a member reads it with the network really
cut: the card of things to remember, the steps, and a glossary word that opens its definition."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from tests.browser.member import sign_in, sync_now, wait_synced
from tests.browser.support import LiveServer, Phones, is_error_page
from tests.browser.trainer import QuizQuestion, fill_question, open_laptop, publish, sign_in_page

if TYPE_CHECKING:
    from playwright.sync_api import Page

TITLE = "Tài khoản an sinh không cần Markdown"
SLUG = "tai-khoan-an-sinh-khong-can-markdown"
MARKDOWN = set("#*>[]()!_`")


def _type(page: Page, words: str) -> None:
    """What the trainer types: plain words, never a Markdown sign."""
    assert not MARKDOWN & set(words), words
    page.keyboard.type(words)


def _tool(page: Page, name: str) -> None:
    page.get_by_role("toolbar", name="Trình bày bài").get_by_role("button", name=name).click()


def _picture(tmp_path: Path) -> Path:
    path = tmp_path / "buoc.png"
    buffer = io.BytesIO()
    Image.new("RGB", (600, 300), (11, 110, 79)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_trainer_writes_without_markdown_and_a_member_reads_it_offline(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    phones = browser_context_factory
    member_context = phones.open("member-no-markdown")
    phone = phones.page(member_context)
    sign_in(phone, live_server, live_server.second_member)

    _, laptop = open_laptop(phones, "trainer-no-markdown")
    sign_in_page(laptop, live_server, live_server.trainer)
    laptop.get_by_role("link", name="Soạn bài học mới").first.click()
    laptop.get_by_label("Tên bài", exact=True).fill(TITLE)
    # The short name for the web address follows the title, diacritics folded.
    assert laptop.get_by_label("Tên ngắn dùng trong địa chỉ web").input_value() == SLUG
    laptop.get_by_label("Tóm tắt").fill("Nhận tiền an sinh qua VNeID.")
    laptop.get_by_label("Vị trí trong danh sách").fill("96")
    laptop.get_by_label("Mục tiêu bài học").fill("Liên kết tài khoản an sinh")
    laptop.get_by_label("Ba điều cần nhớ").fill(
        "Cần VNeID mức 2\nTài khoản đứng tên mình\nTin nhắn có link là lừa"
    )

    text = laptop.get_by_label("Nội dung bài học (Markdown)")
    text.click()
    _tool(laptop, "Tiêu đề")
    _type(laptop, "Các bước")
    laptop.keyboard.press("Control+End")
    laptop.keyboard.press("Enter")
    _tool(laptop, "Các bước có số")
    _type(laptop, "Mở VNeID, chọn An sinh xã hội")
    laptop.keyboard.press("Enter")
    _tool(laptop, "Các bước có số")
    _type(laptop, "Tự nhập ")
    laptop.locator("select[data-md=glossary]").select_option("passcode")
    laptop.keyboard.press("Control+End")
    laptop.keyboard.press("Enter")
    laptop.keyboard.press("Enter")
    _type(laptop, "Không bao giờ ")
    _tool(laptop, "Chữ đậm")
    _type(laptop, "đọc mã cho người khác")
    laptop.keyboard.press("Control+End")
    laptop.keyboard.press("Enter")
    _tool(laptop, "Khung lưu ý")
    _type(laptop, "Tiền của Nhà nước không cần nộp phí.")
    laptop.keyboard.press("Control+End")
    laptop.keyboard.press("Enter")
    laptop.keyboard.press("Enter")
    _type(laptop, "Xem thêm ")
    laptop.once("dialog", lambda dialog: dialog.accept("https://dichvucong.gov.vn"))
    _tool(laptop, "Đường link")
    _type(laptop, "Cổng dịch vụ công")
    laptop.keyboard.press("Control+End")
    laptop.keyboard.press("Enter")
    laptop.keyboard.press("Enter")
    with laptop.expect_file_chooser() as chooser:
        _tool(laptop, "Ảnh")
    chooser.value.set_files(_picture(tmp_path))
    laptop.get_by_role("button", name="Tải lên và thêm vào bài").click()
    laptop.get_by_text("Ảnh đã được thêm vào").wait_for()

    body = laptop.get_by_label("Nội dung bài học (Markdown)").input_value()
    assert body.startswith("## Các bước\n\n1. Mở VNeID, chọn An sinh xã hội\n"), body
    assert "1. Tự nhập [Passcode (mật mã 6 số)](glossary:passcode)" in body, body
    assert "Không bao giờ **đọc mã cho người khác**" in body, body
    assert "> **Lưu ý:** Tiền của Nhà nước không cần nộp phí." in body, body
    assert "Xem thêm [Cổng dịch vụ công](https://dichvucong.gov.vn)" in body, body
    assert "](images/" in body

    # A quiz with three answers, the right one ticked, no numbers to type.
    fill_question(
        laptop,
        0,
        QuizQuestion(
            "Tiền an sinh về đâu?",
            ["Tài khoản của con cháu", "Tài khoản đã liên kết trên VNeID", "Đường link nhận quà"],
            2,
            "Tiền chỉ về tài khoản đã liên kết, đứng tên mình.",
        ),
    )
    preview = laptop.locator("#preview")
    preview.locator(".remember li", has_text="Cần VNeID mức 2").wait_for()
    assert preview.locator("h2", has_text="Các bước").count() == 1
    assert preview.locator("ol li").count() >= 2
    assert preview.locator("blockquote strong", has_text="Lưu ý:").count() == 1
    assert preview.locator("a.term[data-term=passcode]").count() == 1
    # In the preview too, the word opens its definition without leaving the page.
    preview.locator("a.term[data-term=passcode]").click()
    laptop.get_by_role("dialog").get_by_role("heading", name="Passcode (mật mã 6 số)").wait_for()
    laptop.get_by_role("dialog").get_by_role("button", name="Đóng").click()
    assert laptop.get_by_role("dialog").count() == 0
    screenshots(laptop, "30-trainer-writes-without-markdown")
    publish(laptop)

    sync_now(phone)
    phone.wait_for_function(
        """async (slug) => (await window.langso.app.store.all("lesson"))
            .some((l) => l.data.slug === slug)""",
        arg=SLUG,
        timeout=30_000,
    )
    wait_synced(phone)
    member_context.set_offline(True)
    phone.reload()
    assert not is_error_page(phone)
    phone.goto(phone.url.split("#")[0] + f"#/lessons/{SLUG}")
    phone.get_by_role("heading", name=TITLE).wait_for()
    card = phone.locator("article.lesson .remember")
    assert card.get_by_role("heading").inner_text() == "3 điều cần nhớ"
    assert card.locator("li").count() == 3
    phone.locator("article.lesson img").first.wait_for()

    phone.locator("a.term[data-term=passcode]").click()
    box = phone.get_by_role("dialog")
    box.get_by_role("heading", name="Passcode (mật mã 6 số)").wait_for()
    assert "Sáu chữ số" in box.inner_text()
    assert phone.url.endswith(f"#/lessons/{SLUG}")  # the lesson stays open
    screenshots(phone, "31-member-glossary-offline")
    box.get_by_role("button", name="Đóng").click()
    assert phone.get_by_role("dialog").count() == 0

    labels = phone.locator("form.quiz label.check")
    assert labels.count() == 3
    labels.filter(has_text="Tài khoản đã liên kết trên VNeID").click()
    phone.get_by_role("button", name="Kiểm tra câu trả lời").click()
    phone.get_by_text("Bạn trả lời đúng 1 trong 1 câu.").wait_for()
