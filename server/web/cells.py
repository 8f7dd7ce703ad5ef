"""Every cell of an exported CSV or XLSX file passes here: no formulas, no control characters.

Names, addresses and titles are typed by people in the field; a spreadsheet must show them as text,
never run them. See docs/security.md ("Exports").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# What a spreadsheet reads as the start of a formula (tab and carriage return too: OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_TEXT = 32_767  # characters Excel keeps in one cell
# C0 control characters but tab, line feed and carriage return: XLSX (XML 1.0) cannot hold them,
# and openpyxl refuses them (its ILLEGAL_CHARACTERS_RE).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NUMBER = (int, float, Decimal)
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "DD/MM/YYYY"  # how dates are written in Vietnam
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Percent:
    """A share as a percent (`20.0` is 20 %): a number in CSV, a percent-formatted cell in XLSX."""

    value: float | None


def clean_text(value: object) -> str:
    """`value` as text without control characters, cut to what one cell keeps."""
    return _CONTROL.sub("", str(value))[:MAX_TEXT]


def csv_cell(value: Any) -> Any:
    """A CSV cell: numbers stay numbers; text that could start a formula gets a leading `'`."""
    if isinstance(value, Percent):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, _NUMBER) and not isinstance(value, bool):
        return value
    text = clean_text(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row, each cell through `csv_cell`."""
    return [csv_cell(value) for value in values]


def xlsx_row(sheet: WriteOnlyWorksheet, values: Iterable[Any], *, style: str = "") -> list[Any]:
    """A row for a write-only sheet: numbers, percents and dates as themselves, text as text.

    openpyxl turns a string starting with `=` into a formula; a cell typed `s` keeps it text,
    shown as typed and never calculated. `style` is "" (a data row), "title", "header" (bold,
    wrapped) or "total" (bold).
    """
    row: list[Any] = []
    for value in values:
        cell = _xlsx_cell(sheet, value)
        if style and value is not None and value != "":
            if not isinstance(cell, Cell):
                cell = WriteOnlyCell(sheet, value=cell)
            cell.font = _TITLE if style == "title" else _BOLD
            if style == "header":
                cell.alignment = _WRAP
        row.append(cell)
    return row


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, Percent):
        if value.value is None:
            return None
        cell = WriteOnlyCell(sheet, value=value.value / 100)
        cell.number_format = PERCENT_FORMAT
        return cell
    if isinstance(value, date):  # a datetime is a date too
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # openpyxl takes a date
        cell.number_format = DATE_FORMAT
        return cell
    if value is None or isinstance(value, _NUMBER):
        return value
    cell = WriteOnlyCell(sheet, value=clean_text(value))
    cell.data_type = "s"
    return cell
