"""Reading real spreadsheets: damaged files refused in words, CSV dialects, cells as text."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest

from server.imports.columns import consent_instant, phone_text, whole_number, yes_no
from server.imports.reading import FileRefused, cell_text, decode, header_key, read_table
from tests.import_files import household_rows, household_xlsx


def _two(cells: list[str]) -> int:
    return sum(1 for cell in cells if header_key(cell) in {"ho ten chu ho", "so dien thoai"})


def _damaged() -> list[bytes]:
    good = household_xlsx(household_rows(3, "a"))
    original = zipfile.ZipFile(io.BytesIO(good))
    files = []
    for broken in original.namelist():
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as copy:
            for name in original.namelist():
                copy.writestr(name, b"<x" if name == broken else original.read(name))
        files.append(out.getvalue())
    return [*files, good[: len(good) // 2], good[:4] + b"\x00" * 100]


@pytest.mark.parametrize("data", _damaged())
def test_a_damaged_xlsx_is_read_or_refused_in_words(data: bytes) -> None:
    """A part openpyxl does not need (properties, theme) may be damaged: the rows are read."""
    try:
        table = read_table("a.xlsx", data, _two)
    except FileRefused as refused:
        said = refused.message("vi")
        assert said.startswith(("Không đọc được tệp", "Không tìm thấy dòng")), said
    else:
        assert len(table.rows) == 3


@pytest.mark.parametrize("mark", [",", ";", "\t"])
def test_a_csv_is_split_on_its_own_delimiter_under_title_rows(mark: str) -> None:
    text = f"Danh sách\n\nHọ tên chủ hộ{mark}Số điện thoại\nAn{mark}0912345678\n"
    table = read_table("a.csv", text.encode("utf-8-sig"), _two)
    assert (table.header_row, table.rows) == (3, [(4, ["An", "0912345678"])])


def test_windows_encodings_are_read() -> None:
    # Windows-1258 keeps some tone marks as combining characters: read back composed (NFC).
    assert decode("Lo\u0300 Văn Hu\u0300ng".encode("cp1258")) == "Lò Văn Hùng"
    assert decode("Vang A Dé".encode("cp1252")) == "Vang A Dé"
    assert decode("\ufeffNguyễn".encode()) == "Nguyễn"


def test_cells_and_values_as_people_type_them() -> None:
    assert [cell_text(v) for v in (5.0, 912345678, datetime(2025, 3, 1), None)] == [
        "5",
        "912345678",
        "2025-03-01",
        "",
    ]
    assert header_key(" SỐ ĐIỆN THOẠI (*) ") == "so dien thoai"
    assert [whole_number(t) for t in ("5", "5.0", "1.250", "năm", "")] == [5, 5, 1250, None, None]
    assert phone_text("912345678") == "0912345678"
    assert [yes_no(t) for t in ("Có", "x", "KHÔNG", "", "chưa rõ")] == [
        True,
        True,
        False,
        False,
        None,
    ]
    today = date(2025, 6, 1)
    assert consent_instant("25/03/2025", today) == "2025-03-25T00:00:00+07:00"
    assert consent_instant("2025-03-25", today) == "2025-03-25T00:00:00+07:00"
    assert consent_instant("02/06/2025", today) is None  # after today
    assert consent_instant("hôm qua", today) is None


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/sharedStrings.xml", b"<" + b"a" * (120 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024

    with pytest.raises(FileRefused) as refused:
        read_table("a.xlsx", out.getvalue(), _two)
    assert refused.value.message("vi").startswith("Tệp quá lớn")
