"""A full disk, recognised in whichever form it reaches us: SQLite, PostgreSQL or a file write.

The transaction that met it was rolled back, so nothing saved before is lost and nothing half
saved is kept; `web/errors.py` answers it in the user's language instead of a bare 500.
"""

from __future__ import annotations

import errno
import sqlite3

import asyncpg  # type: ignore[import-untyped]
from tortoise.exceptions import BaseORMException

# What a full disk may be raised as (directly, or wrapped by Tortoise in one of its own errors).
STORAGE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    sqlite3.Error,
    asyncpg.PostgresError,
    BaseORMException,
)
_SQLITE_FULL = 13
_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(exc: BaseException) -> bool:
    """Whether `exc`, or an error it wraps, says the disk (or the database's quota) is full."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        error = pending.pop()
        if not isinstance(error, BaseException) or id(error) in seen:
            continue
        seen.add(id(error))
        if _says_full(error):
            return True
        # Tortoise wraps the driver's error as its first argument, or chains it.
        pending += [error.__cause__, error.__context__, *error.args[:1]]
    return False


def _says_full(error: BaseException) -> bool:
    if isinstance(error, asyncpg.DiskFullError):  # SQLSTATE 53100
        return True
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", None) == _SQLITE_FULL
    return isinstance(error, OSError) and error.errno in _DISK_FULL_ERRNOS
