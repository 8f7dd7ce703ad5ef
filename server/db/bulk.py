"""Set-based reads and writes straight to the database: one statement per table per batch.

Sync batches touch many rows of a few tables; building ORM objects (and ORM queries) for each
costs more than the database work. Values are converted the way Tortoise stores them (JSON as
text, UUIDs as text on SQLite), so the ORM reads these rows back as its own.

On PostgreSQL every table's rows travel as ONE JSON array (encoded by orjson in one call) that
`json_populate_recordset` turns back into rows, and all the tables of a batch are written by
one statement (one `WITH` part per table): the same SQL text whatever the row count, prepared
once per connection, and no per-value work in Python."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import orjson
from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from server.db.config import is_postgres

_MAX_PARAMETERS = 30_000  # SQLite: below its 32,766 parameters per statement
_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    """Compact JSON text (orjson; the standard library for what orjson refuses, e.g. huge ints)."""
    try:
        return orjson.dumps(value, default=str, option=_OPTIONS).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"), default=str, ensure_ascii=False)


def _identity(value: Any) -> Any:
    return value


def _json(value: Any) -> Any:
    return None if value is None else dumps(value)


def _uuid(value: Any) -> Any:
    return None if value is None else str(value) if isinstance(value, uuid.UUID) else value


def _date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _converter(field: fields.Field[Any]) -> Callable[[Any], Any]:
    if isinstance(field, fields.JSONField):
        return _json
    if isinstance(field, fields.UUIDField):
        return _uuid
    if isinstance(field, fields.DateField):
        return _date  # SQLite's default date adapter is deprecated
    return _identity


_PG_TYPES: tuple[tuple[type[fields.Field[Any]], str], ...] = (
    (fields.UUIDField, "uuid"),
    (fields.JSONField, "jsonb"),
    (fields.DatetimeField, "timestamptz"),
    (fields.BigIntField, "int8"),
    (fields.SmallIntField, "int2"),
    (fields.IntField, "int4"),
    (fields.BooleanField, "bool"),
    (fields.CharField, "text"),
    (fields.TextField, "text"),
)


def _pg_type(field: fields.Field[Any]) -> str:
    for kind, name in _PG_TYPES:
        if isinstance(field, kind):
            return name
    raise TypeError(f"no PostgreSQL array type for {type(field).__name__}")


def columns_of(model: type[Model], skip: Sequence[str] = ()) -> list[str]:
    """The model's stored fields (not relations), minus `skip`."""
    return [
        name
        for name, field in model._meta.fields_map.items()
        if name not in skip and name in model._meta.db_fields
    ]


async def select(
    conn: BaseDBAsyncClient, model: type[Model], ids: Iterable[Any], *, lock: bool = False
) -> list[dict[str, Any]]:
    """The rows whose primary key is in `ids`, as dicts by field name (locked, in id order)."""
    keys = sorted({str(key) for key in ids})
    if not keys:
        return []
    meta = model._meta
    postgres = is_postgres(conn)
    if postgres:
        pk_type = _pg_type(meta.fields_map[meta.pk_attr])
        sql = _select_sql(meta.db_table, meta.db_pk_column, f"= ANY($1::{pk_type}[])", lock)
        params: list[Any] = [keys]
    else:
        marks = ", ".join("?" * len(keys))
        sql = _select_sql(meta.db_table, meta.db_pk_column, f"IN ({marks})", False)
        params = keys
    _, rows = await conn.execute_query(sql, params)
    columns = [
        (name, meta.fields_db_projection[name], _reader(meta.fields_map[name], postgres))
        for name in columns_of(model)
    ]
    return [{name: read(row[column]) for name, column, read in columns} for row in rows]


def _select_sql(table: str, pk: str, condition: str, lock: bool) -> str:
    sql = f'SELECT * FROM "{table}" WHERE "{pk}" {condition} ORDER BY "{pk}"'
    return sql + " FOR UPDATE" if lock else sql


def _reader(field: fields.Field[Any], postgres: bool) -> Callable[[Any], Any]:
    if isinstance(field, fields.JSONField):
        return lambda value: orjson.loads(value) if isinstance(value, str | bytes) else value
    # asyncpg already returns UUIDs, aware datetimes, ints and booleans; SQLite returns text.
    return _identity if postgres else field.to_python_value


@dataclass(frozen=True)
class Insert:
    """Rows (dicts by field name) for one table; with `conflict`, an upsert.

    On a conflict the `update` columns take the new value and the `add` columns add it to the
    stored one (`count = count + excluded.count`). `conflict` names the unique column(s).
    """

    model: type[Model]
    rows: Sequence[dict[str, Any]]
    columns: Sequence[str]
    conflict: str | tuple[str, ...] | None = None
    update: Sequence[str] = ()
    add: Sequence[str] = ()


async def write(conn: BaseDBAsyncClient, inserts: Sequence[Insert]) -> None:
    """Run every insert: on PostgreSQL as one statement (one `WITH` part per table)."""
    inserts = [part for part in inserts if part.rows]
    if not inserts:
        return
    if is_postgres(conn):
        parts: list[str] = []
        params: list[Any] = []
        for number, part in enumerate(inserts, start=1):
            parts.append(_populate_sql(part.model, tuple(part.columns), part.conflict,
                                       tuple(part.update), tuple(part.add), number))  # fmt: skip
            params.append(_rows_json(part))
        if len(parts) == 1:
            sql = parts[0]
        else:
            sql = "WITH " + ", ".join(f"w{i} AS ({p})" for i, p in enumerate(parts)) + " SELECT 1"
        await conn.execute_query(sql, params)
        return
    for part in inserts:
        await _insert_values(conn, part)


def _rows_json(part: Insert) -> str:
    """The rows as one JSON array keyed by field name (= column name; extra keys are ignored)."""
    try:
        return orjson.dumps(part.rows, default=str, option=_OPTIONS).decode()
    except TypeError:  # what orjson refuses (e.g. an integer beyond 64 bits)
        return json.dumps(part.rows, default=_plain, separators=(",", ":"), ensure_ascii=False)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


async def _insert_values(conn: BaseDBAsyncClient, part: Insert) -> None:
    """SQLite: multi-row `INSERT … VALUES`, as many rows per statement as parameters allow."""
    meta = part.model._meta
    columns = part.columns
    converters = [_converter(meta.fields_map[name]) for name in columns]
    names = ", ".join(f'"{meta.fields_db_projection[name]}"' for name in columns)
    marks = "(" + ", ".join("?" * len(columns)) + ")"
    per_statement = max(1, _MAX_PARAMETERS // len(columns))
    for start in range(0, len(part.rows), per_statement):
        rows = part.rows[start : start + per_statement]
        params = [
            convert(row.get(name))
            for row in rows
            for convert, name in zip(converters, columns, strict=True)
        ]
        values = ", ".join([marks] * len(rows))
        sql = f'INSERT INTO "{meta.db_table}" ({names}) VALUES {values}'
        conflict = _on_conflict(part.model, part.conflict, part.update, part.add)
        await conn.execute_query(sql + conflict, params)


@lru_cache(maxsize=128)
def _populate_sql(
    model: type[Model],
    columns: tuple[str, ...],
    conflict: str | tuple[str, ...] | None,
    update: tuple[str, ...],
    add: tuple[str, ...],
    number: int,
) -> str:
    meta = model._meta
    if any(meta.fields_db_projection[name] != name for name in columns):
        raise ValueError(f"{meta.db_table}: bulk writes need column names equal to field names")
    names = ", ".join(f'"{name}"' for name in columns)
    source = f'json_populate_recordset(NULL::"{meta.db_table}", ${number}::json)'
    sql = f'INSERT INTO "{meta.db_table}" ({names}) SELECT {names} FROM {source}'
    return sql + _on_conflict(model, conflict, update, add)


def _on_conflict(
    model: type[Model],
    conflict: str | tuple[str, ...] | None,
    update: Sequence[str],
    add: Sequence[str] = (),
) -> str:
    if conflict is None:
        return ""
    meta = model._meta
    column = meta.fields_db_projection
    unique = ", ".join(
        f'"{column[c]}"' for c in ((conflict,) if isinstance(conflict, str) else conflict)
    )
    sets = [f'"{column[c]}" = EXCLUDED."{column[c]}"' for c in update]
    sets += [
        f'"{column[c]}" = "{meta.db_table}"."{column[c]}" + EXCLUDED."{column[c]}"' for c in add
    ]
    return f" ON CONFLICT ({unique}) DO UPDATE SET {', '.join(sets)}"
