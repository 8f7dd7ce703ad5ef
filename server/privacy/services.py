"""A consent withdrawal's effect: fields emptied everywhere, history redacted, erasure.

Runs in the transaction of the push that stored the withdrawal (the type's `after_store` hook),
or of `langso privacy sweep`. What it empties and why: docs/sync-protocol.md, "Withdrawing
consent"; what an erased household still counts for: docs/coverage.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient

from server.areas.scope import Scope
from server.assignments.models import Assignment
from server.checklists.models import Checklist
from server.content import PERSONAL_FIELDS, curriculum
from server.db import bulk
from server.db.config import is_postgres
from server.errors import NotFound, UserError
from server.households import services as households
from server.households.models import Household
from server.i18n import N_
from server.privacy.models import ConsentWithdrawal
from server.syncable import statuses
from server.syncable.clock import allocate_versions
from server.syncable.models import WITHDRAWN_VALUE, ChangeLog, Conflict, SyncMutation
from server.syncable.writes import server_write

WITHDRAWN = WITHDRAWN_VALUE
ERASE, WITHDRAW = "erase", "withdraw"
_EMPTY: dict[str, Any] = {"head_name": "", "address": "", "phone": None, "notes": ""}
_ASSIGNMENT_PERSONAL = ("household_name", "note")


def _field_of(path: str) -> str:
    return path.partition(".")[0]


def _redact(values: Any, fields: frozenset[str]) -> Any:
    """A change's values with those of `fields` replaced by the marker (other values kept)."""
    if not isinstance(values, dict):
        return values
    return {k: WITHDRAWN if _field_of(k) in fields else v for k, v in values.items()}


async def after_store(
    conn: BaseDBAsyncClient,
    changes: Sequence[tuple[Mapping[str, Any] | None, Mapping[str, Any]]],
    now: datetime,
    device_id: str,
) -> None:
    """The consent withdrawal type's hook: apply each new withdrawal to its household."""
    for stored, new in changes:
        if stored is None:
            user = uuid.UUID(str(new["recorded_by"])) if new.get("recorded_by") else None
            household = uuid.UUID(str(new["household_id"]))
            await withdraw(conn, household, new["purposes"], now, device_id, user)


async def withdraw(
    conn: BaseDBAsyncClient,
    household_id: uuid.UUID,
    purposes: Iterable[str],
    now: datetime,
    device_id: str,
    user_id: uuid.UUID | None,
) -> str | None:
    """Withdraw `purposes` from a household: `erase`, `withdraw`, or None (nothing to do)."""
    lock = conn.capabilities.support_for_update
    rows = await bulk.select(conn, Household, [household_id], lock=lock)
    if not rows or rows[0]["deleted"]:
        return None
    row = rows[0]
    by_key = {purpose.key: purpose for purpose in curriculum.consent_purposes()}
    withdrawn = set(purposes) & by_key.keys()
    erase = any(by_key[key].required for key in withdrawn)
    fields = (
        PERSONAL_FIELDS
        if erase
        else tuple(sorted({name for key in withdrawn for name in by_key[key].fields}))
    )
    [version] = await allocate_versions(conn, 1)
    stamp = [version, device_id]
    values: dict[str, Any] = {name: _EMPTY[name] for name in fields}
    consent = row["consent"] if isinstance(row["consent"], dict) else {}
    if erase:
        values |= {"consent": None, "deleted": True, "erased_at": now}
    else:
        kept = sorted(set(consent.get("purposes") or ()) - withdrawn)
        gone = sorted(set(consent.get("withdrawn") or ()) | withdrawn)
        values["consent"] = {**consent, "purposes": kept, "withdrawn": gone} if consent else None
    meta = dict(row["field_meta"] or {})
    meta |= {name: stamp for name in values if name != "erased_at"}
    await (
        Household.filter(id=household_id)
        .using_db(conn)
        .update(**values, field_meta=meta, version=version, updated_at=now)
    )
    redacted = frozenset(fields) | ({"consent"} if erase else frozenset())
    await _redact_history(conn, "household", [household_id], redacted)
    await _redact_conflicts(conn, household_id, redacted, erase)
    await _redact_receipts(conn, [household_id], redacted)
    op = ERASE if erase else WITHDRAW
    await ChangeLog.create(
        using_db=conn,
        at=now,
        user_id=user_id,
        device_id=device_id,
        record_type="household",
        record_id=household_id,
        version=version,
        op=op,
        # An erasure keeps no values at all; a withdrawal says which fields it emptied.
        before=None if erase else dict.fromkeys(fields, WITHDRAWN),
        after=None if erase else {name: _EMPTY[name] for name in fields},
        village_code=row["village_code"],
    )
    if erase:
        await _erase_around(conn, household_id, now, device_id)
    return op


async def _erase_around(
    conn: BaseDBAsyncClient, household_id: uuid.UUID, now: datetime, device_id: str
) -> None:
    """What other records hold of an erased household: assignments, checklists, withdrawals."""
    assignments = await Assignment.filter(household_id=household_id).using_db(conn)
    checklists = await Checklist.filter(household_id=household_id, deleted=False).using_db(conn)
    versions = iter(await allocate_versions(conn, len(assignments) + len(checklists)))
    for record in [*assignments, *checklists]:
        version = next(versions)
        meta = dict(record.field_meta or {}) | {"deleted": [version, device_id]}
        values: dict[str, Any] = {"deleted": True, "version": version, "updated_at": now}
        if isinstance(record, Assignment):
            values |= dict.fromkeys(_ASSIGNMENT_PERSONAL, "")
            meta |= {name: [version, device_id] for name in _ASSIGNMENT_PERSONAL}
        await type(record).filter(id=record.id).using_db(conn).update(**values, field_meta=meta)
    assignment_ids = [a.id for a in assignments]
    await _redact_history(conn, "assignment", assignment_ids, frozenset(_ASSIGNMENT_PERSONAL))
    await _redact_receipts(conn, assignment_ids, frozenset(_ASSIGNMENT_PERSONAL))
    withdrawals = ConsentWithdrawal.filter(household_id=household_id).using_db(conn)
    withdrawal_ids = [w.id for w in await withdrawals.only("id")]
    await withdrawals.update(asked_by="")
    await _redact_history(conn, "consent_withdrawal", withdrawal_ids, frozenset({"asked_by"}))


async def _redact_history(
    conn: BaseDBAsyncClient, record_type: str, ids: Sequence[uuid.UUID], fields: frozenset[str]
) -> None:
    """Replace the values of `fields` in the change log of these records by the marker."""
    if not ids:
        return
    rows = await (
        ChangeLog.filter(record_type=record_type, record_id__in=list(ids))
        .using_db(conn)
        .values("id", "before", "after")
    )
    for row in rows:
        before, after = _redact(row["before"], fields), _redact(row["after"], fields)
        if (before, after) != (row["before"], row["after"]):
            await ChangeLog.filter(id=row["id"]).using_db(conn).update(before=before, after=after)


async def _redact_conflicts(
    conn: BaseDBAsyncClient, household_id: uuid.UUID, fields: frozenset[str], erase: bool
) -> None:
    """Conflicts keep that a field was edited twice, not the values; an erased household's
    leave the review lists (the change log still says that its fields changed)."""
    conflicts = Conflict.filter(record_type="household", record_id=household_id).using_db(conn)
    if erase:
        await conflicts.delete()
        return
    for conflict in await conflicts:
        if _field_of(conflict.field) in fields:
            # A text given to a JSON field is taken as JSON already: the marker's JSON form.
            conflict.kept_value = conflict.lost_value = bulk.dumps(WITHDRAWN)
            await conflict.save(using_db=conn)


async def _redact_receipts(
    conn: BaseDBAsyncClient, ids: Sequence[uuid.UUID], fields: frozenset[str]
) -> None:
    """Stored receipts (answered again to a replay) lose the values of `fields` too."""
    if not ids:
        return
    if is_postgres(conn):
        sql = "SELECT id, receipt FROM sync_mutation WHERE receipt->>'record_id' = ANY($1::text[])"
        found = await conn.execute_query_dict(sql, [[str(i) for i in ids]])
    else:
        marks = ", ".join("?" * len(ids))
        sql = (
            "SELECT id, receipt FROM sync_mutation "
            f"WHERE json_extract(receipt, '$.record_id') IN ({marks})"
        )
        found = await conn.execute_query_dict(sql, [str(i) for i in ids])
    for row in found:
        raw = row["receipt"]
        receipt = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
        redacted = dict(receipt)
        if isinstance(receipt.get("record"), dict):
            redacted["record"] = _redact(receipt["record"], fields)
        if isinstance(receipt.get("conflicts"), list):
            redacted["conflicts"] = [
                {**note, "kept": WITHDRAWN, "yours": WITHDRAWN}
                if isinstance(note, dict) and _field_of(str(note.get("field"))) in fields
                else note
                for note in receipt["conflicts"]
            ]
        if redacted != receipt:
            await SyncMutation.filter(id=row["id"]).using_db(conn).update(receipt=redacted)


class WithdrawalError(UserError):
    """A withdrawal recorded on a server screen that could not be saved."""


async def record(scope: Scope, household_id: uuid.UUID, data: dict[str, Any], language: str) -> str:
    """Record a withdrawal from a coordinator's screen, through sync like a phone's; its id.

    The household must be live and in the scope (else `NotFound`); a refused withdrawal raises
    `WithdrawalError` with the reasons.
    """
    household = await households.in_scope(scope, household_id)
    if household is None or household.deleted:
        raise NotFound(N_("This household is not in your area."))
    record_id = uuid.uuid4()
    body = {**data, "household_id": str(household_id)}
    receipt = await server_write(scope, "consent_withdrawal", record_id, body, language, "create")
    if receipt["status"] == statuses.REJECTED:
        errors = receipt.get("errors") or [{}]
        reason = "; ".join(str(e.get("message", "")) for e in errors)
        raise WithdrawalError(
            N_("The withdrawal could not be saved: %(reason)s"),
            field=errors[0].get("field"),
            params={"reason": reason},
        )
    return str(record_id)
