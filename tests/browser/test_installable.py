"""The member app installs: Chromium finds no installability error, and the shell is self-hosted."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from server.shell.services import precache_list
from tests.browser.support import LiveServer, Phones, wait_for_service_worker

if TYPE_CHECKING:
    from playwright.sync_api import Page


def _served_precache(server: LiveServer) -> list[str]:
    """The PRECACHE list written into /sw.js as served."""
    source = httpx.get(f"{server.url}/sw.js", timeout=30).text
    line = next(line for line in source.splitlines() if line.startswith("const PRECACHE = "))
    return list(json.loads(line.removeprefix("const PRECACHE = ").rstrip(";")))


def _png_size(body: bytes) -> str:
    assert body[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", body[16:24])
    return f"{width}x{height}"


def test_app_installs_with_a_controlling_service_worker(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    context = browser_context_factory.open()
    page = browser_context_factory.page(context)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/app")
    script = wait_for_service_worker(page)
    assert script == f"{live_server.url}/sw.js"
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == script

    cdp = context.new_cdp_session(page)
    installability = cdp.send("Page.getInstallabilityErrors")
    assert installability["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
    assert manifest["errors"] == []
    screenshots(page, "installable-app")

    assert errors == [], f"uncaught errors in the shell: {errors}"


def _assert_same_origin(server: LiveServer, requests: list[str]) -> None:
    # data: and blob: URLs never leave the phone; everything else must come from our server.
    network = [url for url in requests if not url.startswith(("data:", "blob:"))]
    assert network, "no request was seen"
    foreign = sorted({url for url in network if not url.startswith(f"{server.url}/")})
    assert foreign == [], f"the shell loads from another origin: {foreign}"


def test_manifest_names_icons_and_start_url(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.url}/manifest.webmanifest", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest: dict[str, Any] = response.json()
    assert "Làng Số" in manifest["name"]
    assert manifest["short_name"] == "Làng Số"
    assert manifest["lang"] == "vi"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/app"
    assert manifest["start_url"].startswith(manifest["scope"])

    by_purpose: dict[str, list[str]] = {}
    for icon in manifest["icons"]:
        body = httpx.get(f"{live_server.url}{icon['src']}", timeout=30)
        assert body.status_code == 200, icon["src"]
        assert body.headers["content-type"] == icon["type"] == "image/png"
        assert _png_size(body.content) == icon["sizes"], icon["src"]
        by_purpose.setdefault(icon.get("purpose", "any"), []).append(icon["sizes"])
    assert {"192x192", "512x512"} <= set(by_purpose["any"])
    assert "512x512" in by_purpose["maskable"]


def test_every_precached_url_answers(live_server: LiveServer) -> None:
    served = _served_precache(live_server)
    assert served == precache_list()
    assert "/app" in served and "/manifest.webmanifest" in served
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        failing = {url: code for url in served if (code := client.get(url).status_code) != 200}
    assert failing == {}


def test_shell_requests_stay_on_our_origin(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    """Fonts, scripts, styles and images of the shell all come from the server itself."""
    context = browser_context_factory.open()
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    page = browser_context_factory.page(context)
    page.goto(f"{live_server.url}/app")
    wait_for_service_worker(page)
    page.reload(wait_until="networkidle")
    _assert_same_origin(live_server, seen)
