"""What a trainer does on the lesson screens, as steps the browser tests share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tests.browser.support import LiveServer, Phones

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

LAPTOP = {"width": 1280, "height": 800}


@dataclass
class QuizQuestion:
    prompt: str
    choices: list[str]
    answer: int  # counted from 1, as the trainer types it
    explanation: str


@dataclass
class LessonText:
    slug: str
    title: str
    summary: str
    order: int
    objectives: list[str]
    body: str
    quiz: list[QuizQuestion] = field(default_factory=list)


def open_laptop(phones: Phones, profile: str) -> tuple[BrowserContext, Page]:
    """A desktop-sized Chromium window (trainers work on a laptop)."""
    context = phones.open(profile, viewport=LAPTOP, is_mobile=False, has_touch=False)
    return context, phones.page(context)


def sign_in_page(page: Page, server: LiveServer, phone: str) -> None:
    """Sign in through the server-rendered sign-in form."""
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Số điện thoại di động").fill(phone)
    page.get_by_label("Mật khẩu").fill(server.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{server.url}/home")


def write_lesson(page: Page, lesson: LessonText) -> None:
    """From the trainer's home, open the new-lesson form and fill it (quiz included)."""
    page.get_by_role("link", name="Soạn bài học mới").first.click()
    page.get_by_label("Tên ngắn dùng trong địa chỉ web").fill(lesson.slug)
    page.get_by_label("Tên bài", exact=True).fill(lesson.title)
    page.get_by_label("Tóm tắt").fill(lesson.summary)
    page.get_by_label("Vị trí trong danh sách").fill(str(lesson.order))
    page.get_by_label("Mục tiêu bài học").fill("\n".join(lesson.objectives))
    page.get_by_label("Nội dung bài học (Markdown)").fill(lesson.body)
    for n in range(1, len(lesson.quiz)):
        page.get_by_role("button", name="Thêm câu hỏi").click()
        page.locator(f"#q{n}-prompt").wait_for()
    for n, question in enumerate(lesson.quiz):
        fill_question(page, n, question)


def fill_question(page: Page, n: int, question: QuizQuestion) -> None:
    """One answer per box (adding boxes as needed), then tick the right one."""
    page.locator(f"#q{n}-prompt").fill(question.prompt)
    while page.locator(f"#q{n} input[name='q{n}-choice-{len(question.choices) - 1}']").count() == 0:
        page.locator(f"#q{n}").get_by_role("button", name="Thêm một đáp án").click()
    for k, choice in enumerate(question.choices):
        page.locator(f"#q{n}-choice-{k}").fill(choice)
    page.locator(f"#q{n} input[name='q{n}-right'][value='{question.answer - 1}']").check()
    page.locator(f"#q{n}-explanation").fill(question.explanation)


def publish(page: Page) -> None:
    """Save and publish; wait for the confirmation."""
    page.get_by_role("button", name="Lưu và đăng").click()
    page.get_by_text("Đã đăng. Điện thoại của tổ viên sẽ nhận bài").wait_for()
