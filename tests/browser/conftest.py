"""Browser tests: Debian's Chromium driven by Playwright (sync API) against `langso serve`.

Every test here is marked `browser`. Without /usr/bin/chromium (or the `playwright` package) they
are skipped, except with CI=true, where they fail: CI must prove the app installs and works offline.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.support import (
    CHROMIUM,
    LiveServer,
    Phones,
    shot,
    start_live_server,
    stop_process,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser as `browser`."""
    for item in items:
        if _HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


def _missing() -> str:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the Python package `playwright` is missing (pip install -e '.[test]')"
    return ""


@pytest.fixture(scope="session", autouse=True)
def _needs_chromium() -> None:
    """Skip without Chromium; with CI=true, fail instead."""
    missing = _missing()
    if not missing:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run: {missing}", pytrace=False)
    pytest.skip(f"browser tests skipped: {missing}")


@pytest.fixture(scope="session")
def live_server(
    _needs_chromium: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The app under uvicorn with a village, two members and a commune coordinator."""
    server, proc = start_live_server(tmp_path_factory.mktemp("langso-browser"))
    try:
        yield server
    finally:
        stop_process(proc)


@pytest.fixture
def browser_context_factory(tmp_path: Path) -> Iterator[Phones]:
    """Open (and reopen) persistent Chromium profiles shaped like a small phone."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        phones = Phones(playwright, tmp_path / "profiles")
        try:
            yield phones
        finally:
            phones.close_all()


@pytest.fixture
def screenshots() -> Callable[[Page, str], Path]:
    """`screenshots(page, name)` saves screenshots/<name>.png at the repository root."""
    return shot
