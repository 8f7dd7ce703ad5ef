"""Phones pay for bytes: the member app's pushes and pulls are compressed (issue 15, 1–2)."""

from __future__ import annotations

import gzip
import json
from typing import TYPE_CHECKING

from tests.browser.member import add_household, pending, sign_in, sync_now, wait_synced
from tests.browser.support import LiveServer, Phones

if TYPE_CHECKING:
    from playwright.sync_api import Request, Response


def test_a_push_of_several_changes_goes_gzipped_and_pulls_come_back_compressed(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("wire-bytes")
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    pushes: list[Request] = []
    pulls: list[Response] = []
    page.on("request", lambda r: pushes.append(r) if "/api/v1/sync/push" in r.url else None)
    page.on("response", lambda r: pulls.append(r) if "/api/v1/sync/pull" in r.url else None)

    context.set_offline(True)
    names = [f"Hộ Nén Dữ Liệu {n}" for n in range(3)]
    for name in names:
        add_household(page, name)
    assert pending(page) == 3
    context.set_offline(False)
    sync_now(page)
    wait_synced(page)

    [push] = [r for r in pushes if r.headers.get("content-encoding") == "gzip"]
    sent = push.post_data_buffer
    assert sent is not None
    body = json.loads(gzip.decompress(sent))
    assert sorted(m["data"]["head_name"] for m in body["mutations"]) == names
    assert len(sent) < len(json.dumps(body).encode()) / 2
    # Chromium asks for compression on its own; the server answers pulls compressed.
    assert any(r.headers.get("content-encoding") == "gzip" for r in pulls)
    for name in names:
        [(count,)] = live_server.sql("SELECT COUNT(*) FROM household WHERE head_name = ?", name)
        assert count == 1
