"""A sync the server refuses to answer (503) says so in words, calmly (issue 12, item 5)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.member import add_household, sign_in, sync_now
from tests.browser.support import LiveServer, Phones

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route


def _busy(route: Route) -> None:
    route.fulfill(status=503, content_type="text/plain", body="Service Unavailable")


def test_a_failing_sync_says_it_will_try_again_and_when_it_last_worked(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    from playwright.sync_api import expect

    context = browser_context_factory.open("server-busy")
    page = Phones.page(context)
    sign_in(page, live_server, live_server.member)
    status = page.get_by_test_id("sync-status")
    words = status.locator(".sync-text")
    expect(words).to_contain_text("Đã đồng bộ")

    # The network is up, the server answers 503 to every sync call.
    context.route("**/api/v1/sync/**", _busy)
    sync_now(page)
    expect(status).to_have_attribute("data-state", "error")
    expect(words).to_have_text(re.compile(r"Chưa đồng bộ được — sẽ thử lại\. Lần đồng bộ cuối: .+"))
    expect(words).not_to_contain_text("Đã đồng bộ")

    add_household(page, "Hộ Chờ Máy Chủ")
    expect(words).to_have_text(re.compile(r"Chưa gửi được — sẽ thử lại\. Lần đồng bộ cuối: .+"))
    screenshots(page, "24-sync-failing-in-words")

    # The server answers again: the change goes and the header says so.
    context.unroute("**/api/v1/sync/**", _busy)
    sync_now(page)
    expect(status).to_have_attribute("data-state", "idle", timeout=30_000)
    expect(words).to_contain_text("Đã đồng bộ")
