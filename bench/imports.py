"""Importing a commune's household list: 5,000 rows checked, then imported, on SQLite.

Run: `.venv/bin/python bench/imports.py [--rows 5000] [--backend sqlite|postgres]`

A fresh database (SQLite: a temporary file; PostgreSQL: `langso_imports_bench`, dropped and
recreated), the official units, one village and one coordinator. An XLSX file like a commune's
(two title rows, headers without diacritics, phones typed three ways, one consent column) is made
with openpyxl; then, timed, in-process through the same services the import page calls:
**check** (read the file and plan every row: the preview), **import** (the confirmation: the rows
checked again and saved through sync, `server_writes`, 500 a push) and **re-check** (the same file
again: every row found, nothing to do). Prints the seconds of each and checks the count.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PG_DATABASE = "langso_imports_bench"


def _file(rows: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("DS")
    sheet.append(["DANH SACH HO GIA DINH"])
    sheet.append([])
    headers = ["STT", "Ho ten chu ho", "Dia chi", "So dien thoai", "So nguoi", "Nguoi dong y"]
    sheet.append([*headers, "Ngay dong y", "Dong y"])
    for n in range(1, rows + 1):
        phone = (f"+84 9{n:08d}", f"09{n // 10000:02d}.{n % 10000:04d}.00", 900000000 + n)[n % 3]
        row = [n, f"Nguyễn Văn Thử {n}", f"Xóm {n % 9}", phone, str(n % 7 + 1), "Chủ hộ"]
        sheet.append([*row, "25/03/2025", "x"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _run(rows: int, backend: str) -> None:
    from tortoise import Tortoise

    from server.accounts import roles
    from server.app import create_app
    from server.areas.services import add_village, import_official_units
    from server.cli.upgrade import upgrade
    from server.households.models import Household
    from server.imports import households, services
    from server.imports.plans import CREATE, SKIP
    from server.settings import Settings
    from server.teams.services import create_user

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{Path(folder) / 'langso.sqlite3'}"
        if backend == "postgres":
            url = await _recreate_pg()
        settings = Settings.from_env(
            {
                "LANGSO_DATA_DIR": folder,
                "LANGSO_DATABASE_URL": url,
                "LANGSO_PASSWORD_HASH_COST": "test",
            }
        )
        await upgrade(settings)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            await import_official_units()
            village = await add_village("16591", "Thôn Đo Thời Gian", rows)
            user = await create_user(
                "0987000222", "Điều phối", roles.COORDINATOR, "mat-khau-dai", ["16591"]
            )
            scope = await services.importer(user.phone)
            data = _file(rows)
            print(f"{backend}: {rows} rows, file {len(data) / 1024:.0f} KB")

            started = time.perf_counter()
            plan = await services.households_from_file(scope, "ds.xlsx", data, village.code, "")
            checked = time.perf_counter() - started
            assert plan.count(CREATE) == rows and not plan.errors, plan.errors[:3]

            started = time.perf_counter()
            again = await households.plan(
                plan.table,
                await services.household_target(scope, village.code),
                scope,
                services.today(),
            )
            result = await households.commit(again, scope, "vi")
            imported = time.perf_counter() - started
            assert result.created == rows

            started = time.perf_counter()
            second = await services.households_from_file(scope, "ds.xlsx", data, village.code, "")
            rechecked = time.perf_counter() - started
            assert second.count(SKIP) == rows
            assert await Household.filter(village_code=village.code).count() == rows

            print(f"  check (read + plan, the preview): {checked:6.2f} s")
            print(f"  import (check again + save):      {imported:6.2f} s")
            print(f"  check + import:                   {checked + imported:6.2f} s")
            print(f"  re-check (nothing to do):         {rechecked:6.2f} s")
        await Tortoise.close_connections()


async def _recreate_pg() -> str:
    import asyncpg

    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        await conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    finally:
        await conn.close()
    return f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    options = parser.parse_args()
    asyncio.run(_run(options.rows, options.backend))


if __name__ == "__main__":
    main()
