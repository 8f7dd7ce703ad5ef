"""The push's wire format: a batch's mutations as devices send them, read and checked.

A mutation that cannot be read becomes a `rejected` receipt here; the rest become `Mutation`s
for `server/sync/merge.py`. See docs/sync-protocol.md for the contract.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from asyncpg.pgproto.pgproto import UUID as _FastUUID  # type: ignore[import-untyped]

from server.areas.scope import Scope
from server.i18n import N_, gettext
from server.sync.registry import get_type
from server.syncable import statuses
from server.syncable.fields import jsonable
from server.syncable.types import SyncType

OPS = ("create", "update", "delete")


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
class PushRequest:
    """A batch as the device sent it, with the caller's identity."""

    scope: Scope
    device_id: str
    mutations: list[Any]
    language: str = "vi"
    app_version: str | None = None
    pending_changes: int | None = None
    model: str | None = None  # the phone's model and browser, from its User-Agent (web/agents.py)
    browser: str | None = None
    # False for a server screen's write: it is not a phone, so sync health does not list it.
    record_device: bool = True
    # True only for `server_write` (a server screen): it alone may set `server_only` fields. A
    # device id is whatever the phone sends, so it never decides this.
    from_server: bool = False
    # Display names by user id: a conflict's receipt says whose change was kept.
    names: Callable[[list[str]], Awaitable[dict[str, str]]] | None = None


def parse(raw: Any, language: str) -> Mutation | dict[str, Any]:
    """A well-formed `Mutation`, or a `rejected` receipt for what cannot be read."""
    if not isinstance(raw, dict):
        return _unreadable(None, "mutation", language)
    mutation_id = as_uuid(raw.get("id"))
    if mutation_id is None:
        return _unreadable(raw.get("id"), "id", language)
    sync_type = get_type(str(raw.get("type")))
    if sync_type is None:
        return _unreadable(mutation_id, "type", language)
    record_id = as_uuid(raw.get("record_id"))
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


def id_taken(mutation_id: uuid.UUID, language: str) -> dict[str, Any]:
    """The receipt of a mutation whose id another device or user already used: refused."""
    message = gettext(
        language, N_("This change's id is already used by another change. Please update the app.")
    )
    return {
        "id": str(mutation_id),
        "status": statuses.REJECTED,
        "errors": [{"field": "id", "message": message}],
        "message": message,
    }


def duplicate(original: dict[str, Any]) -> dict[str, Any]:
    """The receipt of a mutation already applied, answered again as a duplicate."""
    receipt = dict(original)
    receipt["original_status"] = original.get("original_status", original["status"])
    receipt["status"] = statuses.DUPLICATE
    return receipt


def public_data(sync_type: SyncType, row: dict[str, Any]) -> dict[str, Any]:
    """The fields of a record a device receives."""
    return {name: jsonable(row.get(name)) for name in sync_type.pull_fields}


def as_uuid(value: Any) -> uuid.UUID | None:
    """The value as a UUID, or None when it is not one.

    asyncpg's UUID (a `uuid.UUID` written in C, the type PostgreSQL rows come back as) for the
    usual forms: a push parses two per mutation and then hashes, compares and prints them
    dozens of times, which the standard library's pure-Python class made a tenth of a push's
    CPU. The standard library still reads the rarer forms (braces, `urn:uuid:`).
    """
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        return None
    try:
        return _FastUUID(value)  # type: ignore[no-any-return]
    except ValueError:
        pass
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
