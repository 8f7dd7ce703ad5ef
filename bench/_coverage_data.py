"""The data `bench/coverage.py` seeds: one province's villages and households, in bulk SQL."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

PG_ADMIN_DSN = os.environ.get("BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "langso_coverage_bench"
PROVINCE = "38"
PASSWORD = "bench-coverage-1"
COLUMNS = (
    *("id", "version", "txid", "deleted", "field_meta", "created_at", "updated_at"),
    *("village_code", "commune_code", "province_code", "head_name", "address", "phone"),
    *("people_count", "adult_count", "consent", "indicators", "notes", "created_by"),
)
CHUNK = 50_000


def pg_url(database: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{database}".replace("postgresql://", "postgres://", 1)


async def recreate_pg() -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    finally:
        await conn.close()


def indicators(rng: random.Random, readiness: float) -> dict[str, Any]:
    from server.content import curriculum

    values: dict[str, Any] = {}
    for indicator in curriculum.indicator_set().indicators:
        if rng.random() < 0.08:
            continue  # not recorded yet
        ahead = rng.random() < readiness
        if indicator.type == "bool":
            values[indicator.key] = ahead
        elif indicator.type == "int":
            values[indicator.key] = rng.randint(1, 3) if ahead else 0
        else:
            choices = [c.value for c in indicator.choices]
            values[indicator.key] = choices[-1] if ahead else rng.choice(choices[:-1])
    return values


def household_rows(villages: list[tuple[str, str]], count: int, seed: int) -> Any:
    """Rows in COLUMNS order, CHUNK at a time; each village gets its own readiness."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    readiness = {code: rng.uniform(0.3, 0.95) for code, _ in villages}
    consent = json.dumps(
        {"given_by": "Chủ hộ", "purposes": ["support_records"], "given_at": now.isoformat()}
    )
    creator = str(uuid.uuid4())
    rows = []
    for n in range(count):
        code, commune = villages[n % len(villages)]
        created = now - timedelta(days=rng.uniform(0, 26 * 7))
        rows.append(
            (
                uuid.uuid4(),
                n + 1,
                0,
                False,
                "{}",
                created,
                created,
                code,
                commune,
                PROVINCE,
                f"Hộ số {n}",
                f"Xóm {n % 9 + 1}",
                None,
                4,
                2,
                consent,
                json.dumps(indicators(rng, readiness[code]), separators=(",", ":")),
                "",
                creator,
            )
        )
        if len(rows) == CHUNK:
            yield rows
            rows = []
    if rows:
        yield rows


async def seed(settings: Any, count: int, village_count: int) -> dict[str, Any]:
    from server.areas import kinds
    from server.areas.models import Area

    communes = await Area.filter(kind=kinds.COMMUNE, province_code=PROVINCE).order_by("code")
    areas = []
    for n in range(village_count):
        commune = communes[n % len(communes)]
        number = n // len(communes) + 1
        areas.append(
            Area(
                code=f"{commune.code}-{number:03d}",
                kind=kinds.VILLAGE,
                name=f"Thôn {number} {commune.name}",
                division_type="thôn",
                parent_code=commune.code,
                province_code=PROVINCE,
                commune_code=commune.code,
                household_estimate=int(count / village_count * 1.15),
            )
        )
    await Area.bulk_create(areas, batch_size=1000)
    villages = [(a.code, str(a.commune_code)) for a in areas]
    started = time.perf_counter()
    if settings.is_postgres:
        import asyncpg

        conn = await asyncpg.connect(settings.database_url.replace("postgres://", "postgresql://"))
        try:
            for rows in household_rows(villages, count, seed=5):
                await conn.copy_records_to_table("household", records=rows, columns=COLUMNS)
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
    else:
        path = settings.database_url.removeprefix("sqlite://")
        db = sqlite3.connect(path)
        marks = ", ".join("?" * len(COLUMNS))
        sql = f"INSERT INTO household ({', '.join(COLUMNS)}) VALUES ({marks})"
        for rows in household_rows(villages, count, seed=5):
            db.executemany(
                sql,
                [
                    (
                        str(r[0]),
                        *r[1:3],
                        int(r[3]),
                        r[4],
                        r[5].isoformat(),
                        r[6].isoformat(),
                        *r[7:],
                    )
                    for r in rows
                ],
            )
            db.commit()
        db.execute("ANALYZE")
        db.commit()
        db.close()
    return {"seed_s": round(time.perf_counter() - started, 1), "commune_code": communes[0].code}
