"""Household lists as teams keep them, for the import tests: title rows, headers without
diacritics, phones typed three ways, a few bad rows."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

HEADERS = [
    "STT",
    "Ho ten chu ho",
    "Dia chi",
    "So dien thoai",
    "So nguoi trong ho",
    "Nguoi dong y",
    "Ngay dong y",
    "Dong y: Luu thong tin cua ho de to ho tro",
    "Cot cua xa",
]
BAD_ROWS = {41: "phone", 102: "consent", 166: "people"}  # the data rows (1-based) that are wrong


def household_rows(count: int, tag: str) -> list[list[Any]]:
    """`count` rows; those of `BAD_ROWS` have one error each."""
    rows: list[list[Any]] = []
    for n in range(1, count + 1):
        phone: Any = ("+84 912 {:03d} {:03d}", "0912.{:03d}.{:03d}", None)[n % 3]
        phone = phone.format(n // 1000, n % 1000) if phone else 912000000 + n
        row = [n, f"Nguyễn Văn {tag} {n}", f"Xóm {n % 5}", phone, str(n % 6 + 1), "Chủ hộ"]
        row += ["25/03/2025", "x", "ghi chú riêng"]
        if BAD_ROWS.get(n) == "phone":
            row[3] = "12345"
        elif BAD_ROWS.get(n) == "consent":
            row[7] = "Không"
        elif BAD_ROWS.get(n) == "people":
            row[4] = "nhiều"
        rows.append(row)
    return rows


def household_xlsx(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    """An XLSX file: two title rows (one merged), an empty row, the header row, the rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH HỘ GIA ĐÌNH THÔN"])  # title rows above the header
    sheet.merge_cells("A1:F1")
    sheet.append(["Năm 2025"])
    sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text as typed ('=1+1 in Excel), never a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
