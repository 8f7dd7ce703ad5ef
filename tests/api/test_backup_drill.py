"""The restore drill: back up while 8 phones push, restore elsewhere, and the copy serves phones.

Every mutation acknowledged before `langso backup` started is in the restored database; the
restored server answers a sign-in and a pull, and a phone that pulled from the old server after
the backup (its cursor past everything the backup holds) still gets what is written after the
restore (docs/operations.md, "Backup and restore").
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from server.accounts.models import User
from server.areas.models import Area
from server.settings import Settings
from tests.data import PASSWORD, household_data, mutation

pytestmark = pytest.mark.asyncio(loop_scope="session")
LANGSO = Path(sys.executable).parent / "langso"
DEVICES = 8


def _env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LANGSO_")}
    environ["LANGSO_DATA_DIR"] = str(data_dir)
    environ["LANGSO_LANGUAGE"] = "en"
    if database_url:
        environ["LANGSO_DATABASE_URL"] = database_url
    return environ


async def _langso(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        str(LANGSO), *args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


@asynccontextmanager
async def _served(env: dict[str, str], log: Path) -> AsyncIterator[httpx.AsyncClient]:
    """`langso serve` on a free port, until the block ends (what it says goes to `log`)."""
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with log.open("wb") as said:
        process = subprocess.Popen(
            [str(LANGSO), "serve", "--port", str(port)], env=env, stdout=said, stderr=said
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as restored:
            for _ in range(150):
                try:
                    if (await restored.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
            else:
                raise AssertionError(log.read_text(encoding="utf-8"))
            yield restored
    finally:
        process.terminate()
        process.wait(timeout=20)


async def _restore_target(settings: Settings, folder: Path) -> dict[str, str]:
    """The environment of a fresh server to restore into: a new data folder, an empty database."""
    if not settings.is_postgres:
        return _env(folder)
    url = os.environ.get("LANGSO_TEST_RESTORE_DATABASE_URL")
    if not url:
        pytest.skip("set LANGSO_TEST_RESTORE_DATABASE_URL to an empty database for this drill")
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    return _env(folder, url)


async def test_restore_drill(
    settings: Settings,
    client: httpx.AsyncClient,
    village: Callable[..., Awaitable[Area]],
    user: Callable[..., Awaitable[User]],
    login: Callable[[User], Awaitable[dict[str, str]]],
    tmp_path: Path,
) -> None:
    restored_env = await _restore_target(settings, tmp_path / "restored")
    area = await village()
    phones = [await user("member", area.code) for _ in range(DEVICES)]
    headers = [await login(phone) for phone in phones]
    acked: list[tuple[float, str]] = []
    stop = asyncio.Event()

    async def device(n: int) -> None:
        while not stop.is_set():
            record = str(uuid.uuid4())
            change = mutation(record, household_data(area.code, head_name=f"Hộ diễn tập {n}"))
            response = await client.post(
                "/api/v1/sync/push",
                json={"device_id": f"drill-{n}", "mutations": [change]},
                headers=headers[n],
            )
            assert response.status_code == 200, response.text
            if response.json()["results"][0]["status"] == "applied":
                acked.append((time.monotonic(), record))

    pushing = [asyncio.create_task(device(n)) for n in range(DEVICES)]
    await asyncio.sleep(1.0)
    archive = tmp_path / "langso-backup.tar.gz"
    started = time.monotonic()
    code, said = await _langso(
        _env(settings.data_dir, settings.database_url), "backup", str(archive)
    )
    finished = time.monotonic()
    await asyncio.sleep(0.5)
    # A phone pulls from the old server after the backup: its cursor is past the backup.
    _, late_cursor = await _pull_all(client, headers[0])
    stop.set()
    await asyncio.gather(*pushing)
    assert code == 0, said
    before = [record for at, record in acked if at < started]
    assert len(before) >= DEVICES and any(at > finished for at, _ in acked)

    code, said = await _langso(restored_env, "restore", str(archive))
    assert code == 0, said
    assert "Integrity check: passed." in said

    async with _served(restored_env, tmp_path / "serve.log") as restored:
        assert (await restored.get("/readyz")).json()["ready"] is True
        signed = await restored.post(
            "/api/v1/session", json={"phone": phones[0].phone, "password": PASSWORD}
        )
        assert signed.status_code == 200, signed.text
        again = {"Authorization": f"Bearer {signed.json()['token']}"}
        changes, _ = await _pull_all(restored, again)
        pulled = {c["record_id"] for c in changes if c["type"] == "household"}
        assert set(before) <= pulled
        new = str(uuid.uuid4())
        pushed = await restored.post(
            "/api/v1/sync/push",
            json={"device_id": "drill-0", "mutations": [mutation(new, household_data(area.code))]},
            headers=again,
        )
        assert pushed.json()["results"][0]["status"] == "applied"
        late, _ = await _pull_all(restored, again, late_cursor)
        assert new in {c["record_id"] for c in late}


async def _pull_all(
    client: httpx.AsyncClient, headers: dict[str, str], cursor: str = ""
) -> tuple[list[dict[str, Any]], str]:
    changes: list[dict[str, Any]] = []
    for _ in range(1000):
        response = await client.get(
            "/api/v1/sync/pull", params={"cursor": cursor, "limit": 1000}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["more"]:
            break
    return changes, cursor
