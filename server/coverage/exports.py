"""Coverage and household-list exports as XLSX or CSV, each recorded in the change log.

What is exported and why is described in docs/coverage.md: the household list leaves out phone
numbers, notes and the consent record, which a report upward does not need.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook

from server.areas import kinds
from server.areas.models import Area
from server.areas.scope import Scope
from server.content import Indicator, curriculum
from server.coverage import services, tally
from server.households import services as households
from server.i18n import N_, gettext, localized
from server.syncable.models import ChangeLog
from server.web import cells

KINDS = ("coverage", "households")
FORMATS = ("xlsx", "csv")
AUDIT_TYPE = "export"
_CHUNK = 5_000
BUILDING_AT_ONCE = 1  # exports built at once in one worker; the others wait their turn
_BUILDING = asyncio.Semaphore(BUILDING_AT_ONCE)


@dataclass(frozen=True)
class Export:
    """A finished export: file name, media type and bytes."""

    filename: str
    media_type: str
    body: bytes
    rows: int


@dataclass(frozen=True)
class _Chunk:
    """Rows read from the database, and how one becomes its cells (run in a worker thread)."""

    items: Sequence[Any]
    row: Callable[[Any], list[Any]] = list


class _CsvFile:
    media_type = "text/csv; charset=utf-8"

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def add(self, chunk: _Chunk) -> int:
        for item in chunk.items:
            self._writer.writerow(cells.csv_row(chunk.row(item)))
        return len(chunk.items)

    def finish(self) -> bytes:
        return ("\ufeff" + self._buffer.getvalue()).encode("utf-8")  # the BOM: Excel reads UTF-8


class _XlsxFile:
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def __init__(self, title: str) -> None:
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet(title)

    def add(self, chunk: _Chunk) -> int:
        for item in chunk.items:
            self._sheet.append(cells.xlsx_row(self._sheet, chunk.row(item)))
        return len(chunk.items)

    def finish(self) -> bytes:
        out = io.BytesIO()
        self._workbook.save(out)
        return out.getvalue()


async def _coverage_rows(area: Area, language: str) -> AsyncIterator[_Chunk]:
    indicator_set = curriculum.indicator_set()
    _ = lambda msgid: gettext(language, msgid)  # noqa: E731
    header = [
        _(N_("Province")),
        _(N_("Commune")),
        _(N_("Village")),
        _(N_("Village code")),
        _(N_("Estimated households")),
        _(N_("Households onboarded")),
        _(N_("Onboarded, percent of estimate")),
    ]
    for target in indicator_set.targets:
        header += [localized(target.label, language), _(N_("Percent of estimate"))]
    for indicator in indicator_set.indicators:
        header += [localized(indicator.label, language), _(N_("Percent of onboarded"))]
    yield _Chunk([header])
    villages = await services.villages_under(area)
    names = {
        a.code: a.name
        for a in await Area.filter(
            code__in=sorted({area.province_code} | {v.commune_code or "" for v in villages})
        ).only("code", "name")
    }
    villages.sort(key=lambda v: (names.get(v.commune_code or "", ""), v.name, v.code))
    counts = await services.village_counts(area)

    def row(village: Area) -> list[Any]:
        c = counts.get(village.code, {})
        households = c.get(tally.HOUSEHOLDS, 0)
        estimate = village.household_estimate
        out: list[Any] = [
            names.get(area.province_code, ""),
            names.get(village.commune_code or "", ""),
            village.name,
            village.code,
            estimate,
            households,
            services.Share(households, estimate).percent,
        ]
        for target in indicator_set.targets:
            met = c.get(tally.target_key(target.key), 0)
            out += [met, services.Share(met, estimate).percent]
        for indicator in indicator_set.indicators:
            met = c.get(tally.meets_key(indicator.key), 0)
            base = households - c.get(tally.not_applicable_key(indicator.key), 0)
            out += [met, services.Share(met, base).percent]
        return out

    for start in range(0, len(villages), _CHUNK):
        yield _Chunk(villages[start : start + _CHUNK], row)


def _value(indicator: Indicator, value: Any, language: str) -> Any:
    if value is None:
        return ""
    if indicator.type == "bool":
        return gettext(language, N_("Yes") if value else N_("No"))
    if indicator.type == "choice":
        for choice in indicator.choices:
            if choice.value == value:
                return localized(choice.label, language)
    return value


async def _household_rows(area: Area, language: str) -> AsyncIterator[_Chunk]:
    indicator_set = curriculum.indicator_set()
    _ = lambda msgid: gettext(language, msgid)  # noqa: E731
    header = [
        _(N_("Record id")),
        _(N_("Commune")),
        _(N_("Village")),
        _(N_("Head of household")),
        _(N_("Address")),
        _(N_("People")),
        _(N_("Adults")),
        _(N_("Onboarded on")),
        _(N_("Last updated")),
    ]
    header += [localized(t.label, language) for t in indicator_set.targets]
    header += [localized(i.label, language) for i in indicator_set.indicators]
    yield _Chunk([header])
    column = {kinds.PROVINCE: "province_code", kinds.COMMUNE: "commune_code"}.get(
        area.kind, "village_code"
    )
    if area.kind == kinds.VILLAGE:
        named = Area.filter(code__in=[area.code, area.commune_code or ""])
    else:
        named = Area.filter(**{column: area.code})
    names = {a.code: a.name for a in await named.only("code", "name")}
    fields = (
        *("id", "commune_code", "village_code", "head_name", "address", "people_count"),
        *("adult_count", "created_at", "updated_at", "indicators"),
    )

    def row(h: dict[str, Any]) -> list[Any]:
        values = h["indicators"] or {}
        out: list[Any] = [
            str(h["id"]),
            names.get(h["commune_code"], ""),
            names.get(h["village_code"], ""),
            h["head_name"],
            h["address"],
            h["people_count"],
            h["adult_count"],
            _day(h["created_at"]),
            _day(h["updated_at"]),
        ]
        out += [
            _(N_("Yes")) if indicator_set.meets_target(t, values) else _(N_("No"))
            for t in indicator_set.targets
        ]
        out += [_value(i, values.get(i.key), language) for i in indicator_set.indicators]
        return out

    async for rows in households.chunks(column, area.code, fields, _CHUNK):
        yield _Chunk(rows, row)


def _day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(tally.VIETNAM).date().isoformat()
    return str(value or "")


async def build(scope: Scope, code: str, kind: str, fmt: str, language: str) -> Export:
    """Build an export of area `code` (inside `scope`) and record it in the change log."""
    if kind not in KINDS or fmt not in FORMATS:
        raise services.NotFound(kind)
    area = await services.area_in_scope(scope, code)
    rows = _coverage_rows(area, language) if kind == "coverage" else _household_rows(area, language)
    title = gettext(language, N_("Coverage") if kind == "coverage" else N_("Households"))
    out = _CsvFile() if fmt == "csv" else _XlsxFile(title)
    count = 0
    # Turning rows into cells and the file into bytes is CPU work (openpyxl: about 0.3 ms a
    # household): done in a worker thread, chunk by chunk, so a province's export never holds
    # the event loop and everyone else's requests go on meanwhile (bench/hostile.py). One export
    # at a time per worker: every thread that computes takes the GIL from the event loop (it
    # waits up to 5 ms for it each time), so four at once slowed everyone else by seconds.
    async with _BUILDING:
        async for chunk in rows:
            count += await asyncio.to_thread(out.add, chunk)
        body = await asyncio.to_thread(out.finish)
    media_type = out.media_type
    now = datetime.now(UTC)
    await ChangeLog.create(
        at=now,
        user_id=scope.user_id,
        record_type=AUDIT_TYPE,
        record_id=uuid.uuid4(),
        version=0,
        op=AUDIT_TYPE,
        after={"what": kind, "format": fmt, "area": area.code, "rows": max(count - 1, 0)},
        village_code=area.code if area.kind == kinds.VILLAGE else None,
    )
    stamp = now.astimezone(tally.VIETNAM).strftime("%Y%m%d")
    return Export(
        filename=f"langso-{kind}-{area.code}-{stamp}.{fmt}",
        media_type=media_type,
        body=body,
        rows=max(count - 1, 0),
    )
