"""Apply one device's batch of mutations: exactly once, in the device's order, field-merged.

The batch is handled set-based: one query per record type loads (and on PostgreSQL locks) every
record the batch touches, the rules run in memory, and one bulk write per table stores the
result. The parts: `wire.py` reads the mutations, `merge.py` applies them in memory,
`statements.py` builds the writes. See docs/sync-protocol.md for the contract.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from server.db import bulk
from server.i18n import N_, gettext
from server.sync.merge import Batch, Outcome
from server.sync.registry import sync_types
from server.sync.statements import batch_writes, device_write, receipts_write
from server.sync.wire import Mutation, PushRequest, duplicate, id_taken, parse, public_data
from server.syncable import statuses
from server.syncable.clock import lock_device
from server.syncable.fields import jsonable
from server.syncable.models import Device, SyncMutation
from server.syncable.writes import WEB_DEVICE_PREFIX

__all__ = ["MAX_BATCH", "PushRequest", "push"]

MAX_BATCH = 500
LARGE = 100  # mutations the member app sends at most at once (pwa/static/app/sync.js BATCH)
_LARGE_PUSHES = asyncio.Semaphore(1)  # larger batches are applied one at a time per worker
MAX_PAUSE = 5.0  # seconds the database is left to others after a large batch, at most
YIELD_EVERY = 50  # mutations merged between two turns of the event loop's other requests
_ATTEMPTS = 3


async def push(request: PushRequest) -> list[dict[str, Any]]:
    """Apply the batch and return one receipt per mutation, in the order they were sent."""
    if len(request.mutations) <= LARGE:
        return await _push(request)
    # A batch larger than the member app sends holds its transaction for long (on SQLite, the
    # one connection every request waits for): such batches take turns, so a request queued
    # behind them waits for one at most, not for every one sent at once; and the next one starts
    # only after a pause as long as this one took, so a request that asks the database several
    # times gets through between two of them instead of waiting behind one for each question
    # (bench/hostile.py). The sender of large batches is slowed down; nobody else is.
    async with _LARGE_PUSHES:
        started = time.monotonic()
        try:
            return await _push(request)
        finally:
            await _pause(min(time.monotonic() - started, MAX_PAUSE))


async def _pause(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def _push(request: PushRequest) -> list[dict[str, Any]]:
    for attempt in range(_ATTEMPTS):
        try:
            async with in_transaction() as conn:
                return await _push_once(conn, request)
        except (IntegrityError, OperationalError):
            # A concurrent replay of the same mutation ids, or a deadlock: start again; the
            # mutations the other transaction applied are now answered as duplicates.
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def _push_once(conn: BaseDBAsyncClient, request: PushRequest) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    await lock_device(conn, request.device_id)
    parsed = [parse(raw, request.language) for raw in request.mutations]
    ids = [item.id for item in parsed if isinstance(item, Mutation)]
    earlier = {row["id"]: row for row in await bulk.select(conn, SyncMutation, ids)}
    batch = Batch(request, now)
    await batch.load(conn, [m for m in parsed if isinstance(m, Mutation) and m.id not in earlier])

    receipts: list[dict[str, Any] | None] = []
    outcomes: list[Outcome] = []
    seen: dict[uuid.UUID, int] = {}
    for item in parsed:
        if isinstance(item, dict):
            receipts.append(item)
        elif item.id in earlier:
            receipts.append(_replay(earlier[item.id], request))
        elif item.id in seen:
            receipts.append(None)  # answered below, once the first copy has its receipt
        else:
            seen[item.id] = len(receipts)
            receipts.append(None)
            outcomes.append(batch.apply(item))
            if len(outcomes) % YIELD_EVERY == 0:
                # A batch of 500 mutations at the map limits is ~100 ms of merging: let the
                # worker's other requests run between slices of it (bench/hostile.py).
                await asyncio.sleep(0)

    versions = await batch.assign_versions(conn)
    kept_by = await _kept_by(conn, request, outcomes)
    fresh = {o.mutation.id: _receipt(o, versions, batch, request, kept_by) for o in outcomes}
    for index, item in enumerate(parsed):
        if receipts[index] is None and isinstance(item, Mutation):
            first = fresh[item.id]
            receipts[index] = first if seen[item.id] == index else duplicate(first)

    # One statement on PostgreSQL: receipts, records, change log, conflicts, what the types'
    # after-write hooks add (coverage counts from the households' loaded and new state), the
    # device.
    writes = [receipts_write(request, outcomes, fresh, now)]
    writes += batch_writes(batch, outcomes, versions)
    for sync_type in sync_types():
        if sync_type.after_write:
            changes = batch.changes(sync_type.name)
            for hook in sync_type.after_write if changes else ():
                writes += hook(changes, now, request.device_id)
    if request.record_device:
        writes.append(device_write(request, now))
    await bulk.write(conn, writes)
    for sync_type in sync_types():
        changes = batch.changes(sync_type.name) if sync_type.after_store else []
        for after_store in sync_type.after_store if changes else ():
            await after_store(conn, changes, now, request.device_id)
    return [receipt for receipt in receipts if receipt is not None]


def _replay(answered: dict[str, Any], request: PushRequest) -> dict[str, Any]:
    """A mutation id answered before: a duplicate for the device and user that sent it.

    Ids are random UUIDs, so the same id from another device or user is misuse (or a broken
    app): it is refused, and it never shows them the record of whoever used the id first.
    """
    mine = answered["device_id"] == request.device_id and str(answered["user_id"]) == str(
        request.scope.user_id
    )
    if mine:
        return duplicate(answered["receipt"])
    return id_taken(answered["id"], request.language)


async def _kept_by(
    conn: BaseDBAsyncClient, request: PushRequest, outcomes: list[Outcome]
) -> dict[str, dict[str, Any]]:
    """Whose change each conflict kept, by the device that wrote it: the member's own other phone
    (`{"you": true}`) or a colleague (`{"name": …}`, their display name and nothing more)."""
    devices = {
        str(c["meta"][1]) for o in outcomes for c in o.conflicts if c.get("meta") and c["meta"][1]
    }
    if not devices:
        return {}
    web = {d for d in devices if d.startswith(WEB_DEVICE_PREFIX)}
    users = {d: d.removeprefix(WEB_DEVICE_PREFIX) for d in web}
    rows = await (
        Device.filter(id__in=sorted(devices - users.keys()))
        .using_db(conn)
        .values_list("id", "user_id")
    )
    users |= {str(device): str(user) for device, user in rows}
    me = str(request.scope.user_id)
    others = sorted({user for user in users.values() if user != me})
    names = await request.names(others) if request.names and others else {}
    out: dict[str, dict[str, Any]] = {}
    for device, user in users.items():
        if user == me:
            out[device] = {"you": True}
        elif names.get(user):
            out[device] = {"name": names[user]}
    return out


def _receipt(
    o: Outcome,
    versions: dict[tuple[str, uuid.UUID], int],
    batch: Batch,
    request: PushRequest,
    kept_by: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    language = request.language
    m = o.mutation
    key = (m.type.name, m.record_id)
    receipt: dict[str, Any] = {
        "id": str(m.id),
        "status": o.status,
        "type": m.type.name,
        "record_id": str(m.record_id),
    }
    row = batch.rows.get(key)
    if o.status == statuses.REJECTED:
        receipt["errors"] = [
            {"field": e.field, "message": gettext(language, e.msgid, e.params)} for e in o.errors
        ]
        receipt["message"] = gettext(language, N_("The server refused this change."))
        return receipt
    receipt["version"] = versions.get(key, row["version"] if row else 0)
    if o.conflicts:
        receipt["conflicts"] = []
        for c in o.conflicts:
            note = {"field": c["field"], "kept": jsonable(c["kept"]), "yours": jsonable(c["yours"])}
            who = kept_by.get(str((c.get("meta") or [None, None])[1]))
            receipt["conflicts"].append(note | ({"kept_by": who} if who else {}))
        mine = all(note.get("kept_by", {}).get("you") for note in receipt["conflicts"])
        receipt["message"] = gettext(
            language,
            N_("You also changed this on your other phone; a coordinator will review it.")
            if mine
            else N_("Someone else changed this at the same time; a coordinator will review it."),
        )
    if o.status in (statuses.MERGED, statuses.CONFLICT) and row is not None:
        receipt["record"] = public_data(m.type, row)
    return receipt
