"""What the sync routes call: push, pull and the schema the device validates with."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from server import curriculum
from server.sync.models import Device
from server.sync.pull import BadCursor, Page, pull
from server.sync.push import MAX_BATCH, PushRequest, push
from server.sync.registry import sync_types

__all__ = [
    "MAX_BATCH",
    "BadCursor",
    "Page",
    "PushRequest",
    "pull",
    "push",
    "record_pull",
    "schema",
]


async def record_pull(
    device_id: str,
    user_id: uuid.UUID,
    *,
    app_version: str | None = None,
    pending_changes: int | None = None,
) -> None:
    """Remember when a device last pulled, and what it reports (sync health for coordinators)."""
    now = datetime.now(UTC)
    update = ["user_id", "last_pull_at"]
    update += ["app_version"] if app_version is not None else []
    update += ["pending_changes"] if pending_changes is not None else []
    await Device.bulk_create(
        [
            Device(
                id=device_id,
                user_id=user_id,
                last_pull_at=now,
                app_version=app_version,
                pending_changes=pending_changes,
            )
        ],
        on_conflict=["id"],
        update_fields=update,
    )


def schema() -> dict[str, Any]:
    """Field rules, indicators and consent purposes: the one source the device validates with."""
    indicators = curriculum.indicator_set()
    return {
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
        "checklists": [
            {
                "key": template.key,
                "version": template.version,
                "title": template.title,
                "description": template.description,
                "items": [
                    {
                        "key": item.key,
                        "label": item.label,
                        "help": item.help,
                        "sets_indicator": (
                            list(item.sets_indicator) if item.sets_indicator else None
                        ),
                    }
                    for item in template.items
                ],
            }
            for template in curriculum.checklist_templates().values()
        ],
        "consent_purposes": [
            {"key": p.key, "required": p.required, "label": p.label, "help": p.help}
            for p in curriculum.consent_purposes()
        ],
    }
