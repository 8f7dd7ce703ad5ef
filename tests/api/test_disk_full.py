"""A full disk is said in the user's language, and nothing saved is lost (issue 11, finding 13).

The disk is really filled on SQLite: `PRAGMA max_page_count` caps the database file at its current
size, so the next write meets SQLITE_FULL exactly as on a full disk. PostgreSQL's "could not extend
file" (SQLSTATE 53100) and a file write's ENOSPC are recognised by the same rule (unit-tested
below); filling a shared PostgreSQL server's disk is not a test to run on CI.
"""

from __future__ import annotations

import errno
import sqlite3
import uuid

import asyncpg
import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError

from server.accounts import roles
from server.db.config import is_postgres
from server.db.disk import is_disk_full
from server.households.models import Household
from tests.data import household_data, mutation


async def test_a_push_onto_a_full_disk_is_a_503_in_vietnamese_and_loses_nothing(
    village, user, login, client
):
    db = connections.get("default")
    if is_postgres(db):
        pytest.skip("fills the SQLite file; PostgreSQL's full disk by the rule below")
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    saved = uuid.uuid4()
    first = await _push(client, headers, [mutation(saved, household_data(area.code))])
    assert first.status_code == 200
    batch = [
        mutation(uuid.uuid4(), household_data(area.code, notes="Ghi chú dài. " * 150))
        for _ in range(60)
    ]

    pages = (await db.execute_query("PRAGMA page_count"))[1][0][0]
    await db.execute_script(f"PRAGMA max_page_count = {pages}")
    try:
        full = await _push(client, headers | {"Accept-Language": "vi"}, batch)
    finally:
        await db.execute_script("PRAGMA max_page_count = 1073741823")

    assert full.status_code == 503
    assert full.headers["retry-after"] == "300"
    assert "hết chỗ lưu" in full.json()["error"]["message"]
    assert await Household.filter(id=saved).exists()
    assert not await Household.filter(id__in=[m["id"] for m in batch]).exists()
    again = await _push(client, headers, batch)  # the phone sends its outbox again later
    assert [r["status"] for r in again.json()["results"]] == ["applied"] * 60


async def _push(client, headers, mutations):
    body = {"device_id": "phone-disk", "mutations": mutations}
    return await client.post("/api/v1/sync/push", json=body, headers=headers)


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database or disk is full"),
        OperationalError(asyncpg.DiskFullError("could not extend file")),
        OSError(errno.ENOSPC, "No space left on device"),
    ],
    ids=["sqlite", "postgresql-wrapped", "file-write"],
)
def test_a_full_disk_is_recognised_in_every_form(error):
    if isinstance(error, sqlite3.Error):
        error.sqlite_errorcode = 13  # type: ignore[attr-defined]  # as SQLite sets it
    assert is_disk_full(error)


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database is locked"),
        OperationalError(asyncpg.UniqueViolationError("duplicate key")),
        OSError(errno.EACCES, "Permission denied"),
        ValueError("no"),
    ],
)
def test_other_errors_are_not_a_full_disk(error):
    assert not is_disk_full(error)
