"""The PostgreSQL engine: Tortoise's asyncpg client, minus the reset on every connection release.

asyncpg resets a pooled connection each time it goes back to the pool (`SELECT
pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;`): one more round trip and four
statements per request, for session state this app never creates (it uses no `SET`, `LISTEN`,
held cursors or session-level advisory locks; its advisory locks end with their transaction).
An open transaction is still rolled back on release.
"""

from __future__ import annotations

from asyncpg.connection import Connection  # type: ignore[import-untyped]
from tortoise.backends.asyncpg.client import AsyncpgDBClient


class _Connection(Connection):  # type: ignore[misc]
    def get_reset_query(self) -> str:
        return ""


class Client(AsyncpgDBClient):
    connection_class = _Connection


client_class = Client
