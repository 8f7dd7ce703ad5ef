"""What the sync routes call: push, pull and the schema the device validates with."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from server.areas.scope import Scope
from server.content import curriculum
from server.sync.pull import BadCursor, Page, pull
from server.sync.push import MAX_BATCH, PushRequest, push
from server.sync.registry import get_type, sync_types
from server.syncable.models import Device
from server.syncable.writes import WEB_DEVICE_PREFIX

__all__ = [
    "MAX_BATCH",
    "BadCursor",
    "Page",
    "PushRequest",
    "personal_counts",
    "pull",
    "push",
    "record_pull",
    "schema",
    "server_write",
    "server_writes",
]


async def server_write(
    scope: Scope,
    type_name: str,
    record_id: uuid.UUID,
    data: dict[str, Any],
    language: str = "vi",
    op: str = "update",
) -> dict[str, Any]:
    """Change a synced record from a server screen, through push: versions, log, merges as usual.

    The change is one `update` (or `op`, e.g. `create`) mutation from the device `web:<user
    id>`, made against the record's current version; its receipt is returned (`applied`, or
    `rejected` with errors).
    """
    sync_type = get_type(type_name)
    if sync_type is None:
        raise ValueError(f"unknown synced type {type_name!r}")
    current: list[Any] = await sync_type.model.filter(id=record_id).values_list(
        "version", flat=True
    )
    mutation = {
        "id": str(uuid.uuid4()),
        "type": type_name,
        "record_id": str(record_id),
        "op": op,
        "base_version": int(current[0]) if current else 0,
        "data": data,
    }
    request = PushRequest(
        scope=scope,
        device_id=f"{WEB_DEVICE_PREFIX}{scope.user_id}",
        mutations=[mutation],
        language=language,
        record_device=False,
        from_server=True,
    )
    [receipt] = await push(request)
    return receipt


def personal_counts(page: Page) -> dict[str, int]:
    """How many live records of each personal type (`SyncType.personal`) a pull page sends."""
    personal = {sync_type.name for sync_type in sync_types() if sync_type.personal}
    counts: dict[str, int] = {}
    for change in page.changes:
        if change["type"] in personal and not change["deleted"]:
            counts[change["type"]] = counts.get(change["type"], 0) + 1
    return counts


async def server_writes(
    scope: Scope,
    type_name: str,
    changes: list[tuple[uuid.UUID, dict[str, Any]]],
    language: str = "vi",
) -> list[dict[str, Any]]:
    """Create or change many records from a server screen (an import), `MAX_BATCH` per push.

    Like `server_write`, from the device `web:<user id>`; a record not on the server yet is a
    `create`. One receipt per change, in order.
    """
    sync_type = get_type(type_name)
    if sync_type is None:
        raise ValueError(f"unknown synced type {type_name!r}")
    receipts: list[dict[str, Any]] = []
    for start in range(0, len(changes), MAX_BATCH):
        chunk = changes[start : start + MAX_BATCH]
        ids = [record_id for record_id, _ in chunk]
        rows = await sync_type.model.filter(id__in=ids).values_list("id", "version")
        current = {row[0]: int(row[1]) for row in rows}
        mutations = [
            {
                "id": str(uuid.uuid4()),
                "type": type_name,
                "record_id": str(record_id),
                "op": "update" if record_id in current else "create",
                "base_version": current.get(record_id, 0),
                "data": data,
            }
            for record_id, data in chunk
        ]
        request = PushRequest(
            scope=scope,
            device_id=f"{WEB_DEVICE_PREFIX}{scope.user_id}",
            mutations=mutations,
            language=language,
            record_device=False,
        )
        receipts += await push(request)
    return receipts


async def record_pull(
    device_id: str,
    user_id: uuid.UUID,
    *,
    app_version: str | None = None,
    pending_changes: int | None = None,
    model: str | None = None,
    browser: str | None = None,
) -> None:
    """Remember when a device last pulled, and what it reports (sync health for coordinators)."""
    now = datetime.now(UTC)
    update = ["user_id", "last_pull_at"]
    update += ["app_version"] if app_version is not None else []
    update += ["pending_changes"] if pending_changes is not None else []
    update += [name for name, value in (("model", model), ("browser", browser)) if value]
    await Device.bulk_create(
        [
            Device(
                id=device_id,
                user_id=user_id,
                last_pull_at=now,
                app_version=app_version,
                pending_changes=pending_changes,
                model=model or None,
                browser=browser or None,
                first_seen_at=now,  # kept when the phone is known
            )
        ],
        on_conflict=["id"],
        update_fields=update,
    )


async def schema(scope: Scope) -> dict[str, Any]:
    """Field rules, indicators, checklists and consent purposes: what the device validates with.

    `checklists` are the current templates the user may start; `checklist_versions` are older
    versions, for checklists started before a template changed.
    """
    indicators = curriculum.indicator_set()
    described: dict[str, Any] = {
        "types": [sync_type.describe() for sync_type in sync_types()],
        "indicators": {
            "version": indicators.version,
            "items": [
                {
                    "key": i.key,
                    "group": i.group,
                    "type": i.type,
                    "label": i.label,
                    "help": i.help,
                    "choices": [{"value": c.value, "label": c.label} for c in i.choices],
                    "min": i.min,
                    "max": i.max,
                    "meets": list(i.meets),
                    "meets_min": i.meets_min,
                    "not_applicable": list(i.not_applicable),
                }
                for i in indicators.indicators
            ],
        },
        "consent_purposes": [
            {
                "key": p.key,
                "required": p.required,
                "label": p.label,
                "help": p.help,
                "fields": list(p.fields),
                "version": p.version,
            }
            for p in curriculum.consent_purposes()
        ],
    }
    for sync_type in sync_types():
        if sync_type.schema_part is not None:
            described.update(await sync_type.schema_part(scope))
    return described
