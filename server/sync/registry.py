"""The synced record types, declared once, in dependency order (a parent before its children)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.syncable.fields import FieldError, Rule
from server.syncable.models import Synced

# How a type is scoped: by its own village, by its parent record, or by the user who owns it.
SCOPE_VILLAGE = "village"
SCOPE_PARENT = "parent"
SCOPE_OWNER = "owner"
SCOPE_EVERYONE = "everyone"  # server-written content every signed-in user may read

AREA_COLUMNS = ("village_code", "commune_code", "province_code")


@dataclass(frozen=True)
class Viewer:
    """Who is pulling, as an audience check sees them: role and areas (with those above)."""

    role: str
    everywhere: bool
    areas: frozenset[str]  # the user's own area codes
    reach: frozenset[str]  # the user's areas and every area above them


@dataclass(frozen=True)
class SyncType:
    """A record type the devices sync: its model, field rules, scope and cross-field checks."""

    name: str
    model: type[Synced]
    rules: tuple[Rule, ...]
    scope: str
    # For SCOPE_PARENT: the field holding the parent id and the parent's type name.
    parent: tuple[str, str] | None = None
    # Cross-field checks on the merged record; each returns the errors it finds.
    checks: tuple[Callable[[dict[str, Any]], list[FieldError]], ...] = ()
    # Fields emptied when the record is deleted (personal data does not outlive the record).
    cleared_on_delete: dict[str, Any] = field(default_factory=dict)
    # Server-set fields sent back on pull besides the rules' fields.
    extra_pull_fields: tuple[str, ...] = ()
    # The field that records who created the record (set by the server), if any.
    creator_field: str | None = None
    # Written only by the server: devices pull it and may not push it.
    read_only: bool = False
    # The operations a device may push (e.g. only `update` of the fields its rules allow, for a
    # record the server creates and deletes); `read_only` types accept none.
    device_ops: frozenset[str] = frozenset({"create", "update", "delete"})
    # For SCOPE_EVERYONE: whether a pulled row is for this viewer (e.g. a lesson's audience);
    # a row that is not reaches the viewer as a tombstone, so a device drops what it held.
    audience: Callable[[dict[str, Any], Viewer], bool] | None = None
    # Loads what `checks` need (e.g. template versions), given the batch's records and data.
    prepare: Callable[[BaseDBAsyncClient, list[dict[str, Any]]], Awaitable[None]] | None = None

    _by_name: dict[str, Rule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {rule.name: rule for rule in self.rules})

    def rule(self, name: str) -> Rule | None:
        """The rule for field `name`, if the type has one."""
        return self._by_name.get(name)

    @property
    def pull_fields(self) -> tuple[str, ...]:
        """The columns a device receives for this type."""
        names = [rule.name for rule in self.rules]
        names += [name for name in self.extra_pull_fields if name not in names]
        return tuple(names)

    def describe(self) -> dict[str, Any]:
        """The type's rules as JSON, for the device's validation."""
        return {
            "name": self.name,
            "scope": self.scope,
            "fields": [rule.describe() for rule in self.rules if not rule.server_only],
        }


@lru_cache(maxsize=1)
def sync_types() -> tuple[SyncType, ...]:
    """Every synced type, parents first: the order pushes are loaded and pulls are paged in."""
    from server.assignments.records import ASSIGNMENT
    from server.checklists.records import CHECKLIST
    from server.households.records import HOUSEHOLD
    from server.lessons.records import LESSON, LESSON_PROGRESS

    return (HOUSEHOLD, CHECKLIST, LESSON, LESSON_PROGRESS, ASSIGNMENT)


def get_type(name: str) -> SyncType | None:
    """The synced type called `name`, if there is one."""
    return next((t for t in sync_types() if t.name == name), None)
