"""Issue 11, finding 1: an empty or short secret never signs anything; new ones are atomic."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from server import keys
from server.app import create_app
from server.cli.commands import main
from server.keys import MIN_SECRET_KEY, SecretError
from server.settings import Settings

_NO_LOCALE = dict.fromkeys(("LC_ALL", "LC_MESSAGES", "LANG", "LANGSO_LANGUAGE"))


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    return {"LANGSO_DATA_DIR": str(data_dir), **extra}


def test_generated_secrets_are_private_whole_and_kept(tmp_path: Path) -> None:
    first = Settings.from_env(_env(tmp_path))
    assert len(first.secret_key) >= MIN_SECRET_KEY
    for name in ("secret_key", "vapid_private.pem"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    again = Settings.from_env(_env(tmp_path))
    assert (again.secret_key, again.vapid_private_key) == (
        first.secret_key,
        first.vapid_private_key,
    )


@pytest.mark.parametrize("kept", ["", "\n", "short-key"])
def test_an_empty_or_short_secret_key_file_stops_the_start(tmp_path: Path, kept: str) -> None:
    (tmp_path / "secret_key").write_text(kept)
    with pytest.raises(SecretError) as raised:
        Settings.from_env(_env(tmp_path))
    assert "Delete the file" in str(raised.value)
    assert (tmp_path / "secret_key").read_text() == kept  # never silently replaced


@pytest.mark.parametrize("given", ["", "x" * (MIN_SECRET_KEY - 1)])
def test_a_short_secret_key_setting_stops_the_start(tmp_path: Path, given: str) -> None:
    with pytest.raises(SecretError, match="LANGSO_SECRET_KEY has"):
        Settings.from_env(_env(tmp_path, LANGSO_SECRET_KEY=given))
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("kept", ["", "-----BEGIN PRIVATE KEY-----\nAAAA\n"])
def test_an_empty_or_damaged_vapid_key_file_stops_the_start(tmp_path: Path, kept: str) -> None:
    (tmp_path / "vapid_private.pem").write_text(kept)
    with pytest.raises(SecretError, match="web-push key file"):
        Settings.from_env(_env(tmp_path))


def test_a_bad_vapid_key_setting_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="LANGSO_VAPID_PRIVATE_KEY"):
        Settings.from_env(_env(tmp_path, LANGSO_VAPID_PRIVATE_KEY="not a key"))


def test_a_full_disk_leaves_no_secret_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(keys.os, "fsync", full)
    with pytest.raises(SecretError, match="Free some disk space"):
        Settings.from_env(_env(tmp_path))
    assert list(tmp_path.iterdir()) == []  # neither a 0-byte key nor a temporary file
    monkeypatch.undo()
    assert len(Settings.from_env(_env(tmp_path)).secret_key) >= MIN_SECRET_KEY


def test_the_server_refuses_to_start_on_an_empty_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secret_key").write_text("")
    monkeypatch.setenv("LANGSO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LANGSO_SECRET_KEY", raising=False)
    with pytest.raises(SecretError):
        create_app()  # what `server.asgi` does under uvicorn


@pytest.mark.parametrize(
    ("args", "language", "expected"),
    [
        (["db", "upgrade"], "vi", "Lỗi: Tệp khoá bí mật"),
        (["db", "upgrade"], "en", "Error: The secret key file"),
        (["serve"], "en", "Error: The secret key file"),
        (["user", "add", "--help"], "en", "Usage:"),  # help needs no settings
    ],
)
def test_the_commands_refuse_an_empty_key_with_a_clear_message(
    tmp_path: Path, args: list[str], language: str, expected: str
) -> None:
    (tmp_path / "secret_key").write_text("")
    env: dict[str, str | None] = {**_NO_LOCALE, "LANGSO_LANGUAGE": language}
    env.update(LANGSO_DATA_DIR=str(tmp_path), LANGSO_SECRET_KEY=None)
    result = CliRunner().invoke(main, args, env=env, prog_name="langso")
    assert expected in result.output
    if args[-1] != "--help":
        assert result.exit_code == 1
        assert not (tmp_path / "langso.sqlite3").exists()  # nothing was started or migrated
