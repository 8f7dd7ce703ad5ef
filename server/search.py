"""Search keys: names compared without diacritics or case, phone numbers by their digits."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s.\-()]")


def fold(text: str) -> str:
    """Vietnamese-insensitive search key: "Nguyễn Văn Á" → "nguyen van a" (as `fold` in dom.js)."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def phone_digits(text: str) -> str | None:
    """The digits of a (partial) mobile number typed as a search, `+84` read as `0`; else None."""
    digits = _SEPARATORS.sub("", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    return digits if len(digits) >= 3 and digits.isascii() and digits.isdigit() else None
