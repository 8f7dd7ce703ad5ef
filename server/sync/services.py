"""What the sync routes call: push, pull and the schema the device validates with."""

from __future__ import annotations

from typing import Any

from server import curriculum
from server.sync.pull import BadCursor, Page, pull
from server.sync.push import MAX_BATCH, PushRequest, push
from server.sync.registry import sync_types

__all__ = ["MAX_BATCH", "BadCursor", "Page", "PushRequest", "pull", "push", "schema"]


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
                }
                for i in indicators.indicators
            ],
        },
        "consent_purposes": [
            {"key": p.key, "required": p.required, "label": p.label, "help": p.help}
            for p in curriculum.consent_purposes()
        ],
    }
