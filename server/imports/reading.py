"""An uploaded spreadsheet (XLSX or CSV) read into rows of text, bounded, its header row found.

See docs/coordinators.md ("Importing a list") for what a file may look like.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook

from server.errors import UserError
from server.i18n import N_
from server.search import fold
from server.web import limits

MAX_ROWS = 10_000  # data rows of one file: a commune's households fit; split a larger list
MAX_COLUMNS = 60
MAX_CELL = 2_000  # characters kept of one cell (the longest field, notes, holds 2,000)
MAX_UNZIPPED_BYTES = 100 * limits.MB  # an XLSX's parts, unpacked (10,000 full rows take ~15 MB)
HEADER_SEARCH_ROWS = 20  # title rows above the header row are skipped, up to this many
_XLSX_MAGIC = b"PK\x03\x04"
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# What a damaged or foreign file makes openpyxl raise: a bad zip or deflate stream, a missing
# part, XML that does not parse (SyntaxError's subclasses), a value of the wrong kind.
_BROKEN = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    SyntaxError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    OSError,
    IndexError,
    RuntimeError,  # e.g. NotImplementedError for a compression method zipfile lacks
)


class FileRefused(UserError):
    """The file cannot be imported at all (not a spreadsheet, too large, no header row)."""

    status = 422


@dataclass(frozen=True)
class Table:
    """A file's header row (its cells and 1-based row number) and the data rows below it."""

    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells as text)


def header_key(text: str) -> str:
    """A header compared loosely: "Số điện thoại (*)" and "so dien thoai" give the same key."""
    return _NOT_WORD.sub(" ", fold(text)).strip()


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without `.0`, dates as ISO dates, text NFC and stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFC", str(value)).replace("\x00", "").strip()
    return text[: MAX_CELL + 1]  # one character over: the field's rule says it is too long


def read_table(name: str, data: bytes, recognised: Callable[[list[str]], int]) -> Table:
    """Read the first sheet of an XLSX file, or a CSV file; the header is the first row (of the
    first `HEADER_SEARCH_ROWS`) in which `recognised` finds at least two known columns."""
    if len(data) > limits.IMPORT_BYTES:
        raise FileRefused(
            N_("This file is too large (at most %(mb)s MB). Split it into smaller files."),
            params={"mb": limits.IMPORT_BYTES // limits.MB},
        )
    if not data.strip():
        raise FileRefused(N_("This file is empty. Choose the file with the list."))
    rows = _xlsx_rows(data) if data.startswith(_XLSX_MAGIC) else _csv_rows(name, data)
    return _table(rows, recognised)


def _table(rows: Iterator[list[str]], recognised: Callable[[list[str]], int]) -> Table:
    header: list[str] | None = None
    header_row = 0
    found: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(rows, start=1):
        if header is None:
            if number > HEADER_SEARCH_ROWS:
                break
            if recognised(cells) >= 2:
                header, header_row = cells, number
            continue
        if not any(cells):
            continue
        if len(found) >= MAX_ROWS:
            raise FileRefused(
                N_("This file has more than %(rows)s rows. Split it into smaller files."),
                params={"rows": f"{MAX_ROWS:,}".replace(",", ".")},
            )
        found.append((number, cells))
    if header is None:
        raise FileRefused(
            N_(
                "No row of column names was found. Download the template and copy the list "
                "into it, keeping its first row."
            )
        )
    return Table(header_row, header, found)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    _check_unzipped_size(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        raw_rows: Iterable[tuple[Any, ...]] = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        rows = [_trimmed([cell_text(v) for v in row]) for row in _bounded(raw_rows)]
        book.close()
    except FileRefused:
        raise
    except _BROKEN:
        raise FileRefused(_UNREADABLE) from None
    return iter(rows)


def _check_unzipped_size(data: bytes) -> None:
    """Refuse a zip bomb before openpyxl unpacks it: zipfile never inflates a part past the size
    its entry declares, so the declared sizes bound the memory."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(entry.file_size for entry in archive.infolist())
    except _BROKEN:
        raise FileRefused(_UNREADABLE) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise FileRefused(
            N_("This file is too large (at most %(mb)s MB). Split it into smaller files."),
            params={"mb": limits.IMPORT_BYTES // limits.MB},
        )


def _trimmed(cells: list[str]) -> list[str]:
    """Without the empty cells at the end (a read-only sheet pads each row to its width)."""
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _bounded(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """At most the header search, the data rows and their empty lines (a sheet may say it has
    a million rows)."""
    for count, row in enumerate(rows):
        if count > MAX_ROWS * 2 + HEADER_SEARCH_ROWS:
            raise FileRefused(
                N_("This file has more than %(rows)s rows. Split it into smaller files."),
                params={"rows": f"{MAX_ROWS:,}".replace(",", ".")},
            )
        yield row


_UNREADABLE = N_(
    "This file cannot be read. Save it from Excel as .xlsx or as CSV, then choose it again."
)


def decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else Windows-1258, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp1258", "cp1252"):
        try:
            return unicodedata.normalize("NFC", data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise FileRefused(_UNREADABLE)


def _delimiter(text: str) -> str:
    """`,`, `;` (Excel where a comma is the decimal mark) or tab: the one the widest of the first
    lines uses most (title rows above the header may have none)."""
    lines = text[:16_384].splitlines()[: HEADER_SEARCH_ROWS + 5]
    return max(",;\t", key=lambda mark: max((line.count(mark) for line in lines), default=0))


def _csv_rows(name: str, data: bytes) -> Iterator[list[str]]:
    if b"\x00" in data[:4096] or name.lower().endswith((".xls", ".ods", ".numbers")):
        raise FileRefused(_UNREADABLE)
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[list[str]] = []
    try:
        for row in _bounded(tuple(r) for r in reader):
            rows.append([cell_text(cell) for cell in row[:MAX_COLUMNS]])
    except csv.Error:
        raise FileRefused(_UNREADABLE) from None
    return iter(rows)
