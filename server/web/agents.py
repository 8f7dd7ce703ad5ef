"""What a coordinator recognises a phone by: its model and browser, read from the User-Agent.

A small reader of the User-Agent header, not a full database: it knows the phones and browsers
team members use (Android and iPhone; Chrome, Samsung Internet, Cốc Cốc, Zalo, Firefox, Edge,
Opera, Safari). Where Chrome hides the model (its reduced "Android 10; K"), the Android version
is shown instead. See docs/coverage.md ("Sync health").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_AGENT = 512  # characters of the header that are read
MAX_MODEL, MAX_BROWSER = 60, 40

_ANDROID = re.compile(r"Android ([\d.]+)(?:; ([^;)]+?))?(?: Build/[^;)]*)?(?:;|\))")
# Models Chrome writes when it hides the real one, and words that are not a model.
_NOT_A_MODEL = {"k", "wv", "mobile", "tablet", "linux", "u", "en-us", "vi-vn"}
_BROWSERS = (  # the first that matches names the browser: apps that embed Chrome come first
    ("Zalo", re.compile(r"Zalo[^\s/]*/?([\d]+)?", re.I)),
    ("Cốc Cốc", re.compile(r"coc_coc_browser/(\d+)", re.I)),
    ("Samsung Internet", re.compile(r"SamsungBrowser/(\d+)")),
    ("Edge", re.compile(r"Edg(?:A|iOS|e)?/(\d+)")),
    ("Opera", re.compile(r"(?:OPR|OPT)/(\d+)")),
    ("Firefox", re.compile(r"(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome", re.compile(r"(?:CriOS|Chrome|HeadlessChrome)/(\d+)")),
    ("Safari", re.compile(r"Version/(\d+)[\d.]* (?:Mobile/\S+ )?Safari/")),
)


@dataclass(frozen=True)
class Agent:
    """A phone's model (or system) and browser; "" where the header does not say."""

    model: str
    browser: str


def describe(user_agent: str | None) -> Agent:
    """The model and browser a User-Agent header names."""
    text = "".join(c for c in (user_agent or "")[:MAX_AGENT] if c.isprintable())
    return Agent(_model(text)[:MAX_MODEL], _browser(text)[:MAX_BROWSER])


def _model(text: str) -> str:
    android = _ANDROID.search(text)
    if android:
        version, model = android.group(1), (android.group(2) or "").strip()
        if model and model.lower() not in _NOT_A_MODEL:
            return model
        return f"Android {version.split('.')[0]}"
    for device in ("iPhone", "iPad"):
        if f"({device};" in text or f"({device} " in text:
            return device
    for system, word in (("Windows", "Windows NT"), ("Mac", "Macintosh"), ("Linux", "Linux")):
        if word in text:
            return system
    return ""


def _browser(text: str) -> str:
    for name, pattern in _BROWSERS:
        found = pattern.search(text)
        if found:
            return f"{name} {found.group(1)}" if found.group(1) else name
    return ""
