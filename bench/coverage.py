"""The coordinator's coverage dashboard over 1,000,000 households in 5,000 villages.

Run: `.venv/bin/python bench/coverage.py [--households 1000000] [--villages 5000]
[--requests 60] [--backends postgres,sqlite]`

For each backend (each in its own process): a fresh database (PostgreSQL: `langso_coverage_bench`,
dropped and recreated; SQLite: a temporary file), the official units, N villages spread over the
communes of Thanh Hóa (38), and M households seeded with bulk SQL (PostgreSQL `COPY`, SQLite
multi-row `executemany`), created over the last 26 weeks with indicator values that make some
villages fall behind. Then `langso coverage rebuild` counts them (timed), a province coordinator
signs in, and the province dashboard (`GET /coverage/38`) and a commune drill-down
(`GET /coverage/<commune>`) are requested through the ASGI app in-process (full HTML pages:
queries and rendering), sequentially. Prints p50/p95/max per page, and checks that the
dashboard's household count equals `SELECT count(*)`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

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


def _pg_url(database: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{database}".replace("postgresql://", "postgres://", 1)


async def _recreate_pg() -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    finally:
        await conn.close()


def _indicators(rng: random.Random, readiness: float) -> dict[str, Any]:
    from server import curriculum

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


def _households(villages: list[tuple[str, str]], count: int, seed: int) -> Any:
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
                json.dumps(_indicators(rng, readiness[code]), separators=(",", ":")),
                "",
                creator,
            )
        )
        if len(rows) == CHUNK:
            yield rows
            rows = []
    if rows:
        yield rows


async def _seed(settings: Any, households: int, village_count: int) -> dict[str, Any]:
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
                household_estimate=int(households / village_count * 1.15),
            )
        )
    await Area.bulk_create(areas, batch_size=1000)
    villages = [(a.code, str(a.commune_code)) for a in areas]
    started = time.perf_counter()
    if settings.is_postgres:
        import asyncpg

        conn = await asyncpg.connect(settings.database_url.replace("postgres://", "postgresql://"))
        try:
            for rows in _households(villages, households, seed=5):
                await conn.copy_records_to_table("household", records=rows, columns=COLUMNS)
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
    else:
        path = settings.database_url.removeprefix("sqlite://")
        db = sqlite3.connect(path)
        marks = ", ".join("?" * len(COLUMNS))
        sql = f"INSERT INTO household ({', '.join(COLUMNS)}) VALUES ({marks})"
        for rows in _households(villages, households, seed=5):
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


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def _run_backend(
    backend: str, households: int, villages: int, requests: int
) -> dict[str, Any]:
    import httpx

    from server.accounts import roles
    from server.accounts.services import create_user
    from server.app import create_app
    from server.areas.services import import_official_units
    from server.coverage import tally
    from server.db import connection, upgrade
    from server.settings import Settings

    data_dir = Path(tempfile.mkdtemp(prefix="langso-coverage-bench-"))
    if backend == "postgres":
        await _recreate_pg()
        url = _pg_url(PG_DATABASE)
    else:
        url = f"sqlite://{data_dir / 'bench.sqlite3'}"
    settings = Settings.from_env({"LANGSO_DATA_DIR": str(data_dir), "LANGSO_DATABASE_URL": url})
    await upgrade(settings)
    app = create_app(settings)
    result: dict[str, Any] = {"backend": backend, "households": households, "villages": villages}
    async with app.router.lifespan_context(app):
        await import_official_units()
        result.update(await _seed(settings, households, villages))
        started = time.perf_counter()
        counted = await tally.rebuild()
        result["rebuild_s"] = round(time.perf_counter() - started, 1)
        assert counted == households, (counted, households)
        await create_user(
            phone="0909000001",
            name="Điều phối tỉnh",
            role=roles.COORDINATOR,
            password=PASSWORD,
            area_codes=[PROVINCE],
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            token = (
                await client.post(
                    "/api/v1/session", json={"phone": "0909000001", "password": PASSWORD}
                )
            ).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            pages = {
                "province": f"/coverage/{PROVINCE}",
                "commune": f"/coverage/{result['commune_code']}",
            }
            for name, path in pages.items():
                for _ in range(3):  # warm up
                    response = await client.get(path, headers=headers)
                    assert response.status_code == 200, response.text[:300]
                samples = []
                for _ in range(requests):
                    t0 = time.perf_counter()
                    response = await client.get(path, headers=headers)
                    samples.append(time.perf_counter() - t0)
                    assert response.status_code == 200
                result[name] = _percentiles(samples)
                result[name]["bytes"] = len(response.content)
            exports = {
                "export_province_coverage_xlsx": f"/coverage/{PROVINCE}/export/coverage.xlsx",
                "export_commune_households_xlsx": (
                    f"/coverage/{result['commune_code']}/export/households.xlsx"
                ),
                "export_commune_households_csv": (
                    f"/coverage/{result['commune_code']}/export/households.csv"
                ),
            }
            for name, path in exports.items():
                samples = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    response = await client.get(path, headers=headers)
                    samples.append(time.perf_counter() - t0)
                    assert response.status_code == 200
                result[name] = {
                    "median_ms": round(statistics.median(samples) * 1000),
                    "bytes": len(response.content),
                }
            api = (await client.get(f"/api/v1/coverage/{PROVINCE}", headers=headers)).json()
        rows = await connection().execute_query_dict(
            "SELECT count(*) AS n FROM household WHERE deleted = false"
        )
        result["check"] = api["area"]["households"] == int(rows[0]["n"]) == households
    return result


async def _push_overhead(backend: str, batches: int) -> dict[str, Any]:
    """Median time of one 50-household push batch with the coverage counts kept, and without."""
    from server.accounts import roles
    from server.accounts.services import create_user, scope_of
    from server.app import create_app
    from server.areas.services import add_village, import_official_units
    from server.coverage import tally
    from server.db import upgrade
    from server.settings import Settings
    from server.sync.push import PushRequest, push
    from tests.conftest import household_data

    data_dir = Path(tempfile.mkdtemp(prefix="langso-coverage-push-"))
    if backend == "postgres":
        await _recreate_pg()
        url = _pg_url(PG_DATABASE)
    else:
        url = f"sqlite://{data_dir / 'bench.sqlite3'}"
    settings = Settings.from_env({"LANGSO_DATA_DIR": str(data_dir), "LANGSO_DATABASE_URL": url})
    await upgrade(settings)
    app = create_app(settings)
    keep = tally.record_households

    async def skip(*_args: Any) -> None:
        return None

    timings: dict[str, list[float]] = {"with": [], "without": []}
    async with app.router.lifespan_context(app):
        await import_official_units()
        village = await add_village("16591", "Thôn Đo", 5000)
        member = await create_user(
            phone="0909000002",
            name="Tổ viên",
            role=roles.MEMBER,
            password=PASSWORD,
            area_codes=[village.code],
        )
        scope = await scope_of(member)
        rng = random.Random(3)
        for n in range(batches * 2):
            mode = "with" if n % 2 == 0 else "without"
            tally.record_households = keep if mode == "with" else skip  # type: ignore[assignment]
            mutations = [
                {
                    "id": str(uuid.uuid4()),
                    "type": "household",
                    "record_id": str(uuid.uuid4()),
                    "op": "create",
                    "base_version": 0,
                    "data": household_data(village.code, indicators=_indicators(rng, 0.6)),
                }
                for _ in range(50)
            ]
            t0 = time.perf_counter()
            await push(PushRequest(scope=scope, device_id="bench", mutations=mutations))
            timings[mode].append(time.perf_counter() - t0)
        tally.record_households = keep  # type: ignore[assignment]
    return {
        "backend": backend,
        "batches": batches,
        **{f"{mode}_ms": round(statistics.median(t) * 1000, 1) for mode, t in timings.items()},
    }


def _print(results: list[dict[str, Any]]) -> None:
    print()
    print(
        "| backend | households | villages | seed (bulk SQL) | rebuild | page | p50 | p95 | max |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for page in ("province", "commune"):
            f = r[page]
            print(
                f"| {r['backend']} | {r['households']:,} | {r['villages']:,} | {r['seed_s']} s "
                f"| {r['rebuild_s']} s | {page} | {f['p50_ms']} ms | {f['p95_ms']} ms "
                f"| {f['max_ms']} ms |"
            )
    print()
    print("| backend | export | median of 3 | size |")
    print("|---|---|---|---|")
    for r in results:
        for name in sorted(k for k in r if k.startswith("export_")):
            f = r[name]
            print(f"| {r['backend']} | {name[7:]} | {f['median_ms']} ms | {f['bytes']:,} B |")
    print()
    for r in results:
        print(f"{r['backend']}: dashboard count equals SELECT count(*): {r['check']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--villages", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--push-overhead",
        type=int,
        metavar="BATCHES",
        help="instead: time BATCHES push batches of 50 creates with and without the counts",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one backend here
    args = parser.parse_args()
    if args.one:
        if args.push_overhead:
            result = asyncio.run(_push_overhead(args.one, args.push_overhead))
        else:
            result = asyncio.run(
                _run_backend(args.one, args.households, args.villages, args.requests)
            )
        print("RESULT " + json.dumps(result))
        return
    results = []
    for backend in args.backends.split(","):
        # One process per backend: Tortoise cannot switch databases inside one process.
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                backend,
                "--households",
                str(args.households),
                "--villages",
                str(args.villages),
                "--requests",
                str(args.requests),
                *(["--push-overhead", str(args.push_overhead)] if args.push_overhead else []),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
        results.append(json.loads(line[7:]))
        print(f"{backend}: done", flush=True)
    if args.push_overhead:
        print("| backend | batches of 50 creates | median with counts | median without |")
        print("|---|---|---|---|")
        for r in results:
            print(f"| {r['backend']} | {r['batches']} | {r['with_ms']} ms | {r['without_ms']} ms |")
    else:
        _print(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
