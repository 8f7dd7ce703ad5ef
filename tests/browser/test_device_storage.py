"""The phone on its own: storage and export, Background Sync, progress, backoff, a week offline."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.browser.member import add_household, pending, sign_in, wait_synced
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


_WATCH_STATUS = """() => {
    window.__statusSeen = [];
    const text = document.querySelector(".sync-status .sync-text");
    const bar = document.querySelector("#sync-progress");
    new MutationObserver((records) => {
        for (const record of records) {
            for (const node of record.addedNodes) {
                const share = bar.getAttribute("aria-valuenow");
                window.__statusSeen.push([node.textContent, bar.hidden, share]);
            }
        }
    }).observe(text, { childList: true });
}"""


def test_the_header_shows_progress_while_syncing(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("progress")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    context.set_offline(True)
    for name in ("Hộ Xem Tiến Độ Một", "Hộ Xem Tiến Độ Hai"):
        add_household(page, name)
    assert pending(page) == 2
    page.evaluate(_WATCH_STATUS)
    context.set_offline(False)
    wait_synced(page)
    seen = [tuple(entry) for entry in page.evaluate("window.__statusSeen")]
    assert ("Đang gửi 0 trong 2 thay đổi…", False, "0") in seen, seen
    assert ("Đang gửi 2 trong 2 thay đổi…", False, "100") in seen, seen
    assert seen[-1][0].startswith("Đã đồng bộ") and seen[-1][1], seen


def test_lesson_images_are_readable_offline(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("lesson-images")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    context.close()

    # The browser restarts without signal; the lesson opens with its picture.
    context = phones.open("lesson-images", offline=True)
    page = phones.page(context)
    page.goto(f"{live_server.url}/app#/lessons/using-lang-so-offline")
    picture = page.locator(".lesson-text img").first
    picture.wait_for()
    assert picture.get_attribute("src") == "/media/lessons/trang-thai-dong-bo.svg"
    page.wait_for_function(
        "() => { const img = document.querySelector('.lesson-text img');"
        " return img.complete && img.naturalWidth > 0; }"
    )


_FAILING_RUNS = """async (runs) => {
    // The real engine against a server that keeps failing; only its timer is watched.
    const engine = window.langso.app.engine;
    // A sync still running or queued (a save queues one) would be joined by the runs below.
    while (engine.running || engine.following) await (engine.following || engine.running);
    const delays = [];
    engine.failures = 0;  // count from the first failure
    engine._schedule = (ms) => delays.push(ms);
    for (let n = 0; n < runs; n += 1) await engine.run();
    return delays;
}"""


def test_failed_syncs_back_off_exponentially_with_jitter(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("backoff")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    context.route("**/api/v1/sync/push", lambda route: route.fulfill(status=503, body="busy"))
    add_household(page, "Hộ Chờ Máy Chủ")
    page.wait_for_function(
        "document.querySelector('[data-testid=sync-status]').dataset.state === 'error'"
    )
    delays = [float(ms) for ms in page.evaluate(_FAILING_RUNS, 10)]
    assert len(delays) == 10
    # Retry n waits about 2 s · 2^(n-1) (half to one and a half times that), never over 7.5 min.
    for n, delay in enumerate(delays[:8], start=1):
        base = 2000 * 2 ** (n - 1)
        assert 0.5 * base <= delay <= 1.5 * base, (n, delays)
    assert all(delay <= 1.5 * 5 * 60 * 1000 for delay in delays), delays
    assert len({round(d / (2000 * 2**n), 3) for n, d in enumerate(delays[:8])}) > 1, delays
    assert pending(page) == 1
    page.wait_for_function(
        "document.querySelector('[data-testid=sync-status]').dataset.state === 'error'"
    )

    context.unroute("**/api/v1/sync/push")
    [after] = page.evaluate(_FAILING_RUNS, 1)
    assert after == 3 * 60 * 1000  # back to the regular period once the server answers
    assert pending(page) == 0


def test_the_app_still_works_a_week_after_the_last_sync(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("a-week-later")
    sign_in(phones.page(context), live_server, live_server.member)
    context.close()

    context = phones.open("a-week-later", offline=True)
    context.clock.install(time=datetime.now(UTC) + timedelta(days=8))
    page = phones.page(context)
    page.goto(f"{live_server.url}/app")
    page.get_by_role("heading", name="Xin chào, Người Thử Một").wait_for()
    status = page.get_by_test_id("sync-status")
    page.wait_for_function(
        "document.querySelector('[data-testid=sync-status]').dataset.state === 'offline'"
    )
    assert status.inner_text().startswith("Không có mạng · Đã đồng bộ 8 ngày trước"), status
    add_household(page, "Hộ Ghi Sau Một Tuần")
    assert pending(page) == 1
