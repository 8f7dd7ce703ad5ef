"""Versions in commit order, and the horizon below which every transaction has finished."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from server.db.config import is_postgres


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
    """On PostgreSQL, the oldest transaction of this database still running: rows written below
    it are final.

    Pull only returns rows whose writing transaction is below this horizon, so a transaction
    that took its version early but commits late is never skipped by a cursor. Transaction ids
    are server-wide: a snapshot's oldest running transaction may belong to another database,
    and a long one there would hold every pull back. So the running transactions of the
    snapshot that the server's activity view puts in *another* database (or that belong to no
    database) are left out. One it cannot place (it ended meanwhile, or the view hides other
    users' sessions from this role) still counts: the horizon may stay low, never too high.
    """
    if not is_postgres(conn):
        return None
    rows = await conn.execute_query_dict(_HORIZON)
    return int(rows[0]["horizon"])


# xid8 values are 64-bit (epoch and 32-bit xid); the activity views show 32-bit xids.
_HORIZON = """
WITH snapshot AS (SELECT pg_current_snapshot() AS s),
elsewhere AS (
    SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity
    WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()
    UNION ALL
    SELECT transaction::text::bigint FROM pg_prepared_xacts
    WHERE database <> current_database()
)
SELECT LEAST(
    (SELECT min(x::text::bigint) FROM snapshot, pg_snapshot_xip(snapshot.s) AS x
     WHERE x::text::bigint % 4294967296 NOT IN (SELECT xid FROM elsewhere)),
    (SELECT pg_snapshot_xmax(s)::text::bigint FROM snapshot)
) AS horizon
"""
