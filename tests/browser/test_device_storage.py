"""What stays on the phone: the space used, the last-resort export, and Background Sync."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from tests.browser.member import add_household, pending, sign_in
from tests.browser.support import LiveServer, Phones


def _on_server(server: LiveServer, name: str) -> int:
    [(count,)] = server.sql("SELECT COUNT(*) FROM household WHERE head_name = ?", name)
    return int(count)


def test_settings_show_the_space_used_and_export_unsent_changes(
    live_server: LiveServer, browser_context_factory: Phones, tmp_path: Path
) -> None:
    phones = browser_context_factory
    context = phones.open("export", accept_downloads=True)
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    context.set_offline(True)
    name = "Hộ Xuất Ra Tệp"
    household = add_household(page, name)

    page.goto(f"{live_server.url}/app#/settings")
    page.get_by_text(re.compile(r"^Đã dùng [\d.,]+ MB trong [\d.,]+ MB\.")).wait_for()
    page.locator("#view").get_by_text("1 thay đổi đang chờ gửi", exact=True).wait_for()
    with page.expect_download() as caught:
        page.get_by_role("button", name="Lưu các thay đổi chưa gửi ra tệp").click()
    download = caught.value
    assert re.fullmatch(r"langso-chua-gui-\d{4}-\d\d-\d\d\.json", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    exported = json.loads(saved.read_text(encoding="utf-8"))
    [mutation] = exported["mutations"]
    assert (mutation["type"], mutation["op"], mutation["record_id"]) == (
        "household",
        "create",
        household,
    )
    assert mutation["data"]["head_name"] == name
    assert pending(page) == 1  # exporting keeps the changes waiting to be sent


def test_background_sync_sends_changes_with_no_page_of_the_app_open(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("background")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    context.set_offline(True)
    name = "Hộ Gửi Khi Đóng Ứng Dụng"
    add_household(page, name)
    assert pending(page) == 1
    context.close()  # the member closes the app without signal

    # The phone starts its browser with signal again; nobody opens the app.
    context = phones.open("background")
    assert all("/app" not in p.url for p in context.pages)
    deadline = time.monotonic() + 30
    while _on_server(live_server, name) == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _on_server(live_server, name) == 1
    assert all("/app" not in p.url for p in context.pages)
