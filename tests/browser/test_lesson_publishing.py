"""A trainer writes and publishes a lesson on a laptop; a member's phone gets it, and the member
reads it and takes the quiz with the network cut; the progress reaches the server afterwards."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from tests.browser.member import pending, sign_in, sync_now, wait_synced
from tests.browser.support import LiveServer, Phones, is_error_page
from tests.browser.trainer import (
    LessonText,
    QuizQuestion,
    open_laptop,
    publish,
    sign_in_page,
    write_lesson,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

LESSON = LessonText(
    slug="goi-dien-gia-danh-cong-an",
    title="Cuộc gọi giả danh công an: gác máy, gọi lại số thật",
    summary="Ba câu hỏi giúp nhận ra cuộc gọi lừa đảo.",
    order=95,
    objectives=["Nhận ra cuộc gọi giả danh", "Biết báo cho công an xã"],
    body=(
        "## Dấu hiệu\n\n"
        "1. Người gọi nói bạn **liên quan đến vụ án**.\n"
        "2. Đòi chuyển tiền để *xác minh*.\n\n"
        "> Công an không làm việc qua điện thoại và không bao giờ đòi chuyển tiền."
    ),
    quiz=[
        QuizQuestion(
            "Công an có gọi điện đòi chuyển tiền không?",
            ["Có, khi có vụ án", "Không bao giờ"],
            2,
            "Công an không bao giờ đòi chuyển tiền qua điện thoại.",
        ),
        QuizQuestion(
            "Khi nghi ngờ, việc đầu tiên là gì?",
            ["Làm theo ngay", "Gác máy", "Đọc mã OTP"],
            2,
            "Gác máy trước, rồi gọi công an xã bằng số bạn biết.",
        ),
        QuizQuestion(
            "Ai cần biết chuyện này?",
            ["Không ai", "Công an xã và người thân"],
            2,
            "Báo công an xã và người thân để họ cũng cảnh giác.",
        ),
    ],
)


def _picture(tmp_path: Path) -> Path:
    path = tmp_path / "canh-bao.png"
    image = Image.new("RGB", (1800, 900), (250, 220, 120))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_published_lesson_reaches_the_phone_and_is_taken_offline(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    phones = browser_context_factory
    member_context = phones.open("member-lesson")
    phone = phones.page(member_context)
    # The second member: the first one's lesson progress is counted by test_member_offline.
    sign_in(phone, live_server, live_server.second_member)

    _, laptop = open_laptop(phones, "trainer-laptop")
    sign_in_page(laptop, live_server, live_server.trainer)
    write_lesson(laptop, LESSON)
    # The live preview (htmx) shows the text as members will get it.
    preview = laptop.locator("#preview")
    preview.locator("h2", has_text="Dấu hiệu").wait_for()
    assert preview.locator("blockquote strong, blockquote").count() >= 1
    laptop.get_by_label("Ảnh chụp hoặc hình vẽ").set_input_files(_picture(tmp_path))
    laptop.get_by_role("button", name="Tải lên và thêm vào bài").click()
    laptop.get_by_text("Ảnh đã được thêm vào cuối bài").wait_for()
    body = laptop.get_by_label("Nội dung bài học (Markdown)").input_value()
    assert re.search(r"!\[Mô tả ảnh ở đây\]\(images/[0-9a-f]{20}\.webp\)", body), body
    assert laptop.locator("#q2-prompt").input_value() == LESSON.quiz[2].prompt
    laptop.locator("#preview img").wait_for()
    screenshots(laptop, "20-trainer-lesson-editor")
    publish(laptop)
    screenshots(laptop, "21-trainer-lesson-published")

    # The member's phone gets it on its next sync, images included.
    sync_now(phone)
    phone.wait_for_function(
        """async (slug) => (await window.langso.app.store.all("lesson"))
            .some((l) => l.data.slug === slug)""",
        arg=LESSON.slug,
        timeout=30_000,
    )
    wait_synced(phone)

    member_context.set_offline(True)
    phone.reload()
    assert not is_error_page(phone)
    phone.goto(phone.url.split("#")[0] + f"#/lessons/{LESSON.slug}")
    phone.get_by_role("heading", name=LESSON.title).wait_for()
    phone.locator("article.lesson blockquote").wait_for()
    phone.wait_for_function(
        """() => { const img = document.querySelector("article.lesson img");
                   return img && img.complete && img.naturalWidth > 0; }"""
    )
    # Right, wrong, right: 67 points; the second question is the one most missed.
    choices = [1, 0, 1]
    for n, chosen in enumerate(choices):
        phone.locator(f"input[name='q{n + 1}'][value='{chosen}']").check()
    phone.get_by_role("button", name="Kiểm tra câu trả lời").click()
    phone.get_by_text("Bạn trả lời đúng 2 trong 3 câu.").wait_for()
    screenshots(phone, "22-member-lesson-offline")
    assert pending(phone) >= 1

    member_context.set_offline(False)
    sync_now(phone)
    wait_synced(phone)
    rows = live_server.sql(
        "SELECT status, score, answers, lesson_version FROM lesson_progress WHERE lesson_slug = ?",
        LESSON.slug,
    )
    assert len(rows) == 1
    status, score, answers, version = rows[0]
    answers = json.loads(answers) if isinstance(answers, str) else answers
    assert (status, score, version) == ("completed", 67, 1)
    assert answers == {"q1": 1, "q2": 0, "q3": 1}

    # The trainer sees it in the completion report.
    laptop.goto(f"{live_server.url}/trainer/reports")
    report = laptop.locator("section.report", has_text=LESSON.title)
    # "of N members": other tests add members to the shared village; 1 started, 1 finished.
    report.get_by_text(re.compile(r"^1 trên \d+ tổ viên đã bắt đầu, 1 đã học xong\.")).wait_for()
    assert "Khi nghi ngờ, việc đầu tiên là gì? — sai 1 trên 1 lần trả lời" in report.inner_text()


def _fits(page: Page, width: int = 360) -> None:
    """Nothing on the page is wider than a small phone's screen."""
    page.set_viewport_size({"width": width, "height": 640})
    wide = page.evaluate(
        """(width) => [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > width + 1)
            .slice(0, 5).map((el) => `${el.tagName}.${el.className} ${el.id}`)""",
        width,
    )
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, wide


def test_a_trainer_revises_compares_and_reverts_on_a_phone_sized_screen(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    _, page = open_laptop(browser_context_factory, "trainer-revise")
    sign_in_page(page, live_server, live_server.trainer)
    lesson = LessonText(
        slug="sua-va-lay-lai",
        title="Bài để sửa và lấy lại",
        summary="Thử sửa, so sánh, lấy lại.",
        order=96,
        objectives=["Biết sửa bài"],
        body="## Các bước\n\n1. Mở ứng dụng.\n2. Bấm nút xanh.",
        quiz=[QuizQuestion("Bước đầu là gì?", ["Mở ứng dụng", "Tắt máy"], 1, "Mở trước đã.")],
    )
    write_lesson(page, lesson)
    publish(page)
    _fits(page)
    screenshots(page, "25-trainer-lesson-phone")
    page.get_by_label("Nội dung bài học (Markdown)").fill(
        "## Các bước\n\n1. Mở ứng dụng.\n2. Bấm nút **xanh lá**."
    )
    page.locator("#preview strong", has_text="xanh lá").wait_for()
    page.get_by_role("button", name="Lưu bản nháp").click()
    page.get_by_text("Đã lưu bản nháp. Tổ viên vẫn học phiên bản đã đăng.").wait_for()
    page.get_by_role("link", name="Các phiên bản và thay đổi").click()
    page.locator("del.line", has_text="2. Bấm nút xanh.").wait_for()
    page.locator("ins.line", has_text="2. Bấm nút **xanh lá**.").wait_for()
    _fits(page)
    screenshots(page, "26-trainer-lesson-history")
    first = page.locator("li.card", has_text="Phiên bản 1")
    first.get_by_role("button", name="Lấy lại thành phiên bản mới").click()
    page.get_by_role("heading", name="Thay đổi từ phiên bản 2 sang phiên bản 3").wait_for()
    page.locator("ins.line", has_text="2. Bấm nút xanh.").wait_for()
    page.goto(f"{live_server.url}/trainer/lessons")
    row = page.locator(".list li", has_text=lesson.title)
    row.get_by_text("Đã đăng: phiên bản 1; có bản nháp mới hơn đang chờ").wait_for()
    _fits(page)
    page.goto(f"{live_server.url}/trainer/reports")
    _fits(page)
