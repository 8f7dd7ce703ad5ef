"""What each household adds to the coverage counts, and keeping those counts right on write.

A household that is not deleted (or was erased at its request: an anonymous tombstone that still
counts, docs/coverage.md) adds 1 to `households`, to `target:<key>` for each target it
meets, to `meets:<key>` for each indicator it meets and to `na:<key>` for each indicator that does
not apply to it. `household_writes`, the household type's after-write hook, adds the count changes
(from the households' stored and new state) to the push's own single write statement, into the
stripe of the pushing device (`stripe_of`);
`rebuild` recounts everything from the household table (after the indicator set changes) into
stripe 0. Readers add a count's stripes up. See docs/coverage.md.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.content import IndicatorSet, curriculum
from server.coverage.models import CoverageTotal, CoverageWeek
from server.db import bulk
from server.db.config import connection, is_postgres

HOUSEHOLDS = "households"
STRIPES = 8
VIETNAM = timezone(timedelta(hours=7))
_AREAS = ("village_code", "commune_code", "province_code")
_CHUNK = 20_000
# The households the counts hold: live ones and erased ones (deleted, with `erased_at`).
_COUNTED = "(deleted = false OR erased_at IS NOT NULL)"
_MEMO_SIZE = 4096  # combinations of indicator values remembered by `contribution`
_TOTAL = ("area_code", "key", "stripe", "count")
_WEEK = ("area_code", "week", "key", "stripe", "count")


def target_key(key: str) -> str:
    """The count key of households meeting target `key`."""
    return f"target:{key}"


def meets_key(key: str) -> str:
    """The count key of households meeting indicator `key`."""
    return f"meets:{key}"


def not_applicable_key(key: str) -> str:
    """The count key of households to which indicator `key` does not apply."""
    return f"na:{key}"


def trend_keys(indicator_set: IndicatorSet) -> frozenset[str]:
    """The keys whose weekly changes are kept (the trend shows households and targets)."""
    return frozenset([HOUSEHOLDS, *(target_key(t.key) for t in indicator_set.targets)])


def stripe_of(device_id: str) -> int:
    """The stripe a device's pushes count into: the same one each time, spread over `STRIPES`.

    Two pushes wait for each other's count rows only when their devices share a stripe, and an
    area's counts take at most as many rows per key as devices have pushed into it.
    """
    return zlib.crc32(device_id.encode()) % STRIPES


def week_of(moment: datetime) -> date:
    """The Monday (Vietnam time) of the week `moment` falls in."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(VIETNAM).date()
    return local - timedelta(days=local.weekday())


def contribution(indicator_set: IndicatorSet, values: Mapping[str, Any]) -> tuple[str, ...]:
    """The count keys a (not deleted) household with these indicator values adds 1 to."""
    try:
        state = tuple(values.get(indicator.key) for indicator in indicator_set.indicators)
        return _contributions(indicator_set)[state]
    except TypeError:  # a value that cannot be a dict key (never valid): work it out each time
        return _contribution(indicator_set, values)
    except KeyError:
        memo = _contributions(indicator_set)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[state] = keys = _contribution(indicator_set, values)
        return keys


def _contributions(indicator_set: IndicatorSet) -> dict[tuple[Any, ...], tuple[str, ...]]:
    """The keys already worked out for each combination of the set's indicator values."""
    memo = indicator_set.memo.setdefault("coverage_keys", {})
    return cast(dict[tuple[Any, ...], tuple[str, ...]], memo)


def _contribution(indicator_set: IndicatorSet, values: Mapping[str, Any]) -> tuple[str, ...]:
    keys = [HOUSEHOLDS]
    keys += [
        target_key(t.key) for t in indicator_set.targets if indicator_set.meets_target(t, values)
    ]
    for indicator in indicator_set.indicators:
        value = values.get(indicator.key)
        if not indicator.applies(value):
            keys.append(not_applicable_key(indicator.key))
        elif indicator.meets_value(value):
            keys.append(meets_key(indicator.key))
    return tuple(keys)


def _indicators(raw: Any) -> dict[str, Any]:
    value = json.loads(raw) if isinstance(raw, str | bytes) else raw
    return value if isinstance(value, dict) else {}


def _group(
    groups: Counter[tuple[tuple[str, ...], tuple[str, ...]]], row: Mapping[str, Any], sign: int
) -> None:
    """Count the household under (its area codes, the keys it adds to)."""
    if row.get("deleted") and not row.get("erased_at"):
        return
    keys = contribution(curriculum.indicator_set(), _indicators(row.get("indicators")))
    codes = tuple(str(row[column]) for column in _AREAS if row.get(column))
    groups[(codes, keys)] += sign


def household_writes(
    changes: Sequence[tuple[Mapping[str, Any] | None, Mapping[str, Any]]],
    now: datetime,
    device_id: str,
) -> list[bulk.Insert]:
    """The count changes of households going from their stored state (None: new) to the new one.

    The household type's after-write hook: the push hands over the stored state it loaded (and
    locked) and writes these upserts, into the pushing device's stripe, in its own single
    statement, this week's changes included.
    """
    stripe = stripe_of(device_id)
    groups: Counter[tuple[tuple[str, ...], tuple[str, ...]]] = Counter()
    for old, new in changes:
        if old is not None:
            _group(groups, old, -1)
        _group(groups, new, +1)
    deltas: Counter[tuple[str, str]] = Counter()
    for (codes, keys), n in groups.items():
        for code in codes:
            for key in keys:
                deltas[(code, key)] += n
    week, trended = week_of(now), trend_keys(curriculum.indicator_set())
    totals = {(code, key): n for (code, key), n in deltas.items() if n}
    weeks = {(code, week, key): n for (code, key), n in totals.items() if key in trended}
    return _count_writes(totals, weeks, stripe)


def _count_writes(
    totals: Mapping[tuple[str, str], int],
    weeks: Mapping[tuple[str, date, str], int],
    stripe: int,
) -> list[bulk.Insert]:
    """Upserts adding each count to the stored one (insert when missing), in a fixed lock order."""
    total_rows = [
        {"area_code": code, "key": key, "stripe": stripe, "count": n}
        for (code, key), n in sorted(totals.items())
    ]
    week_rows = [
        {"area_code": code, "week": week, "key": key, "stripe": stripe, "count": n}
        for (code, week, key), n in sorted(weeks.items())
    ]
    total_key = ("area_code", "key", "stripe")
    week_key = ("area_code", "week", "key", "stripe")
    return [
        bulk.Insert(CoverageTotal, total_rows, _TOTAL, total_key, add=("count",)),
        bulk.Insert(CoverageWeek, week_rows, _WEEK, week_key, add=("count",)),
    ]


async def counts_missing() -> bool:
    """True when households exist but the coverage counts are empty (never counted)."""
    conn = connection()
    if await conn.execute_query_dict("SELECT 1 FROM coverage_total LIMIT 1"):
        return False
    return bool(await conn.execute_query_dict(f"SELECT 1 FROM household WHERE {_COUNTED} LIMIT 1"))


async def rebuild() -> int:
    """Recount every area from the household table; return how many households were counted.

    Without the history of each value, a household's current state is counted in the week it
    was created.
    """
    indicator_set = curriculum.indicator_set()
    async with in_transaction() as conn:
        postgres = is_postgres(conn)
        if postgres:
            # Pushes wait for the recount to finish before they add their own changes.
            await conn.execute_script("LOCK TABLE coverage_total, coverage_week IN EXCLUSIVE MODE")
        await conn.execute_script("DELETE FROM coverage_total; DELETE FROM coverage_week")
        groups: Counter[tuple[str, str, str, date, tuple[str, ...]]] = Counter()
        counted = 0
        async for batch in _households(conn, postgres):
            for village, commune, province, raw, created in batch:
                keys = contribution(indicator_set, _indicators(raw))
                groups[(village, commune, province, week_of(_instant(created)), keys)] += 1
            counted += len(batch)
        totals: Counter[tuple[str, str]] = Counter()
        weeks: Counter[tuple[str, date, str]] = Counter()
        trended = trend_keys(indicator_set)
        for (village, commune, province, week, keys), n in groups.items():
            for code in (village, commune, province):
                for key in keys:
                    totals[(code, key)] += n
                    if key in trended:
                        weeks[(code, week, key)] += n
        await bulk.write(conn, _count_writes(totals, weeks, 0))
    return counted


async def _households(conn: BaseDBAsyncClient, postgres: bool) -> Any:
    """Every household counted, in pages by id: (village, commune, province, indicators, at)."""
    last: Any = None
    mark = "$1" if postgres else "?"
    while True:
        where = _COUNTED + (f" AND id > {mark}" if last is not None else "")
        rows = await conn.execute_query_dict(
            "SELECT id, village_code, commune_code, province_code, indicators, created_at "
            f"FROM household WHERE {where} ORDER BY id LIMIT {_CHUNK}",
            [] if last is None else [last],
        )
        if not rows:
            return
        last = rows[-1]["id"]
        yield [
            (
                r["village_code"],
                r["commune_code"],
                r["province_code"],
                r["indicators"],
                r["created_at"],
            )
            for r in rows
        ]


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def keys_of(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Sum `(key, count)` rows into a mapping."""
    out: dict[str, int] = {}
    for key, count in rows:
        out[key] = out.get(key, 0) + int(count)
    return out
