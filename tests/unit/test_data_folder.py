"""Issue 11, finding 13: one server per SQLite data folder; folder and database are private."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server import data_lock
from server.app import create_app
from server.settings import Settings
from tests.paths import REPO_ROOT

LANGSO = Path(sys.executable).parent / "langso"


def _env(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LANGSO_")}
    return env | {"LANGSO_DATA_DIR": str(data_dir), "LANGSO_LANGUAGE": "en"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def first_server(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """`langso serve` on SQLite in a fresh data folder, answering requests."""
    port = _free_port()
    process = subprocess.Popen(
        [str(LANGSO), "serve", "--port", str(port)],
        env=_env(tmp_path),
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/sign-in", timeout=2)
            break
        except httpx.TransportError:
            assert process.poll() is None, "the first server stopped"
            assert time.monotonic() < deadline, "the first server did not start"
            time.sleep(0.3)
    try:
        yield tmp_path, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def test_a_second_server_on_one_data_folder_refuses_to_start(first_server) -> None:
    data_dir, first = first_server

    second = subprocess.run(
        [str(LANGSO), "serve", "--port", str(_free_port())],
        env=_env(data_dir),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert second.returncode == 1
    assert f"Another Làng Số server (process {first.pid})" in second.stderr
    assert "its own LANGSO_DATA_DIR" in second.stderr
    # The app on its own (`uvicorn server.asgi:app`) refuses as well, before opening the database.
    app = create_app(Settings.from_env({"LANGSO_DATA_DIR": str(data_dir)}))

    async def start() -> None:
        async with app.router.lifespan_context(app):
            pass

    with pytest.raises(data_lock.DataDirBusy):
        asyncio.run(start())

    first.send_signal(signal.SIGKILL)  # even a killed server leaves the folder free
    first.wait(30)
    with data_lock.serving(data_dir):
        pass


def test_the_data_folder_and_the_database_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"
    env = _env(data_dir)

    done = subprocess.run(
        [str(LANGSO), "db", "upgrade"], env=env, cwd=REPO_ROOT, capture_output=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "langso.sqlite3").stat().st_mode) == 0o600
    assert {p.name for p in data_dir.iterdir()} >= {"langso.sqlite3", "secret_key"}
