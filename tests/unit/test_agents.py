"""The phone's model and browser, read from User-Agent headers team members' phones send."""

from __future__ import annotations

import pytest

from server.web.agents import MAX_BROWSER, MAX_MODEL, Agent, describe

CHROME = "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.230 Mobile Safari/537.36"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"Mozilla/5.0 (Linux; Android 13; SM-A155F Build/TP1A.220624.014) {CHROME}",
         Agent("SM-A155F", "Chrome 120")),
        (f"Mozilla/5.0 (Linux; Android 10; K) {CHROME}", Agent("Android 10", "Chrome 120")),
        (f"Mozilla/5.0 (Linux; Android 12; Redmi Note 11) {CHROME}",
         Agent("Redmi Note 11", "Chrome 120")),
        ("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536E) AppleWebKit/537.36 (KHTML, like "
         "Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
         Agent("SAMSUNG SM-A536E", "Samsung Internet 23")),
        (f"Mozilla/5.0 (Linux; Android 13; SM-A155F; wv) {CHROME} Zalo android/12345",
         Agent("SM-A155F", "Zalo")),
        ("Mozilla/5.0 (Linux; Android 11; CPH2239) AppleWebKit/537.36 (KHTML, like Gecko) "
         "coc_coc_browser/117.0.250 Chrome/111.0.5563.146 Mobile Safari/537.36",
         Agent("CPH2239", "Cốc Cốc 117")),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
         "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", Agent("iPhone", "Safari 17")),
        ("Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
         Agent("Android 14", "Firefox 121")),
        ("python-httpx/0.27", Agent("", "")),
        ("", Agent("", "")),
        (None, Agent("", "")),
    ],
)  # fmt: skip
def test_model_and_browser(header: str | None, expected: Agent) -> None:
    assert describe(header) == expected


def test_odd_headers_are_bounded_and_printable() -> None:
    agent = describe("Mozilla/5.0 (Linux; Android 13; " + "X\x00" * 5_000 + ") Chrome/1")
    assert len(agent.model) <= MAX_MODEL and len(agent.browser) <= MAX_BROWSER
    assert agent.model.isprintable()
