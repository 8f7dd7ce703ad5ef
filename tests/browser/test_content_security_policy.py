"""The strict Content-Security-Policy refuses nothing our own pages and member app do (issue 11)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.support import LiveServer, Phones, wait_for_service_worker

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage


def test_pages_and_the_member_app_break_no_rule_of_the_policy(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    context = browser_context_factory.open(bypass_csp=False)
    page = browser_context_factory.page(context)
    refused: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", note)

    for path in ("/sign-in", "/app"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
    wait_for_service_worker(page)
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    # htmx loaded on the pages without injecting its indicator <style>.
    page.goto(f"{live_server.url}/sign-in")
    page.wait_for_function("typeof htmx !== 'undefined'")
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.querySelectorAll('style').length") == 0

    assert refused == [], refused
