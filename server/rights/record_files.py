"""Write the record of processing as Markdown and as XLSX (every cell through `web/cells.py`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from server.i18n import N_, gettext
from server.rights.clocks import VIETNAM
from server.rights.record import Cell, Section
from server.web import cells

MD_NAME = "record-of-processing.md"
XLSX_NAME = "record-of-processing.xlsx"
SHEET_TITLE_MAX = 31  # characters Excel allows in a sheet's name
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _md_cell(value: Cell) -> str:
    if value is None:
        return ""
    text = cells.clean_text(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown(sections: list[Section], lang: str, now: datetime) -> str:
    """The record as one Markdown document."""
    title = gettext(lang, N_("Record of processing personal data: Làng Số"))
    lines = [
        f"# {title}",
        "",
        gettext(
            lang,
            N_(
                "Written %(when)s by `langso privacy report`. The deploying province is the "
                "controller: add its name, its data protection officer or department, and its "
                "policy before filing this record."
            ),
            {"when": now.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")},
        ),
    ]
    for section in sections:
        lines += ["", f"## {section.title}", ""]
        lines.append("| " + " | ".join(_md_cell(c) for c in section.columns) + " |")
        lines.append("|" + "---|" * len(section.columns))
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in section.rows]
        if section.note:
            lines += ["", section.note]
    return "\n".join(lines) + "\n"


def _sheet_title(title: str, used: set[str]) -> str:
    name = cells.clean_text(title).translate(_SHEET_FORBIDDEN).strip()[:SHEET_TITLE_MAX] or "-"
    base, n = name, 2
    while name in used:
        suffix = f" {n}"
        name, n = base[: SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def write(sections: list[Section], lang: str, out: Path, now: datetime) -> tuple[Path, Path]:
    """Write the Markdown and XLSX files into the folder `out` (made if missing)."""
    out.mkdir(parents=True, exist_ok=True)
    md = out / MD_NAME
    md.write_text(markdown(sections, lang, now), encoding="utf-8")
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for section in sections:
        sheet = workbook.create_sheet(_sheet_title(section.title, used))
        sheet.append(cells.xlsx_row(sheet, section.columns))
        for row in section.rows:
            sheet.append(cells.xlsx_row(sheet, row))
        if section.note:
            sheet.append(cells.xlsx_row(sheet, []))
            sheet.append(cells.xlsx_row(sheet, [section.note]))
    xlsx = out / XLSX_NAME
    workbook.save(xlsx)
    return md, xlsx
