"""The synced record types in dependency order (a parent before its children), with their hooks.

This is the one place that names the domains' types; the engine (push, pull, merge) only walks
the list. Coverage counts are the household type's after-write hook; a consent withdrawal's
effect (fields emptied, history redacted, erasure) is its type's after-store hook.
"""

from __future__ import annotations

import dataclasses

from server.assignments.records import ASSIGNMENT
from server.checklists.records import CHECKLIST
from server.coverage.tally import household_writes
from server.households.records import HOUSEHOLD
from server.lessons.records import LESSON, LESSON_PROGRESS
from server.privacy import services as privacy
from server.privacy.records import CONSENT_WITHDRAWAL
from server.syncable.types import SyncType

_TYPES: tuple[SyncType, ...] = (
    dataclasses.replace(HOUSEHOLD, after_write=(household_writes,)),
    CHECKLIST,
    LESSON,
    LESSON_PROGRESS,
    ASSIGNMENT,
    # After the household and everything that hangs off it: it empties them (docs/sync-protocol.md).
    dataclasses.replace(CONSENT_WITHDRAWAL, after_store=(privacy.after_store,)),
)
_BY_NAME = {sync_type.name: sync_type for sync_type in _TYPES}


def sync_types() -> tuple[SyncType, ...]:
    """Every synced type, parents first: the order pushes are loaded and pulls are paged in."""
    return _TYPES


def get_type(name: str) -> SyncType | None:
    """The synced type called `name`, if there is one."""
    return _BY_NAME.get(name)
