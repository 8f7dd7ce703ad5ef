"""The rows a push writes: records, change log, conflicts, receipts and the device.

Each is a `bulk.Insert`; `bulk.write` runs them as one statement on PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from tortoise.models import Model

from server.db import bulk
from server.sync.merge import Batch, Outcome
from server.sync.registry import sync_types
from server.sync.wire import PushRequest
from server.syncable import statuses
from server.syncable.fields import jsonable
from server.syncable.models import ChangeLog, Conflict, Device, SyncMutation


def batch_writes(
    batch: Batch, outcomes: list[Outcome], versions: dict[tuple[str, uuid.UUID], int]
) -> list[bulk.Insert]:
    """The changed records, the change log and the conflicts: one insert per table.

    New records are plain inserts: if another device created the same record meanwhile,
    the unique key fails the batch, which `push` then runs again as an update that merges.
    Loaded records (locked since `load`) are upserts, in id order.
    """
    inserts = []
    for sync_type in sync_types():
        keys = sorted((k for k, t in batch.changed.items() if t is sync_type), key=_by_id)
        new = [batch.rows[k] for k in keys if batch.rows[k].get("_new")]
        stored = [batch.rows[k] for k in keys if not batch.rows[k].get("_new")]
        names = columns(sync_type.model)
        update = [c for c in names if c not in ("id", "created_at")]
        inserts.append(bulk.Insert(sync_type.model, new, names))
        inserts.append(bulk.Insert(sync_type.model, stored, names, "id", update))
    log: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    for o in outcomes:
        m = o.mutation
        key = (m.type.name, m.record_id)
        # A mutation whose every field lost still leaves its conflicts: nothing is lost.
        if o.status == statuses.REJECTED or key not in batch.rows:
            continue
        row = batch.rows[key]
        if o.after and key in versions:
            log.append(
                {
                    "at": batch.now,
                    "user_id": batch.scope.user_id,
                    "device_id": batch.device,
                    "mutation_id": m.id,
                    "record_type": m.type.name,
                    "record_id": m.record_id,
                    "version": versions[key],
                    "op": m.op,
                    "before": o.before,
                    "after": o.after,
                    "village_code": row.get("village_code"),
                }
            )
        conflicts.extend(
            {
                "id": uuid.uuid4(),
                "record_type": m.type.name,
                "record_id": m.record_id,
                "field": c["field"],
                "kept_value": jsonable(c["kept"]),
                "kept_version": c["meta"][0],
                "kept_device_id": c["meta"][1],
                "lost_value": jsonable(c["yours"]),
                "lost_device_id": batch.device,
                "lost_user_id": batch.scope.user_id,
                "mutation_id": m.id,
                "base_version": m.base_version,
                "village_code": row.get("village_code"),
                "commune_code": row.get("commune_code"),
                "created_at": batch.now,
                "resolved_at": None,
                "resolved_by": None,
                "resolution": None,
            }
            for c in o.conflicts
        )
    inserts.append(bulk.Insert(ChangeLog, log, columns(ChangeLog, skip=("id",))))
    inserts.append(bulk.Insert(Conflict, conflicts, columns(Conflict)))
    return inserts


def _by_id(key: tuple[str, uuid.UUID]) -> int:
    return key[1].int  # the order of the ids as text, and as PostgreSQL sorts them


def device_write(request: PushRequest, now: datetime) -> bulk.Insert:
    """The device's last push, for sync health."""
    device = {
        "id": request.device_id,
        "user_id": request.scope.user_id,
        "last_push_at": now,
        "last_pull_at": None,
        "app_version": request.app_version,
        "pending_changes": request.pending_changes,
        "model": request.model,
        "browser": request.browser,
        "first_seen_at": now,  # kept when the phone is known
    }
    update = ["user_id", "last_push_at", "app_version", "pending_changes"]
    update += [name for name in ("model", "browser") if device[name]]
    return bulk.Insert(Device, [device], columns(Device), "id", update)


@lru_cache(maxsize=32)
def columns(model: type[Model], skip: tuple[str, ...] = ()) -> list[str]:
    """The columns a push writes to `model` (cached)."""
    return bulk.columns_of(model, skip)


def receipts_write(
    request: PushRequest,
    outcomes: list[Outcome],
    receipts: dict[uuid.UUID, dict[str, Any]],
    now: datetime,
) -> bulk.Insert:
    """The receipt of every mutation applied (or refused) now, for replays."""
    rows = [
        {
            "id": o.mutation.id,
            "device_id": request.device_id,
            "user_id": request.scope.user_id,
            "status": o.status,
            "receipt": receipts[o.mutation.id],
            "received_at": now,
        }
        for o in outcomes
    ]
    return bulk.Insert(SyncMutation, rows, columns(SyncMutation))
