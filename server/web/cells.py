"""Every cell of an exported CSV or XLSX file passes here: no formulas, no control characters.

Names, addresses and titles are typed by people in the field; a spreadsheet must show them as text,
never run them. See docs/security.md ("Exports").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# What a spreadsheet reads as the start of a formula (tab and carriage return too: OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_TEXT = 32_767  # characters Excel keeps in one cell
# C0 control characters but tab, line feed and carriage return: XLSX (XML 1.0) cannot hold them,
# and openpyxl refuses them (its ILLEGAL_CHARACTERS_RE).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NUMBER = (int, float, Decimal)


def clean_text(value: object) -> str:
    """`value` as text without control characters, cut to what one cell keeps."""
    return _CONTROL.sub("", str(value))[:MAX_TEXT]


def csv_cell(value: Any) -> Any:
    """A CSV cell: numbers stay numbers; text that could start a formula gets a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, _NUMBER) and not isinstance(value, bool):
        return value
    text = clean_text(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row, each cell through `csv_cell`."""
    return [csv_cell(value) for value in values]


def xlsx_row(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet: numbers and dates as themselves, all text as plain strings.

    openpyxl turns a string starting with `=` into a formula; a cell typed `s` keeps it text,
    shown as typed and never calculated.
    """
    row: list[Any] = []
    for value in values:
        if value is None or isinstance(value, (*_NUMBER, date, datetime)):
            row.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=clean_text(value))
        cell.data_type = "s"
        row.append(cell)
    return row
