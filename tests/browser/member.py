"""What a team member does on the phone, as steps the scenario tests share."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.browser.support import LiveServer, wait_for_service_worker

if TYPE_CHECKING:
    from playwright.sync_api import Page

SYNC_TIMEOUT_MS = 30_000


def sign_in(page: Page, server: LiveServer, phone: str) -> None:
    """Open the app online, sign in, wait for the first sync and the offline shell."""
    page.goto(f"{server.url}/app")
    page.get_by_label("Số điện thoại di động").fill(phone)
    page.get_by_label("Mật khẩu").fill(server.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Thêm hộ").wait_for(timeout=SYNC_TIMEOUT_MS)
    wait_for_service_worker(page)
    page.wait_for_function('document.documentElement.dataset.offlineReady === "true"')
    wait_synced(page)


def pending(page: Page) -> int:
    """The number on the "changes waiting" badge."""
    return int(page.get_by_test_id("pending-count").inner_text())


def wait_synced(page: Page, timeout_ms: int = SYNC_TIMEOUT_MS) -> None:
    """Nothing waiting and the engine idle (no sync running, none queued to follow)."""
    page.wait_for_function(
        """() => {
            const status = document.querySelector('[data-testid="sync-status"]');
            const badge = document.querySelector('[data-testid="pending-count"]');
            const engine = window.langso?.app?.engine;
            return status && status.dataset.state === "idle" && badge.textContent === "0"
                && !(engine && (engine.running || engine.following));
        }""",
        timeout=timeout_ms,
    )


def open_screen(page: Page, hash_path: str) -> None:
    """Go to a screen of the open app (`#/…`) and wait until the app has drawn it."""
    page.goto(page.url.split("#")[0] + hash_path)
    page.locator(f'#view[data-drawn="{hash_path}"]').wait_for(state="attached")


def sync_now(page: Page) -> None:
    page.evaluate("window.langso.sync()")


def add_household(
    page: Page, name: str, *, people: int = 4, adults: int = 2, phone: str = "0912 345 678"
) -> str:
    """Fill the onboarding form (consent first) and save; return the new household's id."""
    open_screen(page, "#/households/new")
    page.get_by_label(re.compile("Lưu thông tin của hộ")).check()
    page.get_by_label("Tên người đồng ý", exact=True).fill(name)
    page.get_by_label("Chủ hộ", exact=True).fill(name)
    page.get_by_label("Địa chỉ", exact=True).fill("Xóm 3")
    page.get_by_label("Số điện thoại", exact=True).fill(phone)
    page.get_by_label("Số người", exact=True).fill(str(people))
    page.get_by_label("Số người lớn", exact=True).fill(str(adults))
    page.locator("input[name=ind-vneid][value=level1]").check()
    page.locator("input[name=ind-smartphone_count]").fill("1")
    page.get_by_role("button", name="Lưu trên máy").click()
    page.wait_for_url(re.compile(r"#/households/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[-1]


def edit_household(page: Page, household_id: str, **fields: str) -> None:
    """Change text fields of a household by their label and save."""
    open_screen(page, f"#/households/{household_id}/edit")
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Lưu trên máy").click()
    page.wait_for_url(re.compile(rf"#/households/{household_id}$"))


def tick_first_steps(page: Page, household_id: str, steps: int) -> None:
    """Start the VNeID checklist for a household and tick its first steps."""
    open_screen(page, f"#/households/{household_id}")
    page.locator("#start").select_option("vneid_account")
    page.get_by_role("button", name="Bắt đầu").click()
    page.wait_for_url(re.compile(r"/checklists/"))
    page.get_by_role("heading", name="Tài khoản định danh điện tử VNeID").wait_for()
    boxes = page.locator("input[data-item]")
    for n in range(steps):
        boxes.nth(n).check()
        page.wait_for_function(
            "(n) => document.querySelectorAll('input[data-item]:checked').length === n",
            arg=n + 1,
        )


def finish_first_lesson_quiz(page: Page) -> None:
    """Open the first lesson, answer every question (the right answer) and check."""
    open_screen(page, "#/lessons")
    page.locator(".list a").first.click()
    page.locator("form.quiz").wait_for()
    answers = page.evaluate(
        """async () => {
            const slug = location.hash.split("/").pop();
            const lessons = await window.langso.app.store.all("lesson");
            return lessons.find((l) => l.data.slug === slug).data.quiz
                .map((q) => [q.id, q.answer]);
        }"""
    )
    for question_id, answer in answers:
        page.locator(f"input[name='{question_id}'][value='{answer}']").check()
    page.get_by_role("button", name="Kiểm tra câu trả lời").click()
    page.locator(".score").filter(has_text=re.compile(r"\d")).wait_for()
