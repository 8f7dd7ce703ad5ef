"""Language choice and Babel formatting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.i18n import format_datetime, format_number, gettext, negotiate


@pytest.mark.parametrize(
    ("preferred", "header", "expected"),
    [
        (None, None, "vi"),
        ("en", "vi", "en"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "fr-FR,en;q=0.5,vi;q=0.8", "vi"),
        (None, "fr", "vi"),
        (None, "en;q=abc", "vi"),
    ],
)
def test_negotiate(preferred: str | None, header: str | None, expected: str) -> None:
    assert negotiate(preferred, header) == expected


def test_numbers_and_dates_are_formatted_by_babel() -> None:
    assert format_number("vi", 1234567.8) == "1.234.567,8"
    assert format_number("en", 1234567.8) == "1,234,567.8"
    moment = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    assert "23" in format_datetime("vi", moment) and "08:30" in format_datetime("vi", moment)


def test_gettext_translates_and_fills_parameters() -> None:
    assert gettext("vi", "Sign in") == "Đăng nhập"
    assert gettext("en", "Sign in") == "Sign in"
    text = gettext("vi", "Use at most %(max)s characters.", {"max": 120})
    assert "120" in text and "%(" not in text
