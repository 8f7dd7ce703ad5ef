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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _coverage_data import PASSWORD, PG_DATABASE, PROVINCE, pg_url, recreate_pg, seed  # noqa: E402
from _coverage_push import push_overhead  # noqa: E402


async def _spread_over_stripes(conn: Any) -> int:
    """Split every count as phones leave it: a village's over 4 stripes, the rest over all 8.

    `rebuild` writes each count as one row (stripe 0); pushes add into the stripe of each phone
    (`docs/coverage.md`), so a real village has a few rows per key and a commune or province one
    per stripe. Stripes 1..k-1 get 1 each, stripe 0 the rest: the sums are unchanged. Returns
    how many count rows there are then.
    """
    stripes = " UNION ALL ".join(f"SELECT {n} AS n" for n in range(1, 8))
    for table, key in (("coverage_total", "key"), ("coverage_week", "week, key")):
        per_area = "CASE WHEN a.kind = 'village' THEN 4 ELSE 8 END"
        await conn.execute_script(
            f"INSERT INTO {table} (area_code, {key}, stripe, count) "
            f"SELECT t.area_code, {', '.join('t.' + c.strip() for c in key.split(','))}, s.n, 1 "
            f"FROM {table} t JOIN area a ON a.code = t.area_code JOIN ({stripes}) s "
            f"ON s.n < {per_area} WHERE t.stripe = 0; "
            f"UPDATE {table} SET count = count - (SELECT {per_area} - 1 FROM area a "
            f"WHERE a.code = {table}.area_code) WHERE stripe = 0"
        )
    rows = await conn.execute_query_dict("SELECT count(*) AS n FROM coverage_total")
    return int(rows[0]["n"])


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
    from server.app import create_app
    from server.areas.services import import_official_units
    from server.cli.upgrade import upgrade
    from server.coverage import tally
    from server.db.config import connection
    from server.settings import Settings
    from server.teams.services import create_user

    data_dir = Path(tempfile.mkdtemp(prefix="langso-coverage-bench-"))
    if backend == "postgres":
        await recreate_pg()
        url = pg_url(PG_DATABASE)
    else:
        url = f"sqlite://{data_dir / 'bench.sqlite3'}"
    settings = Settings.from_env({"LANGSO_DATA_DIR": str(data_dir), "LANGSO_DATABASE_URL": url})
    await upgrade(settings)
    app = create_app(settings)
    result: dict[str, Any] = {"backend": backend, "households": households, "villages": villages}
    async with app.router.lifespan_context(app):
        await import_official_units()
        result.update(await seed(settings, households, villages))
        started = time.perf_counter()
        counted = await tally.rebuild()
        result["rebuild_s"] = round(time.perf_counter() - started, 1)
        assert counted == households, (counted, households)
        result["count_rows"] = await _spread_over_stripes(connection())
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
            result = asyncio.run(push_overhead(args.one, args.push_overhead))
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
