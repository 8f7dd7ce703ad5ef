"""One app per test session, on SQLite or on PostgreSQL (LANGSO_TEST_DATABASE_URL)."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette

from server.accounts import services as accounts
from server.accounts.models import User
from server.accounts.passwords import hash_password
from server.app import create_app
from server.areas.models import Area
from server.areas.services import add_village, import_official_units
from server.cli.upgrade import upgrade
from server.lessons.importer import import_content
from server.settings import Settings
from server.teams.services import create_user
from tests.data import COMMUNE_A, PASSWORD

_phones = itertools.count(10_000_001)
_names = itertools.count(1)


def _database_url(data_dir: Path) -> str:
    return os.environ.get("LANGSO_TEST_DATABASE_URL") or f"sqlite://{data_dir / 'test.sqlite3'}"


async def _reset_postgres(url: str) -> None:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests (concurrent writers) are deselected on the SQLite run."""
    if os.environ.get("LANGSO_TEST_DATABASE_URL"):
        return
    keep = [item for item in items if item.get_closest_marker("postgres") is None]
    dropped = [item for item in items if item.get_closest_marker("postgres") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("langso-data")
    return Settings.from_env(
        {
            "LANGSO_DATA_DIR": str(data_dir),
            "LANGSO_DATABASE_URL": _database_url(data_dir),
            "LANGSO_PASSWORD_HASH_COST": "test",  # argon2 at full cost would be most of the run
        }
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    if settings.is_postgres:
        await _reset_postgres(settings.database_url)
    await upgrade(settings)
    application = create_app(settings)
    with pytest.MonkeyPatch.context() as patch:
        # An unknown phone is checked against a hash made at import time, at the normal cost.
        patch.setattr(accounts, "_DUMMY_HASH", hash_password("not-a-password"))
        async with application.router.lifespan_context(application):
            await import_official_units()
            await import_content(settings.content_dir)
            yield application


@pytest_asyncio.fixture(loop_scope="session")
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest_asyncio.fixture(loop_scope="session")
async def village(app: Starlette) -> Callable[..., Awaitable[Area]]:
    """Make a new village (in commune A unless told otherwise)."""

    async def make(commune: str = COMMUNE_A, households: int | None = 100) -> Area:
        return await add_village(commune, f"Thôn Thử {next(_names)}", households)

    return make


@pytest_asyncio.fixture(loop_scope="session")
async def user(app: Starlette) -> Callable[..., Awaitable[User]]:
    """Make a user with a fresh phone number in the given areas."""

    async def make(role: str, *areas: str, language: str = "vi") -> User:
        return await create_user(
            phone=f"09{next(_phones):08d}",
            name=f"Người thử {uuid.uuid4().hex[:6]}",
            role=role,
            password=PASSWORD,
            area_codes=list(areas),
            language=language,
        )

    return make


@pytest_asyncio.fixture(loop_scope="session")
async def login(client: httpx.AsyncClient) -> Callable[[User], Awaitable[dict[str, str]]]:
    """Bearer headers for a user, through the real sign-in API."""

    async def make(who: User) -> dict[str, str]:
        response = await client.post(
            "/api/v1/session", json={"phone": who.phone, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    return make
