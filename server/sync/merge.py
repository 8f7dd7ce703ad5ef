"""The in-memory merge of a push: the records a batch touches, loaded once, changed by its rules.

`Batch.load` reads (and on PostgreSQL locks) every record the batch names, `Batch.apply` runs
one mutation against them (scope, validation, field-level merge, conflicts) and
`Batch.assign_versions` stamps the changed records. `server/sync/statements.py` writes them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.areas import kinds
from server.areas.codes import padded
from server.areas.models import Area
from server.db import bulk
from server.i18n import N_
from server.sync.registry import sync_types
from server.sync.wire import Mutation, PushRequest, as_uuid
from server.syncable import statuses
from server.syncable.clock import allocate_versions
from server.syncable.fields import FieldError
from server.syncable.types import AREA_COLUMNS, SCOPE_OWNER, SCOPE_PARENT, SCOPE_VILLAGE, SyncType

_PENDING = -1


@dataclass
class Outcome:
    """What applying one mutation produced, before versions are known."""

    mutation: Mutation
    status: str
    errors: list[FieldError] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class Batch:
    """The records a batch touches, loaded once and changed in memory."""

    def __init__(self, request: PushRequest, now: datetime) -> None:
        self.request = request
        self.scope = request.scope
        self.device = request.device_id
        self.now = now
        self.rows: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
        self.changed: dict[tuple[str, uuid.UUID], SyncType] = {}
        self.villages: dict[str, dict[str, Any]] = {}
        # The records as `load` read them: changes replace rows in `rows`, never edit these.
        self.stored: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}

    def changes(self, type_name: str) -> list[tuple[dict[str, Any] | None, dict[str, Any]]]:
        """(stored state or None for a new record, new state) of every changed record of a type."""
        return [
            (self.stored.get(key), self.rows[key])
            for key, t in sorted(self.changed.items(), key=lambda item: item[0][1].int)
            if t.name == type_name
        ]

    async def load(self, conn: BaseDBAsyncClient, mutations: list[Mutation]) -> None:
        """Load every record and village the mutations name: one query per table."""
        wanted: dict[str, set[uuid.UUID]] = {}
        village_codes: set[str] = set()
        for m in mutations:
            wanted.setdefault(m.type.name, set()).add(m.record_id)
            if m.type.parent is not None:
                parent_field, parent_type = m.type.parent
                parent_id = as_uuid(m.data.get(parent_field))
                if parent_id is not None:
                    wanted.setdefault(parent_type, set()).add(parent_id)
            code = m.data.get("village_code")
            if m.type.scope == SCOPE_VILLAGE and isinstance(code, str):
                village_codes.add(padded(code, kinds.VILLAGE))
        lock = conn.capabilities.support_for_update
        for sync_type in sync_types():
            ids = wanted.get(sync_type.name)
            if ids:
                for row in await bulk.select(conn, sync_type.model, ids, lock=lock):
                    key = (sync_type.name, row["id"])
                    self.rows[key] = self.stored[key] = _row_of(row)
        self.villages = await _villages(conn, village_codes)
        for sync_type in sync_types():
            if sync_type.prepare is not None:
                records = [m.data for m in mutations if m.type is sync_type]
                records += [row for key, row in self.rows.items() if key[0] == sync_type.name]
                if records:
                    await sync_type.prepare(conn, records)

    def apply(self, m: Mutation) -> Outcome:
        """Apply one mutation to the in-memory records."""
        try:
            return self._apply(m)
        except FieldError as error:
            return Outcome(m, statuses.REJECTED, errors=[error])
        except _Rejected as rejected:
            return Outcome(m, statuses.REJECTED, errors=rejected.errors)

    def _apply(self, m: Mutation) -> Outcome:
        if m.type.read_only:
            raise FieldError("type", N_("This cannot be changed from the app."))
        if m.op not in m.type.device_ops:
            raise FieldError("op", N_("This cannot be changed from the app."))
        if m.type.writer_roles is not None and self.scope.role not in m.type.writer_roles:
            raise FieldError("type", N_("Your role cannot change these records."))
        key = (m.type.name, m.record_id)
        current = self.rows.get(key)
        if m.op == "delete":
            return self._delete(m, current)
        values = self._clean(m)
        if current is None:
            if m.op == "update":
                raise FieldError(
                    "record_id",
                    N_("This record is not on the server. It may have been refused earlier."),
                )
            return self._create(m, values)
        if m.type.guard is not None:
            m.type.guard(current, values)
        if current["deleted"]:
            raise FieldError("record_id", N_("This record was deleted."))
        return self._update(m, current, values)

    def _clean(self, m: Mutation) -> dict[str, Any]:
        """The cleaned values by path: one path per key of a map field (`indicators.vneid`)."""
        paths: dict[str, Any] = {}
        errors: list[FieldError] = []
        for name, raw in m.data.items():
            rule = m.type.rule(name)
            # A server-only field is written by the server's own screens (`server_write`) alone.
            if rule is None or (rule.server_only and not self.request.from_server):
                errors.append(FieldError(name, N_("This field cannot be changed.")))
                continue
            try:
                value = rule.clean(raw)
            except FieldError as error:
                errors.append(error)
                continue
            if rule.kind == "area":
                # A phone offline since before codes kept their zeros may still send `4-001`.
                value = padded(value, kinds.VILLAGE)
            if not rule.is_map:
                paths[name] = value
            elif value:
                by = str(self.scope.user_id)
                for key, item in value.items():
                    paths[f"{name}.{key}"] = {**item, "by": by} if rule.stamp_user else item
        if errors:
            raise _Rejected(errors)
        return paths

    def _create(self, m: Mutation, after: dict[str, Any]) -> Outcome:
        missing = [
            FieldError(rule.name, N_("This field is required."))
            for rule in m.type.rules
            if rule.required and after.get(rule.name) is None
        ]
        if missing:
            raise _Rejected(missing)
        row: dict[str, Any] = {
            "id": m.record_id,
            "version": 0,
            "txid": 0,  # PostgreSQL's trigger writes the real transaction id
            "deleted": False,
            "field_meta": {},
            "created_at": self.now,
            "_new": True,
        }
        row.update(_defaults(m.type))
        for path, value in after.items():
            _set_path(row, path, value)
        stamp = [_PENDING, self.device]  # one per mutation: `assign_versions` stamps it once
        row["field_meta"] = dict.fromkeys(after, stamp)
        if m.type.creator_field:
            row[m.type.creator_field] = str(self.scope.user_id)
        self._place(m, row)
        self._check(m, row)
        self.rows[(m.type.name, m.record_id)] = row
        self.changed[(m.type.name, m.record_id)] = m.type
        return Outcome(m, statuses.APPLIED, after=after)

    def _update(self, m: Mutation, current: dict[str, Any], paths: dict[str, Any]) -> Outcome:
        self._guard(m, current)
        _refuse_fixed(m.type, current, paths)
        row = _copy(current, m.type)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        conflicts: list[dict[str, Any]] = []
        for path, value in paths.items():
            old = _get_path(row, path)
            if old == value:
                continue
            meta = row["field_meta"].get(path)
            if meta and _concurrent(meta, m.base_version, self.device):
                conflicts.append({"field": path, "kept": old, "yours": value, "meta": meta})
                continue
            _set_path(row, path, value)
            row["field_meta"][path] = [_PENDING, self.device]
            before[path], after[path] = old, value
        for rule in (rule for rule in m.type.rules if rule.is_map):
            # A map may not grow past its rule (one stored too large before is not made worse).
            stored = current.get(rule.name)
            if len(row[rule.name]) > len(stored if isinstance(stored, dict) else ()):
                rule.check_size(row[rule.name])
        if "village_code" in after:
            self._place(m, row)
        self._check(m, row)
        others_since_base = any(
            _concurrent(meta, m.base_version, self.device)
            for meta in current["field_meta"].values()
        )
        if after:
            self.rows[(m.type.name, m.record_id)] = row
            self.changed[(m.type.name, m.record_id)] = m.type
        status = statuses.APPLIED
        if conflicts:
            status = statuses.CONFLICT
        elif others_since_base:
            status = statuses.MERGED
        return Outcome(m, status, conflicts=conflicts, before=before, after=after)

    def _delete(self, m: Mutation, current: dict[str, Any] | None) -> Outcome:
        if current is None:
            raise FieldError("record_id", N_("This record is not on the server."))
        self._guard(m, current)
        if current["deleted"]:
            return Outcome(m, statuses.APPLIED)
        row = _copy(current, m.type)
        before = {name: row.get(name) for name in m.type.cleared_on_delete}
        row.update(m.type.cleared_on_delete)
        row["deleted"] = True
        row["field_meta"]["deleted"] = [_PENDING, self.device]
        self.rows[(m.type.name, m.record_id)] = row
        self.changed[(m.type.name, m.record_id)] = m.type
        return Outcome(m, statuses.APPLIED, before=before, after={"deleted": True})

    def _guard(self, m: Mutation, current: dict[str, Any]) -> None:
        """Refuse changes to a record outside the caller's scope."""
        if m.type.scope == SCOPE_OWNER:
            if str(current.get("user_id")) != str(self.scope.user_id):
                raise FieldError("record_id", N_("This is outside your area."))
            return
        village, commune, province = (str(current.get(c) or "") for c in AREA_COLUMNS)
        if not self.scope.covers(village, commune, province):
            raise FieldError("record_id", N_("This is outside your area."))

    def _place(self, m: Mutation, row: dict[str, Any]) -> None:
        """Set the record's area columns (or owner) and check the caller may write there."""
        if m.type.scope == SCOPE_OWNER:
            row["user_id"] = str(self.scope.user_id)
            return
        if m.type.scope == SCOPE_PARENT and m.type.parent is not None:
            parent_field, parent_type = m.type.parent
            parent = self.rows.get((parent_type, uuid.UUID(row[parent_field])))
            if parent is None or parent["deleted"]:
                message = m.type.parent_missing or N_("This record's parent is not on the server.")
                raise FieldError(parent_field, message)
            for column in AREA_COLUMNS:
                row[column] = parent[column]
        else:
            village = self.villages.get(row.get("village_code") or "")
            if village is None:
                raise FieldError("village_code", N_("This village does not exist."))
            row["village_code"] = village["code"]
            row["commune_code"] = village["commune_code"]
            row["province_code"] = village["province_code"]
        if not self.scope.covers(row["village_code"], row["commune_code"], row["province_code"]):
            raise FieldError("village_code", N_("This is outside your area."))

    def _check(self, m: Mutation, row: dict[str, Any]) -> None:
        errors = [error for check in m.type.checks for error in check(row)]
        if errors:
            raise _Rejected(errors)

    async def assign_versions(self, conn: BaseDBAsyncClient) -> dict[tuple[str, uuid.UUID], int]:
        """One new version per changed record, from the server-wide clock."""
        keys = sorted(self.changed, key=lambda key: (key[0], key[1].int))
        versions = dict(zip(keys, await allocate_versions(conn, len(keys)), strict=True))
        for key, version in versions.items():
            row = self.rows[key]
            row["version"] = version
            row["updated_at"] = self.now
            for meta in row["field_meta"].values():
                if meta[0] == _PENDING:
                    meta[0] = version
        return versions


# Village code -> its area row. A village never moves to another commune and is never deleted
# (`server/areas/services.py` only renames it or changes its estimate, which a push does not
# read), so a row once read stays right; a code not found is asked for again next time.
_VILLAGES: dict[str, dict[str, Any]] = {}
_VILLAGES_KEPT = 50_000


async def _villages(conn: BaseDBAsyncClient, codes: set[str]) -> dict[str, dict[str, Any]]:
    """The villages among `codes`: read once per process, then remembered."""
    missing = codes - _VILLAGES.keys()
    if missing:
        if len(_VILLAGES) + len(missing) > _VILLAGES_KEPT:
            _VILLAGES.clear()
        for area in await bulk.select(conn, Area, missing):
            if area["kind"] == kinds.VILLAGE:
                _VILLAGES[area["code"]] = area
    return {code: _VILLAGES[code] for code in codes if code in _VILLAGES}


class _Rejected(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors)
        self.errors = errors


def _copy(row: dict[str, Any], sync_type: SyncType) -> dict[str, Any]:
    """A copy of a loaded record to change: its field meta and maps copied once, set in place.

    A stored map that is not an object (written before maps were checked) starts empty.
    """
    copy = {**row, "field_meta": dict(row["field_meta"])}
    for rule in sync_type.rules:
        if rule.is_map:
            stored = row.get(rule.name)
            copy[rule.name] = dict(stored) if isinstance(stored, dict) else {}
    return copy


def _refuse_fixed(sync_type: SyncType, current: dict[str, Any], paths: dict[str, Any]) -> None:
    """Refuse a change to a field that is set when the record is made (its parent, say)."""
    for rule in sync_type.rules:
        if rule.fixed and rule.name in paths and paths[rule.name] != current.get(rule.name):
            raise FieldError(rule.name, N_("This cannot be changed once the record is made."))


def _concurrent(meta: list[Any], base_version: int, device: str) -> bool:
    """A field write the device had not seen, made by another device."""
    return bool(meta[0] > base_version and meta[1] != device)


def _defaults(sync_type: SyncType) -> dict[str, Any]:
    """The model's defaults for the fields a new record was created without (fresh objects)."""
    return {
        name: default() if callable(default) else default
        for name, default in _default_values(sync_type)
    }


_DEFAULT_VALUES: dict[str, tuple[tuple[str, Any], ...]] = {}


def _default_values(sync_type: SyncType) -> tuple[tuple[str, Any], ...]:
    """Each rule's field and the model's default (a value, or a callable making one)."""
    found = _DEFAULT_VALUES.get(sync_type.name)
    if found is None:
        fields_map = sync_type.model._meta.fields_map
        found = tuple((rule.name, fields_map[rule.name].default) for rule in sync_type.rules)
        _DEFAULT_VALUES[sync_type.name] = found
    return found


def _get_path(row: dict[str, Any], path: str) -> Any:
    name, _, key = path.partition(".")
    if not key:
        return row.get(name)
    stored = row.get(name)
    return stored.get(key) if isinstance(stored, dict) else None


def _set_path(row: dict[str, Any], path: str, value: Any) -> None:
    """Set a field, or one key of a map in place: the row's maps are its own (`_copy`)."""
    name, _, key = path.partition(".")
    if not key:
        row[name] = value
        return
    stored = row.get(name)
    if not isinstance(stored, dict):
        stored = row[name] = {}
    stored[key] = value


def _row_of(stored: dict[str, Any]) -> dict[str, Any]:
    """A loaded record with its UUIDs other than `id` as text, as devices send them."""
    return {k: str(v) if isinstance(v, uuid.UUID) and k != "id" else v for k, v in stored.items()}
