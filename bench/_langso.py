"""Làng Số itself, through real HTTP: `langso serve` under uvicorn, set up with the `langso` CLI."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import httpx
from _common import (
    PULL_LIMIT,
    REPO_ROOT,
    BatchOutcome,
    Mutation,
    PullOutcome,
    free_port,
    recreate_database,
    run_command,
    send_retrying,
    start_process,
    stop_process,
    wait_until,
)
from _cpu import descendants
from _http import Connection, HttpError

LANGSO = REPO_ROOT / ".venv" / "bin" / "langso"
DATABASE = "langso_bench"
COMMUNE = "16012"  # in Thanh Hóa (province 38)
PASSWORD = "secret-pass"
KEPT = frozenset({"applied", "merged", "duplicate"})

Backend = Literal["sqlite", "postgres"]


def cli_ready() -> bool:
    """True when `langso --help` lists the commands the benchmark sets up with."""
    if not LANGSO.exists():
        return False
    try:
        out = run_command([str(LANGSO), "--help"], timeout=60)
    except (RuntimeError, OSError, subprocess.TimeoutExpired):
        return False
    return all(command in out for command in ("serve", "db", "areas", "village", "user"))


class LangsoServer:
    """Our server: 1 uvicorn worker on SQLite, 2 on PostgreSQL (the documented deployments)."""

    def __init__(self, backend: Backend, log: Any = print, database: str = DATABASE) -> None:
        self.backend = backend
        self._database = database
        self.workers = 1 if backend == "sqlite" else 2
        self.name = f"Làng Số ({'SQLite' if backend == 'sqlite' else 'PostgreSQL'})"
        self.log = log
        self.url = ""
        self._tmp = Path(tempfile.mkdtemp(prefix=f"langso-bench-{backend}-"))
        self._env: dict[str, str] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._phones: dict[str, str] = {}  # village code -> the phone number of its account
        self._accounts = 0

    @property
    def note(self) -> str:
        return f"langso serve --workers {self.workers}; one account per village"

    @property
    def database(self) -> str | None:
        return self._database if self.backend == "postgres" else None

    def running(self) -> bool:
        """False once the server's process has exited (crashed, or stopped)."""
        return self._proc is not None and self._proc.poll() is None

    def server_pids(self) -> list[int]:
        return descendants(self._proc.pid) if self._proc is not None else []

    async def start(self) -> None:
        if self.backend == "postgres":
            dsn = await recreate_database(self._database)
            database_url = dsn.replace("postgresql://", "postgres://", 1)
        else:
            database_url = f"sqlite://{self._tmp / 'langso.sqlite3'}"
        self._env = {
            **os.environ,
            "LANGSO_DATA_DIR": str(self._tmp),
            "LANGSO_DATABASE_URL": database_url,
        }
        self._cli("db", "upgrade")
        self._cli("areas", "import")
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        argv = [str(LANGSO), "serve", "--port", str(port), "--workers", str(self.workers)]
        self._proc = start_process(argv, self._tmp / "server.log", env=self._env, cwd=REPO_ROOT)
        self.log(f"{self.name} on {self.url}, log {self._tmp / 'server.log'}")

        async with httpx.AsyncClient(base_url=self.url, timeout=10) as client:

            async def ready() -> bool:
                return (await client.get("/api/v1/sync/pull")).status_code < 500

            await wait_until(ready, self.name, timeout=90, proc=self._proc)

    async def villages(self, count: int, tag: str) -> list[str]:
        """Add `count` villages to commune 16012, each with one member account."""
        codes: list[str] = []
        for index in range(count):
            out = self._cli(
                "village", "add",
                "--commune", COMMUNE,
                "--name", f"Thôn Bench {tag} {index + 1}",
                "--households", "5000",
            )  # fmt: skip
            lines = [line.strip() for line in out.splitlines() if line.strip()]
            if not lines:
                raise RuntimeError("langso village add printed no village code")
            code = lines[-1].split()[-1]
            self._phones[code] = self.add_user("member", code)
            codes.append(code)
        return codes

    def phone(self, village: str) -> str:
        """The phone number of the member account `villages` made for this village."""
        return self._phones[village]

    def add_user(self, role: str, *areas: str) -> str:
        """Add an account with `langso user add` (password `PASSWORD`); return its phone."""
        self._accounts += 1
        phone = f"0981{self._accounts:06d}"
        self._cli(
            "user", "add",
            "--phone", phone,
            "--name", f"Bench {self._accounts}",
            "--role", role,
            *(part for area in areas for part in ("--area", area)),
            "--password-stdin",
            stdin=f"{PASSWORD}\n",
        )  # fmt: skip
        return phone

    async def device(self, index: int, village: str) -> LangsoDevice:
        client = Connection(f"{self.url}/api/v1")
        response = await client.request(
            "POST", "/session", json={"phone": self._phones[village], "password": PASSWORD}
        )
        if response.status_code != 200:
            await client.close()
            raise RuntimeError(f"sign-in for {village}: {response.status_code} {response.text}")
        client.headers["Authorization"] = f"Bearer {response.json()['token']}"
        return LangsoDevice(client, village, f"bench-device-{index}-{os.getpid()}")

    async def stop(self) -> None:
        """Stop the server and delete the SQLite file; the log stays in the temporary folder."""
        if self._proc is not None:
            stop_process(self._proc)
        for path in self._tmp.glob("langso.sqlite3*"):
            path.unlink()

    def _cli(self, *args: str, stdin: str | None = None) -> str:
        return run_command(
            [str(LANGSO), *args], env=self._env, stdin=stdin, timeout=300, cwd=REPO_ROOT
        )


class LangsoDevice:
    """A member's phone: its own token, device id and keep-alive connection."""

    def __init__(self, client: Connection, village: str, device_id: str) -> None:
        self.client = client
        self.village = village
        self.device_id = device_id

    async def push(self, batch: Sequence[Mutation]) -> BatchOutcome:
        body = {
            "device_id": self.device_id,
            "mutations": [
                {
                    "id": mutation.id,
                    "type": "household",
                    "record_id": mutation.record_id,
                    "op": mutation.op,
                    "base_version": mutation.base_version,
                    "data": mutation.data,
                }
                for mutation in batch
            ],
        }
        try:
            response, retries = await send_retrying(self.client, "POST", "/sync/push", json=body)
        except HttpError as exc:
            return BatchOutcome(False, {}, error=f"{type(exc).__name__}: {exc}")
        if not 200 <= response.status_code < 300:
            return BatchOutcome(False, {}, error=f"HTTP {response.status_code}")
        receipts = {receipt["id"]: receipt for receipt in response.json()["results"]}
        acked: dict[str, int] = {}
        conflicts = 0
        statuses: set[str] = set()
        for mutation in batch:
            receipt = receipts.get(mutation.id, {})
            status = str(receipt.get("status", "missing"))
            statuses.add(status)
            conflicts += status == "conflict"
            if status in KEPT:
                acked[mutation.record_id] = int(receipt["version"])
        ok = len(acked) == len(batch)
        error = "" if ok else f"receipts {sorted(statuses)}"
        return BatchOutcome(ok, acked, conflicts, error, retries=retries)

    async def pull(self, deadline: float) -> PullOutcome:
        records: list[tuple[str, int]] = []
        cursor = ""
        pages = 0
        while pages < 100_000:
            if time.monotonic() > deadline:
                return PullOutcome(records, pages, "pull time limit reached")
            try:
                response, _ = await send_retrying(
                    self.client, "GET", "/sync/pull", params={"cursor": cursor, "limit": PULL_LIMIT}
                )
            except HttpError as exc:
                return PullOutcome(records, pages, f"{type(exc).__name__}: {exc}")
            if response.status_code != 200:
                return PullOutcome(records, pages, f"HTTP {response.status_code}")
            pages += 1
            page = response.json()
            records.extend(
                (str(change["record_id"]), int(change["version"]))
                for change in page["changes"]
                if change["type"] == "household"
            )
            cursor = str(page["cursor"])
            if not page["more"]:
                break
        return PullOutcome(records, pages)

    async def close(self) -> None:
        await self.client.close()
