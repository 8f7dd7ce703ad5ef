"""Apply one device's batch of mutations: exactly once, in the device's order, field-merged.

The batch is handled set-based: one query per record type loads (and on PostgreSQL locks) every
record the batch touches, the rules run in memory, and one bulk write per table stores the
result. See docs/sync-protocol.md for the contract.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from server.areas import kinds
from server.areas.models import Area
from server.areas.scope import Scope
from server.coverage import tally
from server.i18n import N_, gettext
from server.sync import bulk, statuses
from server.sync.clock import allocate_versions, lock_device
from server.sync.fields import FieldError
from server.sync.models import ChangeLog, Conflict, Device, SyncMutation
from server.sync.registry import (
    AREA_COLUMNS,
    SCOPE_OWNER,
    SCOPE_PARENT,
    SCOPE_VILLAGE,
    SyncType,
    get_type,
    sync_types,
)

MAX_BATCH = 500
OPS = ("create", "update", "delete")
_PENDING = -1
_ATTEMPTS = 3


@dataclass
class Mutation:
    """One well-formed mutation from the batch."""

    id: uuid.UUID
    type: SyncType
    record_id: uuid.UUID
    op: str
    base_version: int
    data: dict[str, Any]


@dataclass
class _Outcome:
    """What applying one mutation produced, before versions are known."""

    mutation: Mutation
    status: str
    errors: list[FieldError] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@dataclass
class PushRequest:
    """A batch as the device sent it, with the caller's identity."""

    scope: Scope
    device_id: str
    mutations: list[Any]
    language: str = "vi"
    app_version: str | None = None
    pending_changes: int | None = None
    # False for a server screen's write: it is not a phone, so sync health does not list it.
    record_device: bool = True


async def push(request: PushRequest) -> list[dict[str, Any]]:
    """Apply the batch and return one receipt per mutation, in the order they were sent."""
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
    parsed = [_parse(raw, request.language) for raw in request.mutations]
    ids = [item.id for item in parsed if isinstance(item, Mutation)]
    earlier = {row["id"]: row["receipt"] for row in await bulk.select(conn, SyncMutation, ids)}
    batch = _Batch(request, now)
    await batch.load(conn, [m for m in parsed if isinstance(m, Mutation) and m.id not in earlier])

    receipts: list[dict[str, Any] | None] = []
    outcomes: list[_Outcome] = []
    seen: dict[uuid.UUID, int] = {}
    for item in parsed:
        if isinstance(item, dict):
            receipts.append(item)
        elif item.id in earlier:
            receipts.append(_duplicate(earlier[item.id]))
        elif item.id in seen:
            receipts.append(None)  # answered below, once the first copy has its receipt
        else:
            seen[item.id] = len(receipts)
            receipts.append(None)
            outcomes.append(batch.apply(item))

    versions = await batch.assign_versions(conn)
    fresh = {o.mutation.id: _receipt(o, versions, batch, request.language) for o in outcomes}
    for index, item in enumerate(parsed):
        if receipts[index] is None and isinstance(item, Mutation):
            first = fresh[item.id]
            receipts[index] = first if seen[item.id] == index else _duplicate(first)

    answered = bulk.Insert(
        SyncMutation,
        [
            {
                "id": o.mutation.id,
                "device_id": request.device_id,
                "user_id": request.scope.user_id,
                "status": o.status,
                "receipt": fresh[o.mutation.id],
                "received_at": now,
            }
            for o in outcomes
        ],
        _columns(SyncMutation),
    )
    await tally.record_households(conn, batch.changed_rows("household"), now)
    # One statement on PostgreSQL: receipts, records, change log, conflicts, the device.
    writes = [answered, *batch.writes(outcomes, versions)]
    if request.record_device:
        writes.append(_device(request, now))
    await bulk.write(conn, writes)
    return [receipt for receipt in receipts if receipt is not None]


def _parse(raw: Any, language: str) -> Mutation | dict[str, Any]:
    """A well-formed `Mutation`, or a `rejected` receipt for what cannot be read."""
    if not isinstance(raw, dict):
        return _unreadable(None, "mutation", language)
    mutation_id = _as_uuid(raw.get("id"))
    if mutation_id is None:
        return _unreadable(raw.get("id"), "id", language)
    sync_type = get_type(str(raw.get("type")))
    if sync_type is None:
        return _unreadable(mutation_id, "type", language)
    record_id = _as_uuid(raw.get("record_id"))
    if record_id is None:
        return _unreadable(mutation_id, "record_id", language)
    op, base, data = raw.get("op"), raw.get("base_version", 0), raw.get("data")
    if op not in OPS:
        return _unreadable(mutation_id, "op", language)
    if isinstance(base, bool) or not isinstance(base, int) or base < 0:
        return _unreadable(mutation_id, "base_version", language)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return _unreadable(mutation_id, "data", language)
    return Mutation(mutation_id, sync_type, record_id, op, base, data)


def _unreadable(mutation_id: Any, name: str, language: str) -> dict[str, Any]:
    message = gettext(language, N_("This change could not be read. Please update the app."))
    return {
        "id": None if mutation_id is None else str(mutation_id),
        "status": statuses.REJECTED,
        "errors": [{"field": name, "message": message}],
        "message": message,
    }


def _duplicate(original: dict[str, Any]) -> dict[str, Any]:
    receipt = dict(original)
    receipt["original_status"] = original.get("original_status", original["status"])
    receipt["status"] = statuses.DUPLICATE
    return receipt


class _Batch:
    """The records a batch touches, loaded once and changed in memory."""

    def __init__(self, request: PushRequest, now: datetime) -> None:
        self.request = request
        self.scope = request.scope
        self.device = request.device_id
        self.now = now
        self.rows: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
        self.changed: dict[tuple[str, uuid.UUID], SyncType] = {}
        self.villages: dict[str, dict[str, Any]] = {}

    def changed_rows(self, type_name: str) -> list[dict[str, Any]]:
        """The new state of every changed record of one type."""
        return [self.rows[key] for key, t in self.changed.items() if t.name == type_name]

    async def load(self, conn: BaseDBAsyncClient, mutations: list[Mutation]) -> None:
        """Load every record and village the mutations name: one query per table."""
        wanted: dict[str, set[uuid.UUID]] = {}
        village_codes: set[str] = set()
        for m in mutations:
            wanted.setdefault(m.type.name, set()).add(m.record_id)
            if m.type.parent is not None:
                parent_field, parent_type = m.type.parent
                parent_id = _as_uuid(m.data.get(parent_field))
                if parent_id is not None:
                    wanted.setdefault(parent_type, set()).add(parent_id)
            code = m.data.get("village_code")
            if m.type.scope == SCOPE_VILLAGE and isinstance(code, str):
                village_codes.add(code.strip())
        lock = conn.capabilities.support_for_update
        for sync_type in sync_types():
            ids = wanted.get(sync_type.name)
            if ids:
                for row in await bulk.select(conn, sync_type.model, ids, lock=lock):
                    self.rows[(sync_type.name, row["id"])] = _row_of(row)
        areas = await bulk.select(conn, Area, village_codes)
        self.villages = {area["code"]: area for area in areas if area["kind"] == kinds.VILLAGE}
        for sync_type in sync_types():
            if sync_type.prepare is not None:
                records = [m.data for m in mutations if m.type is sync_type]
                records += [row for key, row in self.rows.items() if key[0] == sync_type.name]
                if records:
                    await sync_type.prepare(conn, records)

    def apply(self, m: Mutation) -> _Outcome:
        """Apply one mutation to the in-memory records."""
        try:
            return self._apply(m)
        except FieldError as error:
            return _Outcome(m, statuses.REJECTED, errors=[error])
        except _Rejected as rejected:
            return _Outcome(m, statuses.REJECTED, errors=rejected.errors)

    def _apply(self, m: Mutation) -> _Outcome:
        if m.type.read_only:
            raise FieldError("type", N_("This cannot be changed from the app."))
        if m.type.scope != SCOPE_OWNER and not self.scope.writes_households:
            raise FieldError("type", N_("Your role cannot change household records."))
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
        if current["deleted"]:
            raise FieldError("record_id", N_("This record was deleted."))
        return self._update(m, current, values)

    def _clean(self, m: Mutation) -> dict[str, Any]:
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        for name, raw in m.data.items():
            rule = m.type.rule(name)
            if rule is None or rule.server_only:
                errors.append(FieldError(name, N_("This field cannot be changed.")))
                continue
            try:
                value = rule.clean(raw)
            except FieldError as error:
                errors.append(error)
                continue
            if rule.is_map and value is not None and rule.stamp_user:
                value = {k: {**v, "by": str(self.scope.user_id)} for k, v in value.items()}
            values[name] = value
        if errors:
            raise _Rejected(errors)
        return values

    def _create(self, m: Mutation, values: dict[str, Any]) -> _Outcome:
        missing = [
            FieldError(rule.name, N_("This field is required."))
            for rule in m.type.rules
            if rule.required and values.get(rule.name) is None
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
        for rule in m.type.rules:
            row[rule.name] = _default(m.type, rule.name)
        for path, value in _flatten(m.type, values).items():
            _set_path(row, path, value)
            row["field_meta"][path] = [_PENDING, self.device]
        if m.type.creator_field:
            row[m.type.creator_field] = str(self.scope.user_id)
        self._place(m, row)
        self._check(m, row)
        self.rows[(m.type.name, m.record_id)] = row
        self.changed[(m.type.name, m.record_id)] = m.type
        after = {path: _get_path(row, path) for path in row["field_meta"]}
        return _Outcome(m, statuses.APPLIED, after=after)

    def _update(self, m: Mutation, current: dict[str, Any], values: dict[str, Any]) -> _Outcome:
        self._guard(m, current)
        row = _copy(current)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        conflicts: list[dict[str, Any]] = []
        for path, value in _flatten(m.type, values).items():
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
        return _Outcome(m, status, conflicts=conflicts, before=before, after=after)

    def _delete(self, m: Mutation, current: dict[str, Any] | None) -> _Outcome:
        if current is None:
            raise FieldError("record_id", N_("This record is not on the server."))
        self._guard(m, current)
        if current["deleted"]:
            return _Outcome(m, statuses.APPLIED)
        row = _copy(current)
        before = {name: row.get(name) for name in m.type.cleared_on_delete}
        row.update(m.type.cleared_on_delete)
        row["deleted"] = True
        row["field_meta"]["deleted"] = [_PENDING, self.device]
        self.rows[(m.type.name, m.record_id)] = row
        self.changed[(m.type.name, m.record_id)] = m.type
        return _Outcome(m, statuses.APPLIED, before=before, after={"deleted": True})

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
                raise FieldError(
                    parent_field, N_("The household for this checklist is not on the server.")
                )
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
        keys = sorted(self.changed, key=lambda key: (key[0], str(key[1])))
        versions = dict(zip(keys, await allocate_versions(conn, len(keys)), strict=True))
        for key, version in versions.items():
            row = self.rows[key]
            row["version"] = version
            row["updated_at"] = self.now
            for meta in row["field_meta"].values():
                if meta[0] == _PENDING:
                    meta[0] = version
        return versions

    def writes(
        self, outcomes: list[_Outcome], versions: dict[tuple[str, uuid.UUID], int]
    ) -> list[bulk.Insert]:
        """The changed records, the change log and the conflicts: one insert per table.

        New records are plain inserts: if another device created the same record meanwhile,
        the unique key fails the batch, which `push` then runs again as an update that merges.
        Loaded records (locked since `load`) are upserts, in id order.
        """
        inserts = []
        for sync_type in sync_types():
            keys = sorted(k for k, t in self.changed.items() if t is sync_type)
            new = [self.rows[k] for k in keys if self.rows[k].get("_new")]
            stored = [self.rows[k] for k in keys if not self.rows[k].get("_new")]
            columns = _columns(sync_type.model)
            update = [c for c in columns if c not in ("id", "created_at")]
            inserts.append(bulk.Insert(sync_type.model, new, columns))
            inserts.append(bulk.Insert(sync_type.model, stored, columns, "id", update))
        log: list[dict[str, Any]] = []
        conflicts: list[dict[str, Any]] = []
        for o in outcomes:
            m = o.mutation
            key = (m.type.name, m.record_id)
            # A mutation whose every field lost still leaves its conflicts: nothing is lost.
            if o.status == statuses.REJECTED or key not in self.rows:
                continue
            row = self.rows[key]
            if o.after and key in versions:
                log.append(
                    {
                        "at": self.now,
                        "user_id": self.scope.user_id,
                        "device_id": self.device,
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
                    "kept_value": _jsonable(c["kept"]),
                    "kept_version": c["meta"][0],
                    "kept_device_id": c["meta"][1],
                    "lost_value": _jsonable(c["yours"]),
                    "lost_device_id": self.device,
                    "lost_user_id": self.scope.user_id,
                    "mutation_id": m.id,
                    "base_version": m.base_version,
                    "village_code": row.get("village_code"),
                    "commune_code": row.get("commune_code"),
                    "created_at": self.now,
                    "resolved_at": None,
                    "resolved_by": None,
                    "resolution": None,
                }
                for c in o.conflicts
            )
        inserts.append(bulk.Insert(ChangeLog, log, _columns(ChangeLog, skip=("id",))))
        inserts.append(bulk.Insert(Conflict, conflicts, _columns(Conflict)))
        return inserts


class _Rejected(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors)
        self.errors = errors


def _receipt(
    o: _Outcome,
    versions: dict[tuple[str, uuid.UUID], int],
    batch: _Batch,
    language: str,
) -> dict[str, Any]:
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
        receipt["conflicts"] = [
            {"field": c["field"], "kept": _jsonable(c["kept"]), "yours": _jsonable(c["yours"])}
            for c in o.conflicts
        ]
        receipt["message"] = gettext(
            language,
            N_("Someone else changed this at the same time; a coordinator will review it."),
        )
    if o.status in (statuses.MERGED, statuses.CONFLICT) and row is not None:
        receipt["record"] = public_data(m.type, row)
    return receipt


def public_data(sync_type: SyncType, row: dict[str, Any]) -> dict[str, Any]:
    """The fields of a record a device receives."""
    return {name: _jsonable(row.get(name)) for name in sync_type.pull_fields}


def _device(request: PushRequest, now: datetime) -> bulk.Insert:
    """The device's last push, for sync health."""
    device = {
        "id": request.device_id,
        "user_id": request.scope.user_id,
        "last_push_at": now,
        "last_pull_at": None,
        "app_version": request.app_version,
        "pending_changes": request.pending_changes,
    }
    update = ["user_id", "last_push_at", "app_version", "pending_changes"]
    return bulk.Insert(Device, [device], _columns(Device), "id", update)


@lru_cache(maxsize=32)
def _columns(model: type[Model], skip: tuple[str, ...] = ()) -> list[str]:
    return bulk.columns_of(model, skip)


def _copy(row: dict[str, Any]) -> dict[str, Any]:
    """A copy of a loaded record to change: values are replaced, never changed in place."""
    return {**row, "field_meta": dict(row["field_meta"])}


def _concurrent(meta: list[Any], base_version: int, device: str) -> bool:
    """A field write the device had not seen, made by another device."""
    return bool(meta[0] > base_version and meta[1] != device)


def _flatten(sync_type: SyncType, values: dict[str, Any]) -> dict[str, Any]:
    """Field paths to values; a map field contributes one path per key (`indicators.vneid`)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        rule = sync_type.rule(name)
        if rule is not None and rule.is_map:
            for key, item in (value or {}).items():
                out[f"{name}.{key}"] = item
        else:
            out[name] = value
    return out


def _default(sync_type: SyncType, name: str) -> Any:
    """The model's default for a field a new record was created without."""
    default = sync_type.model._meta.fields_map[name].default
    return default() if callable(default) else default


def _get_path(row: dict[str, Any], path: str) -> Any:
    name, _, key = path.partition(".")
    if not key:
        return row.get(name)
    return (row.get(name) or {}).get(key)


def _set_path(row: dict[str, Any], path: str, value: Any) -> None:
    name, _, key = path.partition(".")
    if not key:
        row[name] = value
        return
    row[name] = {**(row.get(name) or {}), key: value}


def _row_of(stored: dict[str, Any]) -> dict[str, Any]:
    """A loaded record with its UUIDs other than `id` as text, as devices send them."""
    return {k: str(v) if isinstance(v, uuid.UUID) and k != "id" else v for k, v in stored.items()}


def _as_uuid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str | uuid.UUID):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
