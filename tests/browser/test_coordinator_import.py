"""A coordinator imports a team's spreadsheet; a member's phone receives the households."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.member import open_screen, sign_in, sync_now, wait_synced
from tests.browser.support import LiveServer, Phones, _cli
from tests.import_files import household_rows, household_xlsx

if TYPE_CHECKING:
    from playwright.sync_api import Page


def _upload(page: Page, server: LiveServer, village: str, file: Path) -> None:
    page.goto(f"{server.url}/manage/import")
    page.locator("#village").select_option(village)
    page.locator("#household-file").set_input_files(str(file))
    page.locator("form[action='/manage/import/households'] button").click()
    page.get_by_role("heading", name="Kiểm tra trước khi nhập").wait_for()


def test_a_coordinator_imports_a_list_and_a_members_phone_receives_it(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    tag = f"Nhập {uuid.uuid4().hex[:4]}"
    file = tmp_path / "danh-sach-ho.xlsx"
    file.write_bytes(household_xlsx(household_rows(200, tag)))
    # A village and member of its own: 197 households in the shared member's village would
    # change what the other browser tests see there.
    commune = live_server.village_code.split("-")[0]
    printed = _cli(live_server.env, "village", "add", "--commune", commune, "--name", tag)
    village = printed.strip().splitlines()[-1].split()[-1]
    phone = "0987200123"
    _cli(
        live_server.env, "user", "add", "--phone", phone, "--name", "Tổ Viên Nhập",
        "--role", "member", "--area", village, "--password-stdin",
        stdin=f"{live_server.password}\n",
    )  # fmt: skip
    phones = browser_context_factory
    member = phones.page(phones.open("import-member"))
    sign_in(member, live_server, phone)
    page = phones.page(phones.open("import-coordinator"))
    page.goto(f"{live_server.url}/sign-in")
    page.fill("#phone", live_server.coordinator)
    page.fill("#password", live_server.password)
    page.click("button.primary")

    _upload(page, live_server, village, file)
    expect(page.locator("#import-counts")).to_contain_text("Thêm mới: 197")
    expect(page.locator("#import-errors tbody tr")).to_have_count(3)
    screenshots(page, "coordinator-import-preview")
    page.get_by_role("button", name="Nhập 197 dòng").click()
    expect(page.get_by_role("status")).to_contain_text("197 thêm mới")

    sync_now(member)
    wait_synced(member)
    open_screen(member, "#/households")
    member.get_by_label("Tìm theo tên, địa chỉ hoặc số điện thoại").fill(f"{tag} 12")
    found = member.locator("#households li strong").filter(has_text=re.compile(rf"{tag} 12$"))
    expect(found).to_have_count(1)

    _upload(page, live_server, village, file)
    expect(page.locator("#import-counts")).to_contain_text("Thêm mới: 0")
    expect(page.locator("#import-counts")).to_contain_text("Đã có, giữ nguyên: 197")
    expect(page.get_by_text("Không có gì mới để nhập.")).to_be_visible()
