"""Retention: what is kept past its purpose's `retention_days` is anonymised by the erasure code.

`langso privacy sweep` runs it, and `serve` once a day (`daily`). With several workers on
PostgreSQL only one sweeps at a time: the sweep holds a transaction-level advisory lock and the
others skip (docs/cli.md). Counts are reported, never values.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server.access import services as access
from server.content import curriculum
from server.db.config import is_postgres
from server.households.models import Household
from server.privacy.services import ERASE, withdraw

# The device a sweep's changes are recorded from (change log, field meta).
SWEEP_DEVICE = "server:retention"
HOUR, DAY = 60 * 60, 24 * 60 * 60
_LOCK_KEY = 0x6C616E67736F  # "langso": the advisory lock one sweeper holds on PostgreSQL
# At most this many households per purpose and run (one transaction); the rest wait a day.
MAX_PER_RUN = 1000
_log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    """What a sweep did: households erased, and per purpose how many had its fields emptied."""

    erased: int = 0
    emptied: dict[str, int] = field(default_factory=dict)
    skipped: bool = False  # another worker was sweeping
    access_pruned: int = 0  # access log entries past their own retention, deleted


async def sweep(now: datetime | None = None, access_log_days: int | None = None) -> SweepResult:
    """Erase households past the required purpose's retention, then empty what other purposes
    keep past theirs; a household's last change is its `updated_at`. Each household touched gets
    an access log entry (by the server, per purpose); entries older than `access_log_days` go."""
    now = now or datetime.now(UTC)
    result = SweepResult()
    touched: dict[str, list[uuid.UUID]] = {}
    async with in_transaction() as conn:
        if is_postgres(conn):
            rows = await conn.execute_query_dict(
                "SELECT pg_try_advisory_xact_lock($1) AS mine", [_LOCK_KEY]
            )
            if not rows[0]["mine"]:
                result.skipped = True
                return result
        purposes = sorted(curriculum.consent_purposes(), key=lambda p: not p.required)
        for purpose in purposes:
            if not purpose.required and not purpose.fields:
                continue  # nothing personal is kept for it alone (e.g. aggregate_reporting)
            cutoff = now - timedelta(days=purpose.retention_days)
            query = Household.filter(deleted=False, updated_at__lt=cutoff).using_db(conn)
            if not purpose.required:  # only households that still hold one of its fields
                holding = [_holds(name) for name in purpose.fields]
                query = query.filter(Q(*holding, join_type="OR"))
            found = await query.order_by("updated_at").limit(MAX_PER_RUN).only("id")
            ids: list[uuid.UUID] = [h.id for h in found]
            for household_id in ids:
                done = await withdraw(conn, household_id, [purpose.key], now, SWEEP_DEVICE, None)
                if done == ERASE:
                    result.erased += 1
                elif done is not None:
                    result.emptied[purpose.key] = result.emptied.get(purpose.key, 0) + 1
                if done is not None:
                    touched.setdefault(purpose.key, []).append(household_id)
    for key, household_ids in touched.items():
        places = await Household.filter(id__in=household_ids).values_list(
            "id", "village_code", "province_code"
        )
        subjects = [access.Subject(place[0], place[1], place[2]) for place in places]
        await access.record_by_server(access.RETENTION, subjects, {"purpose": key})
    if access_log_days is not None:
        result.access_pruned = await access.prune(access.retention_cutoff(access_log_days, now))
    return result


def _holds(name: str) -> Q:
    """A household whose field `name` has a value (neither null nor empty)."""
    present: dict[str, Any] = {f"{name}__not_isnull": True}
    empty: dict[str, Any] = {name: ""}
    return Q(**present) & ~Q(**empty)


async def daily(access_log_days: int, interval: float = DAY, first_after: float = HOUR) -> None:
    """Sweep `first_after` seconds from now, then every `interval`, while the server runs."""
    await asyncio.sleep(first_after)
    while True:
        try:
            done = await sweep(access_log_days=access_log_days)
            if not done.skipped:
                _log.info("retention sweep: %s erased, %s emptied", done.erased, done.emptied)
        except Exception:  # a failed sweep waits for the next day; the server keeps serving
            _log.exception("retention sweep failed")
        await asyncio.sleep(interval)
