"""Multi-row INSERT (and upsert) straight to the database: one statement per table per batch.

Sync batches write many rows to a few tables; building ORM objects for each row costs more than
the database work. Values are converted the way Tortoise stores them (JSON as text, UUIDs as
text, datetimes as they are), so the ORM reads these rows back as its own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from server.db import is_postgres

_MAX_PARAMETERS = 30_000  # below PostgreSQL's 32,767 and SQLite's 32,766


def _identity(value: Any) -> Any:
    return value


def _json(value: Any) -> Any:
    return None if value is None else json.dumps(value, separators=(",", ":"), default=str)


def _uuid(value: Any) -> Any:
    return None if value is None else str(value) if isinstance(value, uuid.UUID) else value


def _converter(field: fields.Field[Any]) -> Callable[[Any], Any]:
    if isinstance(field, fields.JSONField):
        return _json
    if isinstance(field, fields.UUIDField):
        return _uuid
    return _identity


def columns_of(model: type[Model], skip: Sequence[str] = ()) -> list[str]:
    """The model's stored fields (not relations), minus `skip`."""
    return [
        name
        for name, field in model._meta.fields_map.items()
        if name not in skip and name in model._meta.db_fields
    ]


async def insert(
    conn: BaseDBAsyncClient,
    model: type[Model],
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    *,
    conflict: str | None = None,
    update: Sequence[str] = (),
) -> None:
    """Insert `rows` (dicts by field name); with `conflict`, update `update` columns instead."""
    if not rows:
        return
    meta = model._meta
    converters = [_converter(meta.fields_map[name]) for name in columns]
    names = ", ".join(f'"{meta.fields_db_projection[name]}"' for name in columns)
    postgres = is_postgres(conn)
    per_statement = max(1, _MAX_PARAMETERS // len(columns))
    for start in range(0, len(rows), per_statement):
        part = rows[start : start + per_statement]
        params: list[Any] = []
        groups = []
        for row in part:
            first = len(params) + 1
            params.extend(
                convert(row.get(name)) for convert, name in zip(converters, columns, strict=True)
            )
            if postgres:
                marks = ", ".join(f"${n}" for n in range(first, first + len(columns)))
            else:
                marks = ", ".join("?" * len(columns))
            groups.append(f"({marks})")
        sql = f'INSERT INTO "{meta.db_table}" ({names}) VALUES {", ".join(groups)}'
        if conflict is not None:
            sets = ", ".join(
                f'"{meta.fields_db_projection[c]}" = EXCLUDED."{meta.fields_db_projection[c]}"'
                for c in update
            )
            sql += f' ON CONFLICT ("{meta.fields_db_projection[conflict]}") DO UPDATE SET {sets}'
        await conn.execute_query(sql, params)
