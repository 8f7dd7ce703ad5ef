"""Server screens change synced records through the sync engine, which plugs itself in here.

A domain (e.g. conflict review) calls `server_write`; the engine (`server/sync/services.py`) is
above the domains, so the app factory hands its writer in with `plug` rather than the domain
importing it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.areas.scope import Scope

# The "device" of a change made on a server screen: `web:` and the user's id.
WEB_DEVICE_PREFIX = "web:"

ServerWrite = Callable[
    ["Scope", str, uuid.UUID, dict[str, Any], str, str], Awaitable[dict[str, Any]]
]
Changes = list[tuple[uuid.UUID, dict[str, Any]]]
ServerWrites = Callable[["Scope", str, Changes, str], Awaitable[list[dict[str, Any]]]]
_writers: list[ServerWrite] = []
_batch_writers: list[ServerWrites] = []


def plug(writer: ServerWrite, batch_writer: ServerWrites | None = None) -> None:
    """Use `writer` (and `batch_writer` for many records at once, e.g. an import) for every
    server-side write of a synced record (the app factory calls it)."""
    _writers[:] = [writer]
    _batch_writers[:] = [batch_writer] if batch_writer is not None else []


async def server_write(
    scope: Scope,
    type_name: str,
    record_id: uuid.UUID,
    data: dict[str, Any],
    language: str = "vi",
    op: str = "update",
) -> dict[str, Any]:
    """Change a synced record from a server screen, as an `update` (or `op`) from `web:`.

    Returns the push receipt (`applied`, or `rejected` with errors); see `sync.services`.
    """
    if not _writers:
        raise RuntimeError("no sync engine is plugged in: call server.syncable.writes.plug")
    return await _writers[0](scope, type_name, record_id, data, language, op)


async def server_writes(
    scope: Scope, type_name: str, changes: Changes, language: str = "vi"
) -> list[dict[str, Any]]:
    """Create or change many records from a server screen (an import), as the `web:` device.

    A record not on the server yet is created. One receipt per change; see `sync.services`.
    """
    if not _batch_writers:
        raise RuntimeError("no sync engine is plugged in: call server.syncable.writes.plug")
    return await _batch_writers[0](scope, type_name, changes, language)
