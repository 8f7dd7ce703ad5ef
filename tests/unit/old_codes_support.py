"""A database made before codes kept their zeros (`python -m tests.unit.old_codes_support build`),
and what the repair made of it (`… read`, printed as JSON).

It runs as its own process, on the database LANGSO_DATABASE_URL names, so its Tortoise context
stays out of the test process.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate
from tortoise.transactions import in_transaction

from server.accounts.models import User, UserArea
from server.areas.models import Area
from server.checklists.models import ChecklistTemplate
from server.coverage.models import CoverageTotal
from server.db.config import connection, database, is_postgres, placeholders, tortoise_config
from server.households.models import Household
from server.search import fold
from server.settings import Settings
from server.syncable.clock import allocate_versions
from server.syncable.models import ChangeLog, Conflict
from server.teams.models import Team

BEFORE = "langso.0011_search_names"
# Household columns added by later migrations (0014_consent_withdrawal).
# Households: (village, commune, province) as the old import and `add_village` wrote them.
HOUSEHOLDS = {
    "a0000000-0000-4000-8000-000000000001": ("70-001", "70", "1"),  # Phường Hoàn Kiếm, Hà Nội
    "a0000000-0000-4000-8000-000000000002": ("16591-001", "16591", "38"),  # Xã Các Sơn
    "a0000000-0000-4000-8000-000000000003": ("1273-001", "1273", "4"),  # Phường Thục Phán, Cao Bằng
}
COORDINATOR = "c0000000-0000-4000-8000-000000000001"  # `langso user add --area 4`
MEMBER = "c0000000-0000-4000-8000-000000000002"  # a member of village 70-001


async def _old_import() -> None:
    """What `langso areas import` did before: codes read as numbers, so four pairs collided."""
    from vietnam_provinces import Province, Ward

    def row(code: int, kind: str, name: str, division: str, parent: int | None) -> Area:
        return Area(
            code=str(code),
            kind=kind,
            name=name,
            search_name=fold(name),
            division_type=division,
            parent_code=None if parent is None else str(parent),
            province_code=str(parent if parent is not None else code),
            commune_code=str(code) if parent is not None else None,
        )

    provinces = [
        row(int(p.code), "province", p.name, p.division_type.value, None)
        for p in Province.iter_all()
    ]
    communes = [
        row(int(w.code), "commune", w.name, w.division_type.value, int(w.province_code))
        for w in Ward.iter_all()
    ]
    async with in_transaction() as conn:
        for rows in (provinces, communes):
            await Area.bulk_create(
                rows,
                batch_size=500,
                on_conflict=["code"],
                update_fields=[
                    "name",
                    "search_name",
                    "division_type",
                    "parent_code",
                    "province_code",
                ],
                using_db=conn,
            )


async def _village(code: str, commune: Area, name: str) -> Area:
    return await Area.create(
        code=code,
        kind="village",
        name=name,
        search_name=fold(name),
        division_type="thôn",
        parent_code=commune.code,
        province_code=commune.province_code,
        commune_code=commune.code,
    )


async def _old_household(
    record: str, version: int, codes: tuple[str, str, str], now: datetime
) -> None:
    """A household row with the columns of 0011 only (the model has grown columns since)."""
    conn = connection()
    postgres = is_postgres(conn)
    values: dict[str, Any] = {
        "id": record if not postgres else uuid.UUID(record),
        "version": version,
        "txid": 0,
        "deleted": False,
        "field_meta": "{}",
        "created_at": now if postgres else now.isoformat(sep=" "),
        "updated_at": now if postgres else now.isoformat(sep=" "),
        "village_code": codes[0],
        "commune_code": codes[1],
        "province_code": codes[2],
        "head_name": "",
        "address": "",
        "indicators": json.dumps({"vneid": "level2"}),
        "notes": "",
    }
    marks = ", ".join(placeholders(conn, len(values)))
    await conn.execute_query(
        f"INSERT INTO household ({', '.join(values)}) VALUES ({marks})", list(values.values())
    )


async def build() -> None:
    """The state a database was left in by the old import, with records pointing at it."""
    now = datetime.now(UTC)
    await _old_import()
    villages = {}
    for village, commune_code, _province in HOUSEHOLDS.values():
        commune = await Area.get(code=commune_code)
        villages[village] = await _village(village, commune, f"Thôn của {commune.name}")
    coordinator = await User.create(
        id=COORDINATOR, phone="0901000101", name="Điều phối", role="coordinator", password_hash=""
    )
    member = await User.create(
        id=MEMBER, phone="0901000102", name="Tổ viên", role="member", password_hash=""
    )
    await UserArea.create(user=coordinator, area_id="4")
    await UserArea.create(user=member, area_id="70-001")
    await Team.create(village=villages["70-001"], name="Tổ Hoàn Kiếm")
    await ChecklistTemplate.create(key="old", version=1, title={}, items=[], area_code="4")
    for record, (village, commune, province) in HOUSEHOLDS.items():
        [version] = await allocate_versions(connection(), 1)
        await _old_household(record, version, (village, commune, province), now)
        await ChangeLog.create(
            at=now,
            record_type="household",
            record_id=record,
            version=version,
            op="create",
            after={"village_code": village, "head_name": "An"},
            village_code=village,
        )
        for code in (village, commune, province):
            await CoverageTotal.create(area_code=code, key="households", count=1)
    await Conflict.create(
        id=uuid.uuid4(),
        record_type="household",
        record_id=next(iter(HOUSEHOLDS)),
        field="village_code",
        kept_version=1,
        lost_device_id="phone",
        lost_user_id=MEMBER,
        mutation_id=uuid.uuid4(),
        base_version=0,
        village_code="70-001",
        commune_code="70",
        created_at=now,
    )
    conn = connection()
    kept, lost = placeholders(conn, 2)  # as the push writes them: JSON text
    await conn.execute_query(
        f"UPDATE sync_conflict SET kept_value = {kept}, lost_value = {lost}",
        [json.dumps("70-001"), json.dumps("70-001")],
    )


async def read() -> dict[str, Any]:
    """What the repair left: areas, links and records, as plain values."""
    areas = await Area.filter(
        code__in=["4", "04", "00004", "70", "00070", "70-001", "00070-001", "1273", "01273"]
    ).values("code", "kind", "name", "parent_code", "province_code", "commune_code")
    return {
        "areas": {a["code"]: a for a in areas},
        "kinds": {kind: await Area.filter(kind=kind).count() for kind in ("province", "commune")},
        "user_area": sorted(
            [str(u), str(a)] for u, a in await UserArea.all().values_list("user_id", "area_id")
        ),
        "teams": await Team.all().values_list("village_id", flat=True),
        "templates": await ChecklistTemplate.all().values_list("area_code", flat=True),
        "households": {
            str(h["id"]): h
            for h in await Household.all().values(
                "id", "village_code", "commune_code", "province_code", "version"
            )
        },
        "log": await ChangeLog.all().order_by("id").values("village_code", "after"),
        "conflicts": await Conflict.all().values(
            "village_code", "commune_code", "kept_value", "lost_value"
        ),
        "coverage": sorted(
            await CoverageTotal.filter(key="households").values_list("area_code", "count")
        ),
    }


async def _main(command: str) -> None:
    settings = Settings.from_env()
    if command == "build":
        async with TortoiseContext():
            await migrate(config=tortoise_config(settings), target=BEFORE)
    async with database(settings):
        if command == "build":
            await build()
        else:
            print(json.dumps(await read(), default=str, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1]))
