"""Villages from a file, for one commune: name, kind (thôn, bản, tổ dân phố…), households.

A row whose name (without diacritics) is already a village of the commune updates its household
estimate, or is left as it is; the others are added through the village service."""

from __future__ import annotations

from typing import Any

from server.areas import services as areas
from server.i18n import N_
from server.imports.columns import Column, layout, whole_number
from server.imports.plans import CREATE, SKIP, UPDATE, Change, Plan, Result, RowError
from server.imports.reading import FileRefused, Table
from server.search import fold

COLUMNS = (
    Column("name", "Tên thôn", ("thôn", "tên", "tên thôn/bản/tổ dân phố", "village")),
    Column("kind", "Loại (thôn/bản/tổ dân phố)", ("loại", "loại đơn vị", "kind")),
    Column("households", "Số hộ (ước tính)", ("số hộ", "số hộ ước tính", "households")),
)
EXAMPLE: list[Any] = ["Thôn Đông", "thôn", 120]
# What a village may be called; the folded form as typed → the name kept.
KINDS = {
    fold(name): name for name in ("thôn", "bản", "tổ dân phố", "ấp", "buôn", "xóm", "làng", "khóm")
}


async def plan(table: Table, commune_code: str) -> Plan:
    """What importing `table` into the commune would do; nothing is saved."""
    found = layout(table, COLUMNS)
    if not found.has("name"):
        raise FileRefused(
            N_("The file has no column “%(column)s”. Add it, as in the template."),
            params={"column": COLUMNS[0].header},
        )
    existing = {fold(v.name): v for v in await areas.villages_in([commune_code])}
    result = Plan(table=table, columns=COLUMNS, layout=found)
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        errors: list[RowError] = []
        name = found.cell(cells, "name").strip()
        kind = KINDS.get(fold(found.cell(cells, "kind")) or "thon")
        households = whole_number(found.cell(cells, "households") or "0")
        if not name:
            errors.append(RowError(number, "name", N_("Write the village's name.")))
        elif len(name) > 120:
            errors.append(RowError(number, "name", N_("Use at most 120 characters for the name.")))
        elif fold(name) in seen:
            errors.append(
                RowError(
                    number,
                    "name",
                    N_("This village is already on row %(row)s."),
                    {"row": seen[fold(name)]},
                )
            )
        if kind is None:
            errors.append(RowError(number, "kind", N_("Write thôn, bản or tổ dân phố.")))
        if households is None or households > 100_000:
            errors.append(
                RowError(number, "households", N_("Enter a number of households from 0 to 100000."))
            )
        if errors:
            result.errors += errors
            continue
        seen[fold(name)] = number
        estimate = households if found.cell(cells, "households") else None
        data = {"name": name, "kind": kind, "households": estimate}
        current = existing.get(fold(name))
        if current is None:
            result.changes.append(Change(number, CREATE, None, data))
        elif estimate is None or estimate == current.household_estimate:
            result.changes.append(Change(number, SKIP, None, {**data, "code": current.code}))
        else:
            data = {**data, "name": current.name, "code": current.code}
            result.changes.append(Change(number, UPDATE, None, data))
    return result


async def commit(plan_: Plan, commune_code: str) -> Result:
    """Add the new villages and set the changed estimates, through the village service."""
    for change in plan_.changes:
        data = change.data
        if change.action == CREATE:
            await areas.add_village(commune_code, data["name"], data["households"], data["kind"])
        elif change.action == UPDATE:
            await areas.update_village(data["code"], data["name"], data["households"])
    return Result(plan_.count(CREATE), plan_.count(UPDATE), plan_.count(SKIP), plan_.refused)
