"""The raw floor: the same upserts straight into PostgreSQL with asyncpg, 50 per transaction."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import asyncpg
from _common import PULL_LIMIT, BatchOutcome, Mutation, PullOutcome, recreate_database

DATABASE = "floor_bench"

_SCHEMA = """
CREATE SEQUENCE household_seq;
CREATE TABLE household (
    id uuid PRIMARY KEY,
    village text NOT NULL,
    version integer NOT NULL,
    seq bigint NOT NULL,
    data jsonb NOT NULL
);
CREATE INDEX household_village_seq ON household (village, seq);
"""

# One statement per batch: new rows start at version 1; an existing row merges the changed
# fields, bumps its version and moves to the end of the change feed.
_UPSERT = """
INSERT INTO household AS h (id, village, version, seq, data)
SELECT u.id, u.village, 1, nextval('household_seq'), u.data::jsonb
FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, village, data)
ON CONFLICT (id) DO UPDATE
SET data = h.data || EXCLUDED.data, version = h.version + 1, seq = EXCLUDED.seq
RETURNING id::text, version
"""

_PAGE = """
SELECT id::text, version, seq FROM household
WHERE village = $1 AND seq > $2 ORDER BY seq LIMIT $3
"""


class FloorServer:
    """No server at all: a database, a table, one asyncpg connection per device."""

    name = "raw floor"
    note = "asyncpg INSERT … ON CONFLICT DO UPDATE, one statement per 50-row transaction"

    def __init__(self, log: Any = print) -> None:
        self.log = log
        self.dsn = ""

    database = DATABASE

    def server_pids(self) -> list[int]:
        return []

    async def start(self) -> None:
        self.dsn = await recreate_database(DATABASE)
        conn = await asyncpg.connect(self.dsn, timeout=10)
        try:
            await conn.execute(_SCHEMA)
        finally:
            await conn.close()

    async def villages(self, count: int, tag: str) -> list[str]:
        return [f"{tag}-v{index + 1}" for index in range(count)]

    async def device(self, index: int, village: str) -> FloorDevice:
        return FloorDevice(await asyncpg.connect(self.dsn, timeout=10), village)

    async def stop(self) -> None:
        return None


class FloorDevice:
    """One PostgreSQL connection standing in for one device."""

    def __init__(self, conn: asyncpg.Connection, village: str) -> None:
        self.conn = conn
        self.village = village

    async def push(self, batch: Sequence[Mutation]) -> BatchOutcome:
        ids = [mutation.record_id for mutation in batch]
        data = [json.dumps(mutation.data, ensure_ascii=False) for mutation in batch]
        try:
            async with self.conn.transaction():
                rows = await self.conn.fetch(_UPSERT, ids, [self.village] * len(batch), data)
        except asyncpg.PostgresError as exc:
            return BatchOutcome(False, {}, error=f"{type(exc).__name__}: {exc}")
        acked = {str(row["id"]): int(row["version"]) for row in rows}
        return BatchOutcome(len(acked) == len(batch), acked)

    async def pull(self, deadline: float) -> PullOutcome:
        records: list[tuple[str, int]] = []
        cursor = 0
        pages = 0
        while pages < 100_000:
            if time.monotonic() > deadline:
                return PullOutcome(records, pages, "pull time limit reached")
            rows = await self.conn.fetch(_PAGE, self.village, cursor, PULL_LIMIT)
            pages += 1
            records.extend((str(row["id"]), int(row["version"])) for row in rows)
            if len(rows) < PULL_LIMIT:
                break
            cursor = int(rows[-1]["seq"])
        return PullOutcome(records, pages)

    async def close(self) -> None:
        await self.conn.close(timeout=10)
