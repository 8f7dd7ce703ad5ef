"""Search keys: names compared without diacritics or case, phone numbers by their digits."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s.\-()]")
# JavaScript's `\s` (ECMAScript WhiteSpace and LineTerminator), so both sides split words alike.
_SPACES = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")


def fold(text: str) -> str:
    """Search key: "Nguyễn  Văn Á" → "nguyen van a", the same rule as `fold` in dom.js.

    Decompose (NFD), drop nonspacing marks (category Mn), đ/Đ → d, lower case, one space between
    words. tests/fold_vectors.json holds the cases both sides are checked against.
    """
    plain = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in plain if unicodedata.category(ch) != "Mn")
    lowered = stripped.replace("đ", "d").replace("Đ", "d").lower()
    return _SPACES.sub(" ", lowered).strip(" ")


def phone_digits(text: str) -> str | None:
    """The digits of a (partial) mobile number typed as a search, `+84` read as `0`; else None."""
    digits = _SEPARATORS.sub("", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    return digits if len(digits) >= 3 and digits.isascii() and digits.isdigit() else None
