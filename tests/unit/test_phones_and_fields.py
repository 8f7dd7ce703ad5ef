"""The rules shared by the server and the device."""

from __future__ import annotations

import pytest

from server.phones import normalize_phone
from server.syncable.fields import FieldError, Rule


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0387.654.321", "0387654321"),
        ("0212345678", None),
        ("091234567", None),
        ("09123456789", None),
        ("abc", None),
    ],
)
def test_vietnamese_mobile_numbers(raw: str, expected: str | None) -> None:
    assert normalize_phone(raw) == expected


def test_int_rule_bounds_and_types() -> None:
    rule = Rule("people_count", "int", min=1, max=50)
    assert rule.clean(4) == 4
    for bad in (0, 51, True, "4", 4.5):
        with pytest.raises(FieldError):
            rule.clean(bad)


def test_required_text_is_trimmed_and_limited() -> None:
    rule = Rule("head_name", "text", required=True, max_length=5)
    assert rule.clean("  An  ") == "An"
    for bad in ("   ", None, "Quá dài", 7):
        with pytest.raises(FieldError):
            rule.clean(bad)
