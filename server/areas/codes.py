"""Official area codes are strings with their leading zeros: a province `04`, a commune `00004`.

Read as numbers they collide (province 04 Cao Bằng and ward 00004 Phường Ba Đình are both 4), so
no code is ever turned into an `int`. A village's code is its commune's code and a number
(`00004-001`).
"""

from __future__ import annotations

from server.areas import kinds

PROVINCE_DIGITS = 2
COMMUNE_DIGITS = 5
_DIGITS = {kinds.PROVINCE: PROVINCE_DIGITS, kinds.COMMUNE: COMMUNE_DIGITS}


def official(number: int, kind: str) -> str:
    """The official code of a province or commune numbered `number` (`4` → `04` or `00004`)."""
    return f"{number:0{_DIGITS[kind]}d}"


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def padded(code: str, kind: str) -> str:
    """`code` as the official code of an area of `kind`, its missing leading zeros put back.

    Only the kind tells how many zeros a bare number lacks; a code that is not a number of at
    most that many digits (nor, for a village, such a commune code and a number) is returned as
    it is, to be refused as unknown.
    """
    code = code.strip()
    if kind == kinds.VILLAGE:
        commune, dash, number = code.rpartition("-")
        if dash and _digits(number) and _digits(commune):
            return f"{padded(commune, kinds.COMMUNE)}-{number}"
        return code
    width = _DIGITS.get(kind)
    if width is None or not _digits(code) or len(code) > width:
        return code
    return code.zfill(width)


def readings(code: str) -> list[str]:
    """The official codes a bare number without its leading zeros may stand for (else none)."""
    code = code.strip()
    if not _digits(code):
        return []
    found = (padded(code, kind) for kind in (kinds.PROVINCE, kinds.COMMUNE))
    return list(dict.fromkeys(c for c in found if c != code))
