"""Official area codes with their leading zeros, in a database that stored them as numbers.

`langso areas import` used to store `str(int(code))`: province 04 (Cao Bằng) and ward 00004
(Phường Ba Đình) both became `4`, and so did 08/00008, 25/00025 and 91/00091. The import wrote the
provinces first, then let each ward overwrite the province's name and parent while the row kept
the kind `province`; the four wards had no row of their own. This migration:

1. gives every area its official code by its kind (province 2 digits, commune 5, village its
   commune's code and its number) and its parent, province and commune codes by their level;
2. moves what named an area to the new code: accounts' areas, teams, checklist templates (by the
   kind of the row they named: a clashing row was a province, so an account given `--area 4`
   keeps province 04, the area it was shown), and households, checklists, assignments, the
   change log and conflicts (by the column's level, which leaves no doubt);
3. gives the records whose codes changed new versions, so phones pull them again;
4. writes the official names back from `vietnam-provinces` and adds the wards that had no row;
5. empties the coverage counts: `langso db upgrade` (and `langso serve`) count them again.

A database whose codes are already official is left as it is.
"""

import json
from datetime import UTC, datetime

from tortoise import migrations
from tortoise.migrations import operations as ops

from server.search import fold

PROVINCE, COMMUNE, VILLAGE = "province", "commune", "village"
_WIDTH = {PROVINCE: 2, COMMUNE: 5}
SYNCED = ("household", "checklist", "assignment")
_CHUNK = 2000


def pad(code, kind):
    """`code` as the official code of an area of `kind` (unchanged when it is not a number)."""
    if code is None:
        return None
    if kind == VILLAGE:
        commune, dash, number = code.rpartition("-")
        if dash and commune.isascii() and commune.isdigit():
            return f"{pad(commune, COMMUNE)}-{number}"
        return code
    width = _WIDTH[kind]
    if code.isascii() and code.isdigit() and len(code) < width:
        return code.zfill(width)
    return code


class _Sql:
    """The few statements this migration needs, with the dialect's parameter markers."""

    def __init__(self, client):
        self.client = client
        self.postgres = client.capabilities.dialect == "postgres"

    def marks(self, sql):
        if not self.postgres:
            return sql
        parts = sql.split("?")
        return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]

    async def rows(self, sql, values=()):
        return await self.client.execute_query_dict(self.marks(sql), list(values))

    async def many(self, sql, values):
        if values:
            await self.client.execute_many(self.marks(sql), [list(v) for v in values])


async def repair(client):
    """Re-key a database made with codes read as numbers; return whether anything changed."""
    sql = _Sql(client)
    moved = await _areas(sql)
    changed = bool(moved) | await _area_columns(sql)
    villages = [(old, new) for (old, kind), new in moved.items() if kind == VILLAGE]
    for table in SYNCED:
        changed |= await _records(sql, table)
    changed |= await _log(sql, villages)
    changed |= await _conflicts(sql)
    if changed:
        await _official_names(sql)
        await client.execute_script("DELETE FROM coverage_total; DELETE FROM coverage_week")
    return changed


async def _areas(sql):
    """Step 1 and 2 for the area table: rows with a new code; return {(old, kind): new}."""
    rows = await sql.rows("SELECT code, kind FROM area")
    existing = {row["code"] for row in rows}
    moved = {}
    for row in rows:
        new = pad(row["code"], row["kind"])
        if new != row["code"]:
            moved[(row["code"], row["kind"])] = new
    fresh = [(new, old) for (old, _kind), new in moved.items() if new not in existing]
    await sql.many(
        "INSERT INTO area (code, kind, name, search_name, division_type, parent_code, "
        "province_code, commune_code, household_estimate, created_at) "
        "SELECT ?, kind, name, search_name, division_type, parent_code, province_code, "
        "commune_code, household_estimate, created_at FROM area WHERE code = ?",
        fresh,
    )
    pairs = [(new, old) for (old, _kind), new in moved.items()]
    # An account that already has the new area too keeps one link.
    await sql.many(
        "DELETE FROM user_area WHERE area_id = ? AND user_id IN "
        "(SELECT user_id FROM user_area WHERE area_id = ?)",
        [(old, new) for new, old in pairs],
    )
    await sql.many("UPDATE user_area SET area_id = ? WHERE area_id = ?", pairs)
    await sql.many(
        "UPDATE team SET village_id = ? WHERE village_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM team t WHERE t.village_id = ?)",
        [(new, old, new) for new, old in pairs],
    )
    await sql.many("UPDATE checklist_template SET area_code = ? WHERE area_code = ?", pairs)
    await sql.many("DELETE FROM area WHERE code = ?", [(old,) for _new, old in pairs])
    return moved


async def _area_columns(sql):
    """Step 1 for every area row's parent, province and commune codes."""
    rows = await sql.rows("SELECT code, kind, parent_code, province_code, commune_code FROM area")
    fixes = []
    for row in rows:
        above = COMMUNE if row["kind"] == VILLAGE else PROVINCE
        new = (
            pad(row["parent_code"], above),
            pad(row["province_code"], PROVINCE),
            pad(row["commune_code"], COMMUNE),
        )
        if new != (row["parent_code"], row["province_code"], row["commune_code"]):
            fixes.append((*new, row["code"]))
    await sql.many(
        "UPDATE area SET parent_code = ?, province_code = ?, commune_code = ? WHERE code = ?", fixes
    )
    return bool(fixes)


async def _records(sql, table):
    """Steps 2 and 3 for one synced table: new codes by column, and new versions."""
    version = "nextval('sync_version')" if sql.postgres else "?"
    update = (
        f"UPDATE {table} SET village_code = ?, commune_code = ?, province_code = ?, "
        f"version = {version} WHERE id = ?"
    )
    changed, last = False, None
    while True:
        after = "" if last is None else " AND id > ?"
        rows = await sql.rows(
            f"SELECT id, village_code, commune_code, province_code FROM {table} "
            f"WHERE (length(commune_code) < 5 OR length(province_code) < 2){after} "
            f"ORDER BY id LIMIT {_CHUNK}",
            [] if last is None else [last],
        )
        if not rows:
            return changed
        last = rows[-1]["id"]
        fixes = []
        for row in rows:
            codes = (
                pad(row["village_code"], VILLAGE),
                pad(row["commune_code"], COMMUNE),
                pad(row["province_code"], PROVINCE),
            )
            if codes != (row["village_code"], row["commune_code"], row["province_code"]):
                fixes.append([*codes, row["id"]])
        if not sql.postgres and fixes:
            versions = await sql.rows(
                "UPDATE sync_clock SET value = value + ? WHERE id = 1 RETURNING value", [len(fixes)]
            )
            top = int(versions[0]["value"])
            for n, fix in enumerate(fixes):
                fix.insert(3, top - len(fixes) + 1 + n)
        await sql.many(update, fixes)
        changed |= bool(fixes)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


_LEVELS = {"village_code": VILLAGE, "commune_code": COMMUNE, "province_code": PROVINCE}


def _padded_record(value):
    """A change log's `before`/`after`, its area codes padded."""
    if not isinstance(value, dict):
        return value
    return {
        key: pad(item, _LEVELS[key]) if key in _LEVELS and isinstance(item, str) else item
        for key, item in value.items()
    }


async def _log(sql, villages):
    """Step 2 for the change log: its village column and the codes in what it recorded."""
    cast = "::jsonb" if sql.postgres else ""
    for old, new in villages:
        rows = await sql.rows(
            'SELECT id, "before", "after" FROM change_log WHERE village_code = ?', [old]
        )
        fixes = []
        for row in rows:
            before, after = _json(row["before"]), _json(row["after"])
            fixes.append(
                (
                    new,
                    None if before is None else json.dumps(_padded_record(before)),
                    None if after is None else json.dumps(_padded_record(after)),
                    row["id"],
                )
            )
        await sql.many(
            f'UPDATE change_log SET village_code = ?, "before" = ?{cast}, "after" = ?{cast} '
            "WHERE id = ?",
            fixes,
        )
    return bool(villages)


async def _conflicts(sql):
    """Step 2 for conflicts kept for review: their village and commune codes."""
    rows = await sql.rows(
        "SELECT id, field, village_code, commune_code, kept_value, lost_value FROM sync_conflict "
        "WHERE length(commune_code) < 5"
    )
    cast = "::jsonb" if sql.postgres else ""
    fixes = []
    for row in rows:
        kept, lost = _json(row["kept_value"]), _json(row["lost_value"])
        if row["field"] == "village_code":
            kept = pad(kept, VILLAGE) if isinstance(kept, str) else kept
            lost = pad(lost, VILLAGE) if isinstance(lost, str) else lost
        fixes.append(
            (
                pad(row["village_code"], VILLAGE),
                pad(row["commune_code"], COMMUNE),
                None if kept is None else json.dumps(kept),
                None if lost is None else json.dumps(lost),
                row["id"],
            )
        )
    await sql.many(
        "UPDATE sync_conflict SET village_code = ?, commune_code = ?, "
        f"kept_value = ?{cast}, lost_value = ?{cast} WHERE id = ?",
        fixes,
    )
    return bool(fixes)


async def _official_names(sql):
    """Step 4: every official unit with its name and parent (when the units were imported)."""
    if not await sql.rows(f"SELECT 1 FROM area WHERE kind = '{PROVINCE}' LIMIT 1"):
        return
    from vietnam_provinces import Province, Ward

    now = datetime.now(UTC) if sql.postgres else datetime.now(UTC).isoformat()
    units = [
        (f"{p.code:02d}", PROVINCE, p.name, p.division_type.value, None, f"{p.code:02d}", None)
        for p in Province.iter_all()
    ] + [
        (
            f"{w.code:05d}",
            COMMUNE,
            w.name,
            w.division_type.value,
            f"{w.province_code:02d}",
            f"{w.province_code:02d}",
            f"{w.code:05d}",
        )
        for w in Ward.iter_all()
    ]
    await sql.many(
        "INSERT INTO area (code, kind, name, search_name, division_type, parent_code, "
        "province_code, commune_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, name = excluded.name, "
        "search_name = excluded.search_name, division_type = excluded.division_type, "
        "parent_code = excluded.parent_code, province_code = excluded.province_code, "
        "commune_code = excluded.commune_code",
        [(code, kind, name, fold(name), *rest, now) for code, kind, name, *rest in units],
    )


async def _forward(apps, schema_editor):
    await repair(schema_editor.client)


async def _backward(apps, schema_editor):
    return None  # the numbers lost which unit they meant: nothing to go back to


class Migration(migrations.Migration):
    dependencies = [("langso", "0011_search_names")]

    initial = False

    operations = [ops.RunPython(_forward, _backward)]
