"""Versions in commit order, and the horizon below which every transaction has finished."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from server.db import is_postgres


async def allocate_versions(conn: BaseDBAsyncClient, count: int) -> list[int]:
    """`count` new, increasing versions (a sequence on PostgreSQL, a counter row on SQLite)."""
    if count <= 0:
        return []
    if is_postgres(conn):
        rows = await conn.execute_query_dict(
            "SELECT array_agg(nextval('sync_version')) AS v FROM generate_series(1, $1)", [count]
        )
        return sorted(int(v) for v in rows[0]["v"])
    rows = await conn.execute_query_dict(
        "UPDATE sync_clock SET value = value + ? WHERE id = 1 RETURNING value", [count]
    )
    top = int(rows[0]["value"])
    return list(range(top - count + 1, top + 1))


async def lock_device(conn: BaseDBAsyncClient, device_id: str) -> None:
    """Serialise one device's pushes so its mutations apply in the order it made them."""
    if is_postgres(conn):
        await conn.execute_query(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [device_id]
        )


async def txid_horizon(conn: BaseDBAsyncClient) -> int | None:
    """On PostgreSQL, the oldest transaction still running: rows written below it are final.

    Pull only returns rows whose writing transaction is below this horizon, so a transaction
    that took its version early but commits late is never skipped by a cursor.
    """
    if not is_postgres(conn):
        return None
    rows = await conn.execute_query_dict(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin"
    )
    return int(rows[0]["xmin"])
