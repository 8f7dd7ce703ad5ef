"""`langso doctor`, `backup` and `restore` say what they found in the operator's language."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LANGSO = Path(sys.executable).parent / "langso"
_DROPPED = ("LC_ALL", "LC_MESSAGES", "LANG")


def _langso(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`langso ARGS` in a process of its own (its database and event loop stay out of ours)."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in _DROPPED and not key.startswith("LANGSO_")
    }
    environ.update(
        LANGSO_DATA_DIR=str(data_dir),
        LANGSO_DATABASE_URL=f"sqlite://{data_dir / 'langso.sqlite3'}",
    )
    environ.update(env)
    return subprocess.run(
        [str(LANGSO), *args], env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def _lines(output: str) -> dict[str, str]:
    """Each check's line by its name: `[OK] Name: detail` -> {"Name": "[OK] ... detail"}."""
    found = {}
    for line in output.splitlines():
        if line.startswith("[") and ": " in line:
            found[line.split("] ", 1)[1].split(": ", 1)[0]] = line
    return found


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    assert _langso(folder, "db", "upgrade").returncode == 0
    return folder


def test_doctor_on_a_sound_server_finds_nothing_to_fix(data_dir: Path) -> None:
    done = _langso(data_dir, "doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = _lines(done.stdout)
    assert lines["Cơ sở dữ liệu"].startswith("[OK]")
    assert lines["Khoá phiên đăng nhập"].startswith("[OK]")
    assert lines["Địa chỉ công khai"].startswith("[LƯU Ý]")  # http://127.0.0.1: for trying out
    assert done.stdout.strip().endswith("Không có gì cần sửa.")


def test_doctor_says_what_to_fix_and_fails(data_dir: Path) -> None:
    (data_dir / "secret_key").chmod(0o644)
    done = _langso(
        data_dir,
        "--language",
        "en",
        "doctor",
        LANGSO_PUBLIC_URL="http://langso.example.vn",
        LANGSO_MIN_FREE_DISK_MB="999999999",
    )
    assert done.returncode == 1
    lines = _lines(done.stdout)
    assert lines["Session key"] == (
        f"[FIX] Session key: Other accounts may read {data_dir / 'secret_key'}. Run: chown "
        f"$(whoami) {data_dir / 'secret_key'} && chmod 600 {data_dir / 'secret_key'}"
    )
    assert lines["Public URL"].startswith("[FIX] Public URL: http://langso.example.vn does not")
    assert lines["Disk space"].startswith("[FIX]")
    assert lines["Migrations"].startswith("[OK]")
    assert "Things to fix: 3." in done.stdout


def test_doctor_finds_pending_migrations_and_an_unreachable_database(tmp_path: Path) -> None:
    fresh = _langso(tmp_path / "new", "doctor")
    assert fresh.returncode == 1
    assert "langso db upgrade" in _lines(fresh.stdout)["Cập nhật cơ sở dữ liệu"]
    gone = _langso(
        tmp_path / "pg", "doctor", LANGSO_DATABASE_URL="postgres://langso@127.0.0.1:1/langso"
    )
    assert gone.returncode == 1
    assert _lines(gone.stdout)["Cơ sở dữ liệu"].startswith("[CẦN SỬA]")


def test_doctor_names_a_bad_setting(tmp_path: Path) -> None:
    done = _langso(tmp_path, "doctor", LANGSO_LOG_FORMAT="xml")
    assert done.returncode == 1
    assert "LANGSO_LOG_FORMAT" in _lines(done.stdout)["Cài đặt"]
