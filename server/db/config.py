"""Tortoise configuration and the few helpers that need to know the SQL dialect."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as _migrate

from server.settings import Settings

MODEL_MODULES = [
    "server.areas.models",
    "server.accounts.models",
    "server.teams.models",
    "server.households.models",
    "server.rights.models",
    "server.checklists.models",
    "server.lessons.models",
    "server.syncable.models",
    "server.coverage.models",
    "server.assignments.models",
    "server.notifications.models",
    "server.privacy.models",
    "server.access.models",
]


def tortoise_config(settings: Settings) -> dict[str, Any]:
    """The Tortoise config dict: one app `langso` with its committed migrations."""
    url = settings.database_url
    connection: str | dict[str, Any] = url
    if settings.is_postgres:
        url = url.replace("postgresql://", "postgres://", 1)
        sep = "&" if "?" in url else "?"
        connection = expand_db_url(f"{url}{sep}minsize=1&maxsize={settings.db_pool_size}")
        connection["engine"] = "server.db.pg_engine"  # asyncpg, without the per-release reset
    return {
        "connections": {"default": connection},
        "apps": {
            "langso": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "server.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def connection() -> BaseDBAsyncClient:
    """The default database connection."""
    conn: BaseDBAsyncClient = connections.get("default")
    return conn


def is_postgres(conn: BaseDBAsyncClient | None = None) -> bool:
    """True when the connection speaks PostgreSQL."""
    return (conn or connection()).capabilities.dialect == "postgres"


def placeholders(conn: BaseDBAsyncClient, count: int, start: int = 1) -> list[str]:
    """Parameter markers for raw SQL: `$1, $2` on PostgreSQL, `?` on SQLite."""
    if is_postgres(conn):
        return [f"${i}" for i in range(start, start + count)]
    return ["?"] * count


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[None]:
    """Open the database for a command-line task, and close it afterwards."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(settings), _enable_global_fallback=True)
        yield


async def migrate(settings: Settings) -> None:
    """Apply the committed migrations not yet applied, in the caller's `TortoiseContext`."""
    await _migrate(config=tortoise_config(settings))
