"""Pulling changes: pages, cursors, scope, and the late-commit case on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from server.accounts import roles
from server.coverage import tally
from server.db.config import connection, is_postgres
from server.households.models import Household
from server.syncable.clock import allocate_versions, txid_horizon
from tests.data import COMMUNE_B, household_data, mutation


async def test_pull_pages_through_everything_in_scope_once(village, user, login, pull_all, push):
    home, other = await village(), await village()
    member = await login(await user(roles.MEMBER, home.code))
    neighbour = await login(await user(roles.MEMBER, other.code))
    mine = [uuid.uuid4() for _ in range(23)]
    await push(member, "d1", [mutation(i, household_data(home.code)) for i in mine])
    await push(neighbour, "d2", [mutation(uuid.uuid4(), household_data(other.code))])

    changes, cursor, pages = await pull_all(member, limit=5)
    households = [c for c in changes if c["type"] == "household"]
    assert sorted(c["record_id"] for c in households) == sorted(map(str, mine))
    assert pages >= 5
    assert {c["data"]["village_code"] for c in households} == {home.code}
    assert households[0]["data"]["phone"] == "0912345678"
    assert "field_meta" not in households[0]["data"]

    again, _, _ = await pull_all(member, limit=50, cursor=cursor)
    assert again == []

    [receipt] = await push(member, "d1", [mutation(mine[3], {"notes": "mới"}, "update", 1)])
    newer, _, _ = await pull_all(member, limit=50, cursor=cursor)
    assert [(c["record_id"], c["data"]["notes"]) for c in newer] == [(str(mine[3]), "mới")]
    assert newer[0]["version"] == receipt["version"]


async def test_coordinator_pulls_the_commune_but_not_the_next(village, user, login, pull_all, push):
    in_a, in_b = await village(), await village(COMMUNE_B)
    coordinator = await login(await user(roles.COORDINATOR, in_a.commune_code))
    admin = await login(await user(roles.ADMIN, "38"))
    a_id, b_id = uuid.uuid4(), uuid.uuid4()
    await push(admin, "adm", [mutation(a_id, household_data(in_a.code))])
    await push(admin, "adm", [mutation(b_id, household_data(in_b.code))])
    changes, _, _ = await pull_all(coordinator, limit=1000)
    ids = {c["record_id"] for c in changes}
    assert str(a_id) in ids and str(b_id) not in ids


async def test_deleted_records_arrive_as_tombstones(village, user, login, pull_all, push):
    area = await village()
    member = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    [created] = await push(member, "d", [mutation(record, household_data(area.code))])
    _, cursor, _ = await pull_all(member, limit=100)
    await push(member, "d", [mutation(record, {}, "delete", created["version"])])
    changes, _, _ = await pull_all(member, limit=100, cursor=cursor)
    assert changes == [
        {
            "type": "household",
            "record_id": str(record),
            "version": changes[0]["version"],
            "deleted": True,
            "data": {},
        }
    ]


async def test_bad_cursor_and_limit_are_clear_errors(client, village, user, login):
    member = await login(await user(roles.MEMBER, (await village()).code))
    bad = await client.get("/api/v1/sync/pull", params={"cursor": "@@@"}, headers=member)
    assert bad.status_code == 400
    assert "đồng bộ" in bad.json()["error"]["message"]
    worse = await client.get("/api/v1/sync/pull", params={"limit": "-1"}, headers=member)
    assert worse.status_code == 422


async def test_pull_needs_sign_in(client):
    response = await client.get("/api/v1/sync/pull")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Vui lòng đăng nhập lại."


@pytest.mark.postgres
async def test_late_commit_is_not_skipped_by_the_cursor(app, village, user, login, pull_all):
    """Two writers on PostgreSQL: the one with the earlier version commits last."""
    assert is_postgres(connection())
    area = await village()
    member = await login(await user(roles.MEMBER, area.code))
    _, cursor, _ = await pull_all(member, limit=500)

    slow_id, fast_id = uuid.uuid4(), uuid.uuid4()
    slow_has_version = asyncio.Event()
    fast_committed = asyncio.Event()

    async def slow_writer() -> int:
        async with in_transaction() as conn:
            [version] = await allocate_versions(conn, 1)
            slow_has_version.set()
            await _insert(conn, slow_id, version, area)
            await fast_committed.wait()  # commit after the later version is already visible
            return version

    async def fast_writer() -> int:
        await slow_has_version.wait()
        async with in_transaction() as conn:
            [version] = await allocate_versions(conn, 1)
            await _insert(conn, fast_id, version, area)
        fast_committed.set()
        return version

    async def _insert(conn, record_id, version, area):
        now = datetime.now(UTC)
        await Household.create(
            id=record_id,
            version=version,
            village_code=area.code,
            commune_code=area.commune_code,
            province_code=area.province_code,
            head_name="Hộ chậm" if record_id == slow_id else "Hộ nhanh",
            consent={},
            created_at=now,
            updated_at=now,
            using_db=conn,
        )

    slow = asyncio.create_task(slow_writer())
    fast_version = await fast_writer()
    # The fast writer's row is committed, the slow one is not: pull now.
    mid, cursor, _ = await pull_all(member, limit=500, cursor=cursor)
    slow_version = await slow
    assert slow_version < fast_version
    late, _, _ = await pull_all(member, limit=500, cursor=cursor)
    pulled = {c["record_id"] for c in mid} | {c["record_id"] for c in late}
    assert {str(slow_id), str(fast_id)} <= pulled
    # The households above were inserted behind the push's back: count them in the coverage
    # figures too, or the dashboards of this shared database stay two households short.
    await tally.rebuild()


async def test_published_lessons_arrive_through_pull_and_cannot_be_pushed(
    village, user, login, pull_all, push
):
    member = await login(await user(roles.MEMBER, (await village()).code))
    changes, _, _ = await pull_all(member, limit=1000)
    # Lessons unpublished or meant for other areas come as tombstones: skip those.
    lessons = [c for c in changes if c["type"] == "lesson" and not c["deleted"]]
    assert len(lessons) >= 10
    first = min(lessons, key=lambda c: c["data"]["order"])
    assert first["data"]["title"] and "<h2>" in first["data"]["html"]
    assert all(q["choices"] and "answer" in q for q in first["data"]["quiz"])
    [receipt] = await push(
        member, "d", [mutation(first["record_id"], {"title": "x"}, "update", 1, "lesson")]
    )
    assert receipt["status"] == "rejected"


@pytest.mark.postgres
async def test_a_long_transaction_in_another_database_does_not_hold_pulls_back(
    village, user, login, settings, pull_all, push
):
    """Transaction ids are server-wide; only this database's running ones may delay a pull."""
    area = await village()
    member = await login(await user(roles.MEMBER, area.code))
    dsn = settings.database_url.replace("postgres://", "postgresql://", 1)
    other = await asyncpg.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    try:
        transaction = other.transaction()
        await transaction.start()
        await other.fetchval("SELECT pg_current_xact_id()")  # holds a transaction id, open
        record = uuid.uuid4()
        await push(member, "d", [mutation(record, household_data(area.code))])

        changes, _, _ = await pull_all(member, limit=500)

        assert str(record) in {c["record_id"] for c in changes}
        await transaction.rollback()
    finally:
        await other.close()


@pytest.mark.postgres
async def test_a_running_transaction_in_this_database_still_holds_the_horizon(settings):
    """The late-commit guarantee stands: this database's open writer keeps the horizon below it."""
    own = await asyncpg.connect(settings.database_url.replace("postgres://", "postgresql://", 1))
    try:
        transaction = own.transaction()
        await transaction.start()
        xid = int(await own.fetchval("SELECT pg_current_xact_id()::text"))
        assert await txid_horizon(connection()) <= xid
        await transaction.rollback()
        assert await txid_horizon(connection()) > xid
    finally:
        await own.close()
