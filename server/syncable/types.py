"""What a synced record type declares: its model, field rules, scope, checks and hooks.

The domains declare their types in their `records.py`; `server/sync/registry.py` lists them in
dependency order, and the sync engine runs them without naming any (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.db.bulk import Insert
from server.syncable.fields import FieldError, Rule
from server.syncable.models import Synced

if TYPE_CHECKING:
    from server.areas.scope import Scope

# A changed record as a hook sees it: (stored state, or None for a new record; new state).
Change = tuple[Mapping[str, Any] | None, Mapping[str, Any]]
# After a push has merged a type's records: the extra writes that go into the push's statement
# (e.g. coverage counts), given the changes, the time and the pushing device's id.
AfterWrite = Callable[[Sequence[Change], datetime, str], list[Insert]]
# After the push's statement, in its transaction: writes that need to read first (e.g. a consent
# withdrawal emptying its household and redacting the history), given the connection too.
AfterStore = Callable[[BaseDBAsyncClient, Sequence[Change], datetime, str], Awaitable[None]]
# Before a change to a stored record merges: raise `FieldError` to refuse it (e.g. a write to an
# erased household); given the stored record and the incoming values by path, which it may adjust.
Guard = Callable[[Mapping[str, Any], dict[str, Any]], None]
# What a type adds to the schema a device validates with (e.g. the checklist templates).
SchemaPart = Callable[["Scope"], Awaitable[dict[str, Any]]]

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
    # Whether a pulled row is for this viewer (e.g. a lesson's audience, a restricted household);
    # a row that is not reaches the viewer as a tombstone, so a device drops what it held.
    audience: Callable[[dict[str, Any], Viewer], bool] | None = None
    # Loads what `checks` need (e.g. template versions), given the batch's records and data.
    prepare: Callable[[BaseDBAsyncClient, list[dict[str, Any]]], Awaitable[None]] | None = None
    # The roles whose devices may write the type (None: any signed-in role, for SCOPE_OWNER).
    writer_roles: frozenset[str] | None = None
    # The roles whose devices pull the type (None: every role, within the type's scope). Data
    # minimisation: a role whose work does not need a type never receives it on a phone.
    reader_roles: frozenset[str] | None = None
    # The message when a record's parent (SCOPE_PARENT) is not on the server.
    parent_missing: str = ""
    # Extra writes in the push's one statement after the type's records changed.
    after_write: tuple[AfterWrite, ...] = ()
    # What the type adds to the device's schema.
    schema_part: SchemaPart | None = None
    # Writes after the push's statement, in its transaction, once the type's records changed.
    after_store: tuple[AfterStore, ...] = ()
    # Checks a change to a stored record before it merges (see `Guard`).
    guard: Guard | None = None
    # Records of people's personal data: every pull that sends some is in the access log.
    personal: bool = False

    _by_name: dict[str, Rule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {rule.name: rule for rule in self.rules})
        if self.parent is not None:
            # The area check runs against the parent when the record is made; a parent that
            # could change later would need it again, so it cannot.
            parent_rule = self._by_name.get(self.parent[0])
            if parent_rule is None or not parent_rule.fixed:
                raise ValueError(f"{self.name}: the parent field must be a fixed rule")

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
