"""Changes after a cursor, in pages, limited to the caller's scope.

The cursor holds, per record type, the `(txid, version)` of the last change sent. On PostgreSQL
only rows written by transactions below the txid horizon are sent, so a change that took an early
version but committed late is still sent later, never skipped.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q

from server.areas.scope import Scope
from server.areas.services import areas_with_ancestors
from server.db.config import connection
from server.errors import UserError
from server.i18n import N_
from server.sync.registry import sync_types
from server.sync.wire import public_data
from server.syncable.clock import txid_horizon
from server.syncable.types import SCOPE_EVERYONE, SCOPE_OWNER, SyncType, Viewer

MAX_LIMIT = 1000
DEFAULT_LIMIT = 200


class BadCursor(UserError):
    """The cursor was not made by this server: the device starts its sync again."""

    status = 400

    def __init__(self) -> None:
        super().__init__(N_("The sync position is not valid. Sync from the start."))


@dataclass(frozen=True)
class Page:
    """One page of changes and the cursor to ask for the next."""

    changes: list[dict[str, Any]]
    cursor: str
    more: bool


def encode_cursor(positions: dict[str, tuple[int, int]]) -> str:
    """Pack per-type positions into an opaque string."""
    raw = json.dumps({k: list(v) for k, v in sorted(positions.items())}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, tuple[int, int]]:
    """Unpack a cursor; an empty one starts from the beginning."""
    if not cursor:
        return {}
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        positions = {str(k): (v[0], v[1]) for k, v in data.items()}
    except (binascii.Error, ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise BadCursor() from None
    # Only the whole numbers a cursor of ours holds: not 1e400, not past a BIGINT column.
    if not all(_position(n) for pair in positions.values() for n in pair):
        raise BadCursor()
    return positions


def _position(value: object) -> bool:
    return type(value) is int and 0 <= value < 2**63


async def pull(scope: Scope, cursor: str | None, limit: int = DEFAULT_LIMIT) -> Page:
    """The next page of changes visible to `scope` after `cursor`."""
    positions = decode_cursor(cursor)
    limit = max(1, min(limit, MAX_LIMIT))
    horizon = await txid_horizon(connection())
    changes: list[dict[str, Any]] = []
    more = False
    viewer: Viewer | None = None
    for sync_type in sync_types():
        if sync_type.reader_roles is not None and scope.role not in sync_type.reader_roles:
            continue  # not for this role's phone: its position stays where it is
        room = limit - len(changes)
        if room <= 0:
            more = True
            break
        txid, version = positions.get(sync_type.name, (0, 0))
        rows = await _rows_after(sync_type, scope, txid, version, horizon, room + 1)
        if len(rows) > room:
            rows, more = rows[:room], True
        if rows:
            positions[sync_type.name] = (rows[-1]["txid"], rows[-1]["version"])
        if sync_type.audience is not None and rows and viewer is None:
            viewer = await _viewer(scope)
        for row in rows:
            deleted = row["deleted"] or (
                sync_type.audience is not None
                and viewer is not None
                and not sync_type.audience(row, viewer)
            )
            changes.append(
                {
                    "type": sync_type.name,
                    "record_id": str(row["id"]),
                    "version": row["version"],
                    "deleted": deleted,
                    "data": {} if deleted else public_data(sync_type, row),
                }
            )
        if more:
            break
    return Page(changes=changes, cursor=encode_cursor(positions), more=more)


async def _viewer(scope: Scope) -> Viewer:
    own = scope.villages | scope.communes | scope.provinces
    return Viewer(
        role=scope.role,
        everywhere=scope.everywhere,
        areas=own,
        reach=await areas_with_ancestors(own),
    )


async def _rows_after(
    sync_type: SyncType,
    scope: Scope,
    txid: int,
    version: int,
    horizon: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    model = sync_type.model
    if sync_type.scope == SCOPE_OWNER:
        visible = Q(user_id=scope.user_id)
    elif sync_type.scope == SCOPE_EVERYONE:
        visible = Q()
    else:
        visible = scope.area_filter()
    query = model.filter(visible).filter(Q(txid__gt=txid) | Q(txid=txid, version__gt=version))
    if horizon is not None:
        query = query.filter(txid__lt=horizon)
    columns = ("id", "txid", "version", "deleted", *sync_type.pull_fields)
    rows: list[dict[str, Any]] = (
        await query.order_by("txid", "version").limit(limit).values(*columns)
    )
    return rows
