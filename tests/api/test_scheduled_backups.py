"""Scheduled backups: made at the set time, the newest N kept, each step logged."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, time
from pathlib import Path

import pytest
from starlette.applications import Starlette

from server.ops import schedule
from server.settings import SettingError, Settings


@pytest.mark.asyncio(loop_scope="session")
async def test_a_run_writes_a_backup_and_keeps_the_newest(
    app: Starlette, settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="langso.backup")
    nightly = dataclasses.replace(settings, backup_dir=tmp_path / "backups", backup_keep=2)
    made = [schedule.run_once(nightly, datetime(2026, 12, day, 2, 30)) for day in (1, 2, 3)]
    assert [p.name for p in schedule.archives(nightly.backup_dir)] == [
        "langso-20261202-023000.tar.gz",
        "langso-20261203-023000.tar.gz",
    ]
    assert not made[0].exists()
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in made[1:])
    said = [r.getMessage() for r in caplog.records if r.name == "langso.backup"]
    assert said[0].startswith("backup written: langso-20261201-023000.tar.gz (")
    assert "old backup deleted: langso-20261201-023000.tar.gz" in said


def test_the_next_run_is_today_or_tomorrow_at_the_set_time() -> None:
    at = time(2, 30)
    assert schedule.next_run(datetime(2026, 12, 2, 1, 0), at) == datetime(2026, 12, 2, 2, 30)
    assert schedule.next_run(datetime(2026, 12, 2, 2, 30), at) == datetime(2026, 12, 3, 2, 30)
    assert schedule.next_run(datetime(2026, 12, 31, 23, 0), at) == datetime(2027, 1, 1, 2, 30)


def test_backup_settings_are_read_and_checked(tmp_path: Path) -> None:
    env = {"LANGSO_DATA_DIR": str(tmp_path)}
    plain = Settings.from_env(env)
    assert (plain.backup_time, plain.backup_dir, plain.backup_keep) == (
        None,
        tmp_path.resolve() / "backups",
        7,
    )
    assert schedule.start(plain) is None
    set_ = Settings.from_env({**env, "LANGSO_BACKUP_TIME": "2:05", "LANGSO_BACKUP_KEEP": "14"})
    assert (set_.backup_time, set_.backup_keep) == (time(2, 5), 14)
    for variable, value in (
        ("LANGSO_BACKUP_TIME", "25:00"),
        ("LANGSO_BACKUP_TIME", "nightly"),
        ("LANGSO_BACKUP_KEEP", "0"),
        ("LANGSO_BACKUP_KEEP", "many"),
    ):
        with pytest.raises(SettingError, match=variable):
            Settings.from_env({**env, variable: value})
