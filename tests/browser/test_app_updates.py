"""A new version of the app never reloads the page over what the member is typing, and installs
the files the server serves now, not copies the browser kept in its HTTP cache.

The live server caches its worker script in-process, so the new version comes from a small HTTP
proxy the phone goes through: from a given moment it writes another VERSION into `/sw.js`, and it
can mark one static file with a build number and let the browser keep it for a day.
(Playwright's routing does not see the service worker's own update check, so it cannot do this.)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser.member import sign_in
from tests.browser.support import LiveServer, Phones, wait_for_service_worker

if TYPE_CHECKING:
    from playwright.sync_api import Dialog, Page

NEW_VERSION = "update-test-2"
MARKED = "/static/app/dom.js"  # the file the proxy marks with `build`
NAME = "Hộ Đang Gõ Dở"
# Headers about one hop (or about an encoding httpx has already undone) are not passed on.
_HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "content-encoding", "content-length",
}  # fmt: skip


class _Proxy:
    """An HTTP proxy to the live server; with `version` set, `/sw.js` carries that VERSION.

    With `build` set, MARKED ends with a `// build <build>` line and may be kept a day unchecked.
    """

    def __init__(self, server: LiveServer) -> None:
        self.version: str | None = None
        self.build: str | None = None
        self.rewritten = 0
        self._origin = httpx.URL(server.url)
        self._client = httpx.Client(timeout=30, trust_env=False)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self._client.close()

    def _answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        url = httpx.URL(target)
        if (url.host, url.port) != (self._origin.host, self._origin.port):
            return 502, [], b""  # Chromium's own traffic: nothing leaves this machine
        response = self._client.request(method, url, headers=headers, content=body)
        content = response.content
        if url.path == "/sw.js" and self.version is not None:
            content, count = re.subn(
                rb'^const VERSION = "[^"]*";$',
                f'const VERSION = "{self.version}";'.encode(),
                content,
                flags=re.MULTILINE,
            )
            self.rewritten += count  # stays 0 if sw.js no longer starts with its VERSION line
        kept = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _HOP_BY_HOP]
        if url.path == MARKED and self.build is not None and response.status_code == 200:
            content += f"\n// build {self.build}\n".encode()
            validators = {"etag", "last-modified", "cache-control"}  # no revalidation either
            kept = [(k, v) for k, v in kept if k.lower() not in validators]
            kept.append(("Cache-Control", "max-age=86400"))
        return response.status_code, kept, content

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                try:
                    status, kept, content = proxy._answer(self.command, self.path, headers, body)
                except httpx.HTTPError:
                    status, kept, content = 502, [], b""
                self.send_response(status)
                for key, value in kept:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(content)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = forward

        return Handler


@pytest.fixture
def proxy(live_server: LiveServer) -> Iterator[_Proxy]:
    running = _Proxy(live_server)
    try:
        yield running
    finally:
        running.close()


def _shell_caches(page: Page) -> list[str]:
    return sorted(
        page.evaluate(
            "async () => (await caches.keys()).filter((n) => n.startsWith('langso-shell-'))"
        )
    )


def _answer_next_dialog(page: Page, seen: list[str], *, accept: bool) -> None:
    def handle(dialog: Dialog) -> None:
        seen.append(f"{dialog.type}: {dialog.message}")
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", handle)


def _still_typing(page: Page) -> None:
    """The same document (no reload) with what the member typed still in the form."""
    assert page.evaluate("window.__marker") == "before the update", "the page reloaded"
    assert page.get_by_label("Chủ hộ", exact=True).input_value() == NAME


def test_update_waits_for_the_member_and_keeps_the_draft(
    live_server: LiveServer, browser_context_factory: Phones, proxy: _Proxy
) -> None:
    phones = browser_context_factory
    context = phones.open("update", proxy={"server": proxy.url})
    page = phones.page(context)
    sign_in(page, live_server, live_server.member)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    [old_cache] = _shell_caches(page)

    page.goto(f"{live_server.url}/app#/households/new")
    page.evaluate("window.__marker = 'before the update'")
    page.get_by_label(re.compile("Lưu thông tin của hộ")).check()
    page.get_by_label("Chủ hộ", exact=True).fill(NAME)

    proxy.version = NEW_VERSION  # the server now serves a new worker
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    banner = page.locator("#update-banner")
    banner.get_by_text("Đã có phiên bản mới của ứng dụng.").wait_for(timeout=30_000)
    assert proxy.rewritten
    page.wait_for_timeout(1000)  # a reload on its own would have started by now
    _still_typing(page)

    dialogs: list[str] = []
    update = banner.get_by_role("button", name="Cập nhật ngay")
    _answer_next_dialog(page, dialogs, accept=False)
    update.click()
    page.wait_for_timeout(1000)
    assert dialogs == [
        "confirm: Biểu mẫu của bạn đã được lưu thành bản nháp. Cập nhật ngay bây giờ?"
    ]
    _still_typing(page)
    assert _shell_caches(page) == sorted([old_cache, f"langso-shell-{NEW_VERSION}"])

    _answer_next_dialog(page, dialogs, accept=True)
    with page.expect_event("load", timeout=20_000):
        update.click()
    assert len(dialogs) == 2
    assert page.evaluate("window.__marker") is None, "the page did not reload"
    wait_for_service_worker(page)
    assert _shell_caches(page) == [f"langso-shell-{NEW_VERSION}"]
    assert page.url.endswith("#/households/new")
    page.get_by_text("Đã lấy lại nội dung bạn nhập lúc trước.").wait_for()
    assert page.get_by_label("Chủ hộ", exact=True).input_value() == NAME
    assert page.get_by_label(re.compile("Lưu thông tin của hộ")).is_checked()
    assert page.locator("#update-banner").is_hidden()


def _cached_text(page: Page, cache: str, url: str) -> str | None:
    return page.evaluate(
        """async ([name, url]) => {
            const response = await (await caches.open(name)).match(url);
            return response ? response.text() : null;
        }""",
        [cache, url],
    )


def test_an_update_precaches_what_the_server_serves_not_the_http_cache(
    live_server: LiveServer, browser_context_factory: Phones, proxy: _Proxy
) -> None:
    phones = browser_context_factory
    context = phones.open("update-fresh", proxy={"server": proxy.url})
    page = phones.page(context)
    proxy.build = "1"  # the page and the first install get build 1, kept a day in the HTTP cache
    page.goto(f"{live_server.url}/app")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    [old_cache] = _shell_caches(page)
    assert (_cached_text(page, old_cache, MARKED) or "").endswith("// build 1\n")

    proxy.version, proxy.build = NEW_VERSION, "2"
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    page.locator("#update-banner").get_by_text("Đã có phiên bản mới của ứng dụng.").wait_for(
        timeout=30_000
    )  # the new worker is installed: its cache is complete
    assert proxy.rewritten
    fresh = _cached_text(page, f"langso-shell-{NEW_VERSION}", MARKED) or ""
    assert fresh.endswith("// build 2\n"), fresh[-40:]
