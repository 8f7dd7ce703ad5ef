"""The columns of an import file: Vietnamese headers, the other spellings accepted, the values.

Headers are matched by `reading.header_key` (folded, without diacritics or punctuation), so
"Số điện thoại", "so dien thoai" and "SO DIEN THOAI (*)" are the same column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from server.imports.reading import Table, header_key
from server.search import fold

VIETNAM = timezone(timedelta(hours=7))
_YES = frozenset({"co", "x", "v", "yes", "y", "1", "dong y", "true", "co dong y"})
_NO = frozenset({"", "khong", "k", "no", "n", "0", "false", "khong dong y"})


@dataclass(frozen=True)
class Column:
    """One column: its key, its header in the template, and other headers that mean it."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()

    def names(self) -> frozenset[str]:
        """Every header key that names this column."""
        return frozenset(header_key(h) for h in (self.header, self.key, *self.aliases))


@dataclass(frozen=True)
class Layout:
    """Where each known column is in a file, and the headers of the columns left unused."""

    positions: dict[str, int]
    ignored: list[str]

    def cell(self, cells: list[str], key: str) -> str:
        """The row's cell of column `key` ('' when the file has no such column)."""
        index = self.positions.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    def has(self, key: str) -> bool:
        """True when the file has this column."""
        return key in self.positions


def counter(columns: tuple[Column, ...]) -> Callable[[list[str]], int]:
    """How many known columns a row names: the header row is the first with two or more."""
    known = frozenset().union(*(c.names() for c in columns))

    def recognised(cells: list[str]) -> int:
        return sum(1 for cell in cells if cell and header_key(cell) in known)

    return recognised


def layout(table: Table, columns: tuple[Column, ...]) -> Layout:
    """Match the header row to the columns; the first of two columns with one name wins."""
    by_key = {key: column.key for column in columns for key in column.names()}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, header in enumerate(table.headers):
        column = by_key.get(header_key(header)) if header else None
        if column is None or column in positions:
            if header:
                ignored.append(header)
            continue
        positions[column] = index
    return Layout(positions, ignored)


def yes_no(text: str) -> bool | None:
    """Có/x/1 → True, Không/empty/0 → False, anything else None."""
    folded = fold(text).strip(" .!")
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def whole_number(text: str) -> int | None:
    """A count typed as text ("5", "5.0", " 1.250 ") as an int; None when it is not one."""
    cleaned = text.strip().replace(" ", "")
    if cleaned.endswith((".0", ",0")):
        cleaned = cleaned[:-2]
    cleaned = cleaned.replace(".", "").replace(",", "")
    if not cleaned or not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 9:
        return None
    return int(cleaned)


def phone_text(text: str) -> str:
    """A phone as typed; a number cell that lost its leading zero (912345678) gets it back."""
    digits = text.strip()
    if len(digits) == 9 and digits.isdigit() and digits[0] in "35789":
        return "0" + digits
    return digits


def consent_instant(text: str, today: date) -> str | None:
    """A day (dd/mm/yyyy, d-m-yyyy or yyyy-mm-dd, or a date cell) as an ISO instant at midnight
    in Vietnam; None when it is not a day from 2000 to `today`."""
    cleaned = text.strip().split("T")[0].split(" ")[0]
    day: date | None = None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            day = datetime.strptime(cleaned, pattern).date()
            break
        except ValueError:
            continue
    if day is None or not date(2000, 1, 1) <= day <= today:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=VIETNAM).isoformat()
