"""`langso privacy report` writes the record of processing, run as an operator runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl

LANGSO = Path(sys.executable).parent / "langso"


def _langso(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("LANGSO_", "LC_", "LANG"))}
    environ.update(
        LANGSO_DATA_DIR=str(data_dir),
        LANGSO_DATABASE_URL=f"sqlite://{data_dir / 'langso.sqlite3'}",
    )
    return subprocess.run(
        [str(LANGSO), *args], env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def test_privacy_report_writes_markdown_and_xlsx(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _langso(data, "db", "upgrade").returncode == 0
    out = tmp_path / "record"

    done = _langso(data, "privacy", "report", "--out", str(out))

    assert done.returncode == 0, done.stderr
    assert "record-of-processing.md" in done.stdout and "Đã ghi" in done.stdout
    text = (out / "record-of-processing.md").read_text(encoding="utf-8")
    assert text.startswith("# Hồ sơ ghi nhận hoạt động xử lý dữ liệu cá nhân")
    assert "SQLite" in text and "support_records" in text
    book = openpyxl.load_workbook(out / "record-of-processing.xlsx")
    assert len(book.sheetnames) == 8


def test_privacy_report_help_is_in_english_when_asked(tmp_path: Path) -> None:
    done = _langso(tmp_path, "--language", "en", "privacy", "report", "--help")
    assert done.returncode == 0 and "Markdown and XLSX" in done.stdout
