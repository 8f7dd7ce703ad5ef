"""The record of processing says where the data is kept, never the database's password."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.rights.record import Where
from server.settings import Settings


def test_a_postgresql_address_loses_its_user_and_password(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "LANGSO_DATA_DIR": str(tmp_path),
            "LANGSO_DATABASE_URL": "postgres://langso:bi-mat@db.tinh.vn:5433/langso",
        }
    )

    where = Where.of(settings)

    assert (where.database_kind, where.database_place) == ("PostgreSQL", "db.tinh.vn:5433/langso")
    assert "bi-mat" not in repr(where) and "langso:" not in repr(where)
    assert where.breach_notice_hours == 72


def test_a_sqlite_file_is_named(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"LANGSO_DATA_DIR": str(tmp_path), "LANGSO_BREACH_NOTICE_HOURS": "48"}
    )

    where = Where.of(settings)

    assert where.database_kind == "SQLite"
    assert where.database_place == str(tmp_path / "langso.sqlite3")
    assert where.breach_notice_hours == 48


def test_a_breach_notice_outside_1_to_720_hours_stops_the_server(tmp_path: Path) -> None:
    for hours in ("0", "721"):
        with pytest.raises(ValueError, match="LANGSO_BREACH_NOTICE_HOURS"):
            Settings.from_env(
                {"LANGSO_DATA_DIR": str(tmp_path), "LANGSO_BREACH_NOTICE_HOURS": hours}
            )
