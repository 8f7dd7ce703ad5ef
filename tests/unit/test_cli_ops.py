"""`langso doctor`, `backup` and `restore` say what they found in the operator's language."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
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


def _passphrase_run(
    data_dir: Path, passphrase: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in _DROPPED and not key.startswith("LANGSO_")
    }
    environ.update(
        LANGSO_DATA_DIR=str(data_dir),
        LANGSO_DATABASE_URL=f"sqlite://{data_dir / 'langso.sqlite3'}",
        LANGSO_LANGUAGE="en",
    )
    environ.update(env)
    return subprocess.run(
        [str(LANGSO), *args, "--with-keys", "--passphrase-stdin"],
        input=passphrase + "\n",
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_backup_with_keys_restores_them_only_with_the_passphrase(
    data_dir: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "with-keys.tar.gz"
    short = _passphrase_run(data_dir, "short", "backup", str(archive))
    assert short.returncode == 1
    assert "at least 12 characters" in short.stderr
    assert not archive.exists()
    made = _passphrase_run(data_dir, "một câu dài để mở khoá", "backup", str(archive))
    assert made.returncode == 0, made.stderr
    assert archive.stat().st_mode & 0o777 == 0o600
    again = _langso(data_dir, "backup", str(archive))
    assert again.returncode == 1
    assert "đã có" in again.stderr  # never over an existing file

    wrong = _passphrase_run(tmp_path / "wrong", "not the passphrase", "restore", str(archive))
    assert wrong.returncode == 1
    assert "does not open the keys" in wrong.stderr
    assert not (tmp_path / "wrong" / "media").exists()
    right_dir = tmp_path / "right"
    right = _passphrase_run(right_dir, "một câu dài để mở khoá", "restore", str(archive))
    assert right.returncode == 0, right.stderr
    assert "The keys were restored" in right.stdout
    for name in ("secret_key", "vapid_private.pem"):
        assert (right_dir / name).read_bytes() == (data_dir / name).read_bytes()
        assert (right_dir / name).stat().st_mode & 0o777 == 0o600
    twice = _langso(right_dir, "--language", "en", "restore", str(archive))
    assert twice.returncode == 1
    assert "already holds a database" in twice.stderr


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a backup")
    done = _langso(tmp_path / "data", "--language", "en", "restore", str(junk))
    assert done.returncode == 1
    assert "is not a Làng Số backup that can be read" in done.stderr


def test_backup_on_postgresql_says_when_pg_dump_is_missing(tmp_path: Path) -> None:
    done = _langso(
        tmp_path,
        "--language",
        "en",
        "backup",
        str(tmp_path / "b.tar.gz"),
        LANGSO_DATABASE_URL="postgres://langso@127.0.0.1:5432/langso",
        PATH=str(LANGSO.parent),
    )
    assert done.returncode == 1
    assert "pg_dump is not installed" in done.stderr
    assert "apt install postgresql-client" in done.stderr


def test_restore_writes_nothing_outside_the_data_folder(data_dir: Path, tmp_path: Path) -> None:
    honest, crafted = tmp_path / "honest.tar.gz", tmp_path / "crafted.tar.gz"
    assert _langso(data_dir, "backup", str(honest)).returncode == 0
    with tarfile.open(honest, "r:gz") as source, tarfile.open(crafted, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member) if member.isfile() else None)
        for name in ("media/../../escaped.txt", "/tmp/absolute-escape.txt", "other.txt"):
            info = tarfile.TarInfo(name)
            info.size = 4
            target.addfile(info, io.BytesIO(b"evil"))
        link = tarfile.TarInfo("media/lessons/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        target.addfile(link)
    restored = tmp_path / "restored"
    done = _langso(restored, "restore", str(crafted))
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "escaped.txt").exists()
    assert not (restored / "other.txt").exists()
    assert not (restored / "media" / "lessons" / "link").exists()
    assert not Path("/tmp/absolute-escape.txt").exists()
