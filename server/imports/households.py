"""Households from a file: each row checked by the household type's own rules, then planned as a
create, an update or nothing (already there), and saved through sync as the `web:` device."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from server.areas.scope import Scope
from server.content import curriculum
from server.households import records
from server.households import services as households
from server.i18n import N_
from server.imports.columns import (
    Column,
    Layout,
    consent_instant,
    layout,
    phone_text,
    whole_number,
    yes_no,
)
from server.imports.plans import CREATE, SKIP, UPDATE, Change, Plan, Result, RowError
from server.imports.reading import FileRefused, Table
from server.search import fold
from server.syncable import statuses, writes
from server.syncable.fields import FieldError, parse_instant

PURPOSE = "consent:"
# The household type's fields, by the column that holds them.
_FIELD_COLUMN = {"consent": "consent_by", "village_code": "village"}
_TEXT = ("head_name", "address", "notes")
_COUNTS = ("people_count", "adult_count")


def columns() -> tuple[Column, ...]:
    """The household file's columns, in the template's order (one yes/no column a purpose)."""
    purposes = tuple(
        Column(
            f"{PURPOSE}{p.key}",
            f"Đồng ý: {p.label.get('vi', p.key)}",
            # a lone "Đồng ý" column is the consent every household must give
            (p.label.get("en", ""), f"dong y {p.key}", *(("đồng ý",) if p.required else ())),
        )
        for p in curriculum.consent_purposes()
    )
    return (
        Column("id", "Mã hộ (để trống với hộ mới)", ("mã hộ", "ma ho", "household id")),
        Column("village", "Thôn", ("mã thôn", "tên thôn", "thôn/bản/tổ dân phố", "bản")),
        Column("head_name", "Họ tên chủ hộ", ("chủ hộ", "tên chủ hộ", "họ và tên chủ hộ")),
        Column("address", "Địa chỉ", ("địa chỉ nhà",)),
        Column("phone", "Số điện thoại", ("điện thoại", "sđt", "số đt", "di động")),
        Column("people_count", "Số người trong hộ", ("số người", "số nhân khẩu", "nhân khẩu")),
        Column("adult_count", "Số người lớn", ("người lớn",)),
        Column("consent_by", "Người đồng ý", ("người ký", "người ký đồng ý", "người đồng ý ký")),
        Column("consent_at", "Ngày đồng ý", ("ngày ký", "ngày ký đồng ý")),
        *purposes,
        Column("notes", "Ghi chú", ()),
    )


def example() -> list[Any]:
    """The template's example row, column by column."""
    by_key: dict[str, Any] = {
        "id": "",
        "village": "Thôn Đông",
        "head_name": "Nguyễn Văn An",
        "address": "Xóm 2, cạnh nhà văn hoá",
        "phone": "0912 345 678",
        "people_count": 4,
        "adult_count": 2,
        "consent_by": "Nguyễn Văn An",
        "consent_at": "25/03/2025",
        "notes": "",
    }
    return [by_key.get(column.key, "Có") for column in columns()]


@dataclass(frozen=True)
class Village:
    """A village rows may go into."""

    code: str
    name: str


@dataclass(frozen=True)
class Target:
    """Where the rows go: one village (`fixed`), or the village named on each row."""

    villages: dict[str, Village]
    fixed: str | None = None

    def find(self, text: str) -> str | None:
        """The code of the village a cell names (by code or by name, diacritics or not); with one
        village chosen, an empty cell or one naming that village."""
        wanted = text.strip()
        if self.fixed is not None and not wanted:
            return self.fixed
        if wanted in self.villages:
            return wanted
        folded = fold(wanted)
        named = [v.code for v in self.villages.values() if fold(v.name) == folded]
        return named[0] if len(named) == 1 else None


def natural_key(village_code: str, head_name: str, phone: str | None) -> tuple[str, str, str]:
    """A row without an id is this household when village, folded head name and phone agree."""
    return (village_code, fold(head_name), phone or "")


@dataclass
class _Row:
    number: int
    layout: Layout
    cells: list[str]
    errors: list[RowError] = field(default_factory=list)

    def cell(self, key: str) -> str:
        return self.layout.cell(self.cells, key)

    def fail(self, key: str, msgid: str, params: dict[str, Any] | None = None) -> None:
        self.errors.append(RowError(self.number, key, msgid, params or {}))


async def plan(table: Table, target: Target, scope: Scope, today: date) -> Plan:
    """What importing `table` into `target` would do; nothing is saved."""
    known = columns()
    found = layout(table, known)
    _require_columns(found, target, known)
    ids = _ids(table, found)
    existing = await households.for_import(target.villages, ids.values())
    by_id = {row["id"]: row for row in existing}
    by_key = {
        natural_key(row["village_code"], row["head_name"], row["phone"]): row
        for row in existing
        if not row["deleted"] and row["village_code"] in target.villages
    }
    result = Plan(table=table, columns=known, layout=found)
    seen: dict[object, int] = {}
    for number, cells in table.rows:
        row = _Row(number, found, cells)
        data = _data(row, target, today)
        if not row.errors:
            data = _clean(row, data)
        if row.errors:
            result.errors += row.errors
            continue
        record_id = ids.get(number)
        key = natural_key(data["village_code"], data["head_name"], data.get("phone"))
        mark: object = record_id or key
        if mark in seen:
            row.fail(
                "head_name", N_("This household is already on row %(row)s."), {"row": seen[mark]}
            )
            result.errors += row.errors
            continue
        seen[mark] = number
        current = by_id.get(record_id) if record_id else by_key.get(key)
        change = _change(row, record_id, current, data)
        if row.errors:
            result.errors += row.errors
        else:
            result.changes.append(change)
    return result


def _require_columns(found: Layout, target: Target, known: tuple[Column, ...]) -> None:
    required = ["head_name", "consent_by", "consent_at"]
    required += [f"{PURPOSE}{key}" for key in curriculum.consent_rules()[1]]
    required += [] if target.fixed else ["village"]
    headers = {column.key: column.header for column in known}
    missing = [headers[key] for key in required if not found.has(key)]
    if missing:
        raise FileRefused(
            N_("The file has no column “%(column)s”. Add it, as in the template."),
            params={"column": missing[0]},
        )


def _ids(table: Table, found: Layout) -> dict[int, uuid.UUID]:
    ids: dict[int, uuid.UUID] = {}
    for number, cells in table.rows:
        text = found.cell(cells, "id").strip()
        if text:
            try:
                ids[number] = uuid.UUID(text)
            except ValueError:
                continue  # reported with the row's other errors
    return ids


def _data(row: _Row, target: Target, today: date) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if row.cell("id").strip():
        try:
            uuid.UUID(row.cell("id").strip())
        except ValueError:
            row.fail(
                "id",
                N_("This household code is not one of ours. Leave it empty for a new household."),
            )
    village = target.find(row.cell("village"))
    if village is None and target.fixed is not None:
        row.fail(
            "village",
            N_(
                "This row is for another village. Leave the cell empty, or import the file "
                "for the whole commune."
            ),
        )
    elif village is None:
        row.fail(
            "village",
            N_("No village of yours has this name or code. Write it as in the village list."),
        )
    else:
        data["village_code"] = village
    for name in _TEXT:
        if row.cell(name) or name == "head_name":
            data[name] = row.cell(name)
    if row.cell("phone"):
        data["phone"] = phone_text(row.cell("phone"))
    for name in _COUNTS:
        if row.cell(name):
            number = whole_number(row.cell(name))
            if number is None:
                row.fail(name, N_("Enter a whole number."))
            else:
                data[name] = number
    data["consent"] = _consent(row, today)
    return data


def _consent(row: _Row, today: date) -> dict[str, Any]:
    purposes = []
    for purpose in curriculum.consent_purposes():
        answer = yes_no(row.cell(f"{PURPOSE}{purpose.key}"))
        if answer is None:
            row.fail(f"{PURPOSE}{purpose.key}", N_("Write “Có” (yes) or “Không” (no)."))
        elif answer:
            purposes.append(purpose.key)
        elif purpose.required:
            row.fail(
                f"{PURPOSE}{purpose.key}",
                N_(
                    "Without the household's consent to keep its details, the row cannot be "
                    "imported. Write “Có” once the household has signed the paper form."
                ),
            )
    given_by = row.cell("consent_by")
    if not given_by:
        row.fail("consent_by", N_("Write the name of the person who gave consent."))
    given_at = consent_instant(row.cell("consent_at"), today)
    if given_at is None:
        row.fail(
            "consent_at",
            N_("Write the day consent was given, e.g. 25/03/2025 (not in the future)."),
        )
    return {"given_by": given_by, "purposes": purposes, "given_at": given_at}


def _clean(row: _Row, data: dict[str, Any]) -> dict[str, Any]:
    """The household type's own rules, as a push would apply them."""
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        rule = records.HOUSEHOLD.rule(name)
        if rule is None:
            continue
        try:
            cleaned[name] = rule.clean(value)
        except FieldError as error:
            row.fail(_FIELD_COLUMN.get(name, name), error.msgid, error.params)
    for check in records.HOUSEHOLD.checks:
        for problem in check(cleaned):
            row.fail(_FIELD_COLUMN.get(problem.field, problem.field), problem.msgid, problem.params)
    return cleaned


def _change(
    row: _Row, record_id: uuid.UUID | None, current: dict[str, Any] | None, data: dict[str, Any]
) -> Change:
    if current is None:
        return Change(row.number, CREATE, record_id or uuid.uuid4(), data)
    if current["deleted"]:
        row.fail("id", N_("This household was deleted. Leave the code empty to add it again."))
    elif current["village_code"] != data["village_code"]:
        row.fail("id", N_("This household code belongs to another village."))
    changed = {k: v for k, v in data.items() if not _same(k, current.get(k), v)}
    if "consent" in changed and not _newer(changed["consent"], current.get("consent")):
        del changed["consent"]  # the consent recorded since (e.g. on a phone) stays
    return Change(row.number, UPDATE if changed else SKIP, current["id"], changed)


def _newer(consent: dict[str, Any], stored: Any) -> bool:
    """True when the file's consent was given after the stored one (or nothing is stored)."""
    if not isinstance(stored, dict):
        return True
    try:
        before = parse_instant("consent", stored.get("given_at"))
        return parse_instant("consent", consent["given_at"]) > before
    except FieldError:
        return True


def _same(name: str, stored: Any, value: Any) -> bool:
    if name != "consent":
        return bool(stored == value)
    if not isinstance(stored, dict):
        return False
    return all(stored.get(k) == value.get(k) for k in ("given_by", "purposes", "given_at"))


async def commit(plan_: Plan, scope: Scope, language: str) -> Result:
    """Save the planned creates and updates through sync, as the importing user's web device."""
    changes = [c for c in plan_.changes if c.action != SKIP and c.record_id is not None]
    writing = [(c.record_id, c.data) for c in changes if c.record_id is not None]
    receipts = await writes.server_writes(scope, "household", writing, language)
    done = {CREATE: 0, UPDATE: 0}
    refused = plan_.refused
    for change, receipt in zip(changes, receipts, strict=True):
        if receipt["status"] == statuses.REJECTED:
            refused += 1
        else:
            done[change.action] += 1
    return Result(done[CREATE], done[UPDATE], plan_.count(SKIP), refused)
