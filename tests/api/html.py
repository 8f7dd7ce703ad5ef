"""Reading the server's HTML in page tests: a form's CSRF token, the error message shown."""

from __future__ import annotations

import re

import httpx


def csrf(page: httpx.Response) -> str:
    """The hidden CSRF token of the page's forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def alert(page: httpx.Response) -> str:
    """The text of the page's error message."""
    match = re.search(r'role="alert"[^>]*>(.*?)</', page.text, re.S)
    assert match, page.text
    return match.group(1).strip()
