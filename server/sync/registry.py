"""The synced record types in dependency order (a parent before its children), with their hooks.

This is the one place that names the domains' types; the engine (push, pull, merge) only walks
the list. Coverage counts are the household type's after-write hook.
"""

from __future__ import annotations

import dataclasses

from server.assignments.records import ASSIGNMENT
from server.checklists.records import CHECKLIST
from server.coverage.tally import household_writes
from server.households.records import HOUSEHOLD
from server.lessons.records import LESSON, LESSON_PROGRESS
from server.syncable.types import SyncType

_TYPES: tuple[SyncType, ...] = (
    dataclasses.replace(HOUSEHOLD, after_write=(household_writes,)),
    CHECKLIST,
    LESSON,
    LESSON_PROGRESS,
    ASSIGNMENT,
)
_BY_NAME = {sync_type.name: sync_type for sync_type in _TYPES}


def sync_types() -> tuple[SyncType, ...]:
    """Every synced type, parents first: the order pushes are loaded and pulls are paged in."""
    return _TYPES


def get_type(name: str) -> SyncType | None:
    """The synced type called `name`, if there is one."""
    return _BY_NAME.get(name)
