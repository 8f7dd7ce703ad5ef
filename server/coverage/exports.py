"""Coverage and household-list exports as XLSX or CSV, each recorded in the change log.

What is exported and why is described in docs/coverage.md: the household list leaves out phone
numbers, notes and the consent record, which a report upward does not need.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

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
    area_code: str = ""


# Column widths in characters, by what a column holds.
_NAME, _TEXT, _CODE, _NUMBER, _DATE, _ID = 24, 30, 12, 13, 12, 38


@dataclass
class _Table:
    """One export's columns and rows; `totals` is filled once every row has been read."""

    what: str  # msgid of what the file holds, for its title
    header: list[str]
    widths: list[int]
    frozen: int  # columns kept in view when scrolling sideways
    totals: list[Any] = field(default_factory=list)


async def _coverage_rows(area: Area, table: _Table, language: str) -> AsyncIterator[list[Any]]:
    indicator_set = curriculum.indicator_set()
    villages = await services.villages_under(area)
    names = {
        a.code: a.name
        for a in await Area.filter(
            code__in=sorted({area.province_code} | {v.commune_code or "" for v in villages})
        ).only("code", "name")
    }
    villages.sort(key=lambda v: (names.get(v.commune_code or "", ""), v.name, v.code))
    counts = await services.village_counts(area)
    estimates = onboarded = 0
    met = [0] * (len(indicator_set.targets) + len(indicator_set.indicators))
    bases = [0] * len(indicator_set.indicators)
    for village in villages:
        c = counts.get(village.code, {})
        households = c.get(tally.HOUSEHOLDS, 0)
        estimate = village.household_estimate
        estimates, onboarded = estimates + (estimate or 0), onboarded + households
        row: list[Any] = [
            names.get(area.province_code, ""),
            names.get(village.commune_code or "", ""),
            village.name,
            village.code,
            estimate,
            households,
            cells.Percent(services.Share(households, estimate).percent),
        ]
        for i, target in enumerate(indicator_set.targets):
            count = c.get(tally.target_key(target.key), 0)
            met[i] += count
            row += [count, cells.Percent(services.Share(count, estimate).percent)]
        for j, indicator in enumerate(indicator_set.indicators):
            count = c.get(tally.meets_key(indicator.key), 0)
            base = households - c.get(tally.not_applicable_key(indicator.key), 0)
            met[len(indicator_set.targets) + j] += count
            bases[j] += base
            row += [count, cells.Percent(services.Share(count, base).percent)]
        yield row
    # Shares of the sums, not sums of shares.
    totals: list[Any] = [gettext(language, N_("Total")), "", "", "", estimates, onboarded]
    totals.append(cells.Percent(services.Share(onboarded, estimates).percent))
    for i, count in enumerate(met):
        j = i - len(indicator_set.targets)
        base = estimates if j < 0 else bases[j]
        totals += [count, cells.Percent(services.Share(count, base).percent)]
    table.totals = totals


def _coverage_table(language: str) -> _Table:
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
    widths = [_NAME, _NAME, _NAME, _CODE, _NUMBER, _NUMBER, _NUMBER]
    for target in indicator_set.targets:
        header += [localized(target.label, language), _(N_("Percent of estimate"))]
        widths += [_NUMBER, _NUMBER]
    for indicator in indicator_set.indicators:
        header += [localized(indicator.label, language), _(N_("Percent of onboarded"))]
        widths += [_NUMBER, _NUMBER]
    return _Table(N_("Coverage by village"), header, widths, frozen=3)


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


def _household_table(language: str) -> _Table:
    indicator_set = curriculum.indicator_set()
    _ = lambda msgid: gettext(language, msgid)  # noqa: E731
    header = [
        _(N_("Commune")),
        _(N_("Village")),
        _(N_("Head of household")),
        _(N_("Address")),
        _(N_("People")),
        _(N_("Adults")),
        _(N_("Onboarded on")),
        _(N_("Last updated")),
    ]
    widths = [_NAME, _NAME, _NAME, _TEXT, _CODE, _CODE, _DATE, _DATE]
    header += [localized(t.label, language) for t in indicator_set.targets]
    header += [localized(i.label, language) for i in indicator_set.indicators]
    widths += [_NUMBER] * (len(indicator_set.targets) + len(indicator_set.indicators))
    # The record id matches one export's row to the next one's; last, out of the reader's way.
    return _Table(N_("Household list"), [*header, _(N_("Record id"))], [*widths, _ID], frozen=3)


async def _household_rows(area: Area, table: _Table, language: str) -> AsyncIterator[list[Any]]:
    indicator_set = curriculum.indicator_set()
    yes, no = gettext(language, N_("Yes")), gettext(language, N_("No"))
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
    count = people = adults = 0
    targets = [0] * len(indicator_set.targets)
    # What adds up: households meeting a yes/no indicator, and numbers; a choice does not.
    sums: list[int | None] = [
        0 if i.type in ("bool", "int") else None for i in indicator_set.indicators
    ]
    async for rows in households.chunks(column, area.code, fields, _CHUNK):
        for h in rows:
            values = h["indicators"] or {}
            count += 1
            people += h["people_count"] or 0
            adults += h["adult_count"] or 0
            out: list[Any] = [
                names.get(h["commune_code"], ""),
                names.get(h["village_code"], ""),
                h["head_name"],
                h["address"],
                h["people_count"],
                h["adult_count"],
                _day(h["created_at"]),
                _day(h["updated_at"]),
            ]
            for i, target in enumerate(indicator_set.targets):
                meets = indicator_set.meets_target(target, values)
                targets[i] += meets
                out.append(yes if meets else no)
            for j, indicator in enumerate(indicator_set.indicators):
                value = values.get(indicator.key)
                sums[j] = _add(sums[j], indicator, value)
                out.append(_value(indicator, value, language))
            yield [*out, str(h["id"])]
    label = gettext(language, N_("Total: %(n)s households")) % {"n": count}
    table.totals = [label, "", "", "", people, adults, "", "", *targets, *sums, ""]


def _add(total: int | None, indicator: Indicator, value: Any) -> int | None:
    if total is None or value is None or isinstance(value, (dict, list, str)):
        return total
    if indicator.type == "bool":
        return total + (value is True)
    return total + value if isinstance(value, int) else total


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(tally.VIETNAM).date()
    return None


async def _place(area: Area) -> str:
    """The area's name with the names of the areas above it: "Thôn 1, Xã A, Tỉnh B"."""
    above = [code for code in (area.commune_code, area.province_code) if code and code != area.code]
    names = {a.code: a.name for a in await Area.filter(code__in=above).only("code", "name")}
    return ", ".join([area.name, *(names[code] for code in above if code in names)])


async def _xlsx(
    table: _Table, title: str, rows: AsyncIterator[list[Any]], language: str
) -> tuple[bytes, int]:
    """The rows as a sheet a commune officer can hand upward (docs/coverage.md, "Exports")."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext(language, table.what)[:31])
    for i, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = f"{get_column_letter(table.frozen + 1)}3"
    await asyncio.to_thread(_append, sheet, [[title]], "title")
    await asyncio.to_thread(_append, sheet, [table.header], "header")
    count = 0
    async for batch in _batches(rows):
        count += await asyncio.to_thread(_append, sheet, batch)
    # Written at the end of the sheet, so it may be set once the rows are counted.
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(table.header))}{count + 2}"
    await asyncio.to_thread(_append, sheet, [table.totals], "total")
    out = io.BytesIO()
    await asyncio.to_thread(workbook.save, out)
    return out.getvalue(), count


def _append(sheet: Any, batch: list[list[Any]], style: str | None = None) -> int:
    """Turn rows into cells (openpyxl: about 0.3 ms a household): run in a worker thread."""
    for row in batch:
        sheet.append(cells.xlsx_row(sheet, row, style=style or ""))
    return len(batch)


def _write_csv(writer: Any, batch: list[list[Any]]) -> int:
    """The CSV twin of `_append`, also run in a worker thread."""
    writer.writerows([cells.csv_row(row) for row in batch])
    return len(batch)


async def _batches(rows: AsyncIterator[list[Any]]) -> AsyncIterator[list[list[Any]]]:
    """The rows, `_CHUNK` at a time."""
    batch: list[list[Any]] = []
    async for row in rows:
        batch.append(row)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


async def build(scope: Scope, code: str, kind: str, fmt: str, language: str) -> Export:
    """Build an export of area `code` (inside `scope`) and record it in the change log."""
    if kind not in KINDS or fmt not in FORMATS:
        raise services.NotFound(kind)
    area = await services.area_in_scope(scope, code)
    now = datetime.now(UTC)
    if kind == "coverage":
        table = _coverage_table(language)
        rows = _coverage_rows(area, table, language)
    else:
        table = _household_table(language)
        rows = _household_rows(area, table, language)
    count = 0
    # Turning rows into cells and the file into bytes is CPU work: done in a worker thread, a
    # chunk at a time, so a province's export never holds the event loop and everyone else's
    # requests go on meanwhile (bench/hostile.py). One export at a time per worker: every thread
    # that computes takes the GIL from the event loop (up to 5 ms each time), so four at once
    # slowed everyone else by seconds.
    async with _BUILDING:
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            await asyncio.to_thread(_write_csv, writer, [table.header])
            async for batch in _batches(rows):
                count += await asyncio.to_thread(_write_csv, writer, batch)
            body = ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM: Excel reads UTF-8
            media_type = "text/csv; charset=utf-8"
        else:
            when = now.astimezone(tally.VIETNAM).strftime("%d/%m/%Y %H:%M")
            title = gettext(language, N_("%(what)s — %(where)s — as of %(when)s")) % {
                "what": gettext(language, table.what),
                "where": await _place(area),
                "when": when,
            }
            body, count = await _xlsx(table, title, rows, language)
            media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    await ChangeLog.create(
        at=now,
        user_id=scope.user_id,
        record_type=AUDIT_TYPE,
        record_id=uuid.uuid4(),
        version=0,
        op=AUDIT_TYPE,
        after={"what": kind, "format": fmt, "area": area.code, "rows": count},
        village_code=area.code if area.kind == kinds.VILLAGE else None,
    )
    stamp = now.astimezone(tally.VIETNAM).strftime("%Y%m%d")
    return Export(
        filename=f"langso-{kind}-{area.code}-{stamp}.{fmt}",
        media_type=media_type,
        body=body,
        rows=count,
        area_code=area.code,
    )
