"""Kinto, the peer: its own venv, PostgreSQL storage, one shared collection, `/v1/batch` pushes."""

from __future__ import annotations

import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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

VENV = REPO_ROOT / ".venv-kinto"
DATABASE = "kinto_bench"
BUCKET = "langso"
COLLECTION = "households"
RECORDS = f"/buckets/{BUCKET}/collections/{COLLECTION}/records"
PASSWORD = "bench-secret-pass"

_INI = """\
[app:main]
use = egg:kinto
kinto.includes = kinto.plugins.accounts
kinto.storage_backend = kinto.core.storage.postgresql
kinto.storage_url = {dsn}
kinto.cache_backend = kinto.core.cache.postgresql
kinto.cache_url = {dsn}
kinto.permission_backend = kinto.core.permission.postgresql
kinto.permission_url = {dsn}
kinto.userid_hmac_secret = {secret}
multiauth.policies = account
multiauth.policy.account.use = kinto.plugins.accounts.AccountsPolicy
kinto.account_create_principals = system.Everyone
kinto.account_write_principals = account:admin
kinto.bucket_create_principals = account:admin
kinto.batch_max_requests = 50

[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = %(http_port)s
threads = {threads}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = plain

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = plain

[formatter_plain]
format = %%(asctime)s %%(levelname)s %%(name)s %%(message)s
"""


def ensure_venv(log: Any = print) -> Path:
    """Create .venv-kinto with `kinto[postgresql]` and gunicorn unless it is there already."""
    python = VENV / "bin" / "python"
    if (VENV / "bin" / "gunicorn").exists() and (VENV / "bin" / "kinto").exists():
        return python
    log(f"creating {VENV} (kinto[postgresql], gunicorn) …")
    if not python.exists():
        run_command([sys.executable, "-m", "venv", str(VENV)], timeout=300)
    run_command(
        [str(python), "-m", "pip", "install", "--quiet", "kinto[postgresql]", "gunicorn"],
        timeout=900,
    )
    return python


class KintoServer:
    """Kinto under gunicorn (several workers) or waitress (`kinto start`), on kinto_bench."""

    name = "Kinto"

    def __init__(self, workers: int = 2, threads: int = 4, log: Any = print) -> None:
        self.workers = workers
        self.threads = threads
        self.log = log
        self.url = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp = Path(tempfile.mkdtemp(prefix="kinto-bench-"))
        self._admin: httpx.AsyncClient | None = None

    @property
    def note(self) -> str:
        server = (
            f"gunicorn {self.workers}×{self.threads} threads"
            if self.workers > 1
            else (f"waitress {self.threads} threads")
        )
        return f"{server}; one shared collection; PUT/PATCH in /v1/batch"

    database = DATABASE

    def server_pids(self) -> list[int]:
        return descendants(self._proc.pid) if self._proc is not None else []

    async def start(self) -> None:
        ensure_venv(self.log)
        dsn = await recreate_database(DATABASE)
        ini = self._tmp / "kinto.ini"
        ini.write_text(
            _INI.format(dsn=dsn, secret=secrets.token_hex(32), threads=self.threads),
            encoding="utf-8",
        )
        bin_dir = VENV / "bin"
        run_command([str(bin_dir / "kinto"), "migrate", "--ini", str(ini)], timeout=120)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        if self.workers > 1:
            argv = [
                str(bin_dir / "gunicorn"),
                "--paste", str(ini),
                "--bind", f"127.0.0.1:{port}",
                "--workers", str(self.workers),
                "--threads", str(self.threads),
                "--worker-class", "gthread",
                "--timeout", "120",
            ]  # fmt: skip
        else:
            argv = [str(bin_dir / "kinto"), "start", "--ini", str(ini), "--port", str(port)]
        self._proc = start_process(argv, self._tmp / "server.log")
        self.log(f"Kinto on {self.url}, log {self._tmp / 'server.log'}")
        self._admin = httpx.AsyncClient(base_url=f"{self.url}/v1", timeout=30)

        async def ready() -> bool:
            assert self._admin is not None
            return (await self._admin.get("/")).status_code == 200

        await wait_until(ready, "Kinto", timeout=60, proc=self._proc)
        await self._create_account("admin")
        self._admin.auth = ("admin", PASSWORD)
        await self._put(f"/buckets/{BUCKET}", {})
        # Every signed-in account reads the collection and creates records in it; Kinto gives
        # the creator write permission on each record it creates.
        perms = {"read": ["system.Authenticated"], "record:create": ["system.Authenticated"]}
        await self._put(f"/buckets/{BUCKET}/collections/{COLLECTION}", {"permissions": perms})

    async def villages(self, count: int, tag: str) -> list[str]:
        """One account per village (the team's shared login); the village is a record field."""
        codes = [f"{tag}-v{index + 1}" for index in range(count)]
        for code in codes:
            await self._create_account(code)
        return codes

    async def device(self, index: int, village: str) -> KintoDevice:
        return KintoDevice(self.url, village)

    async def stop(self) -> None:
        try:
            if self._admin is not None:
                await self._admin.aclose()
        finally:
            if self._proc is not None:
                stop_process(self._proc)

    async def _create_account(self, name: str) -> None:
        assert self._admin is not None
        response = await self._admin.put(f"/accounts/{name}", json={"data": {"password": PASSWORD}})
        if response.status_code not in (200, 201):
            raise RuntimeError(f"Kinto account {name}: {response.status_code} {response.text}")

    async def _put(self, path: str, body: dict[str, Any]) -> None:
        assert self._admin is not None
        response = await self._admin.put(path, json=body)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"Kinto PUT {path}: {response.status_code} {response.text}")


class KintoDevice:
    """A device signed in with its village's account, keeping one HTTP/1.1 connection."""

    def __init__(self, url: str, village: str) -> None:
        self.village = village
        self.client = Connection(f"{url}/v1", auth=(village, PASSWORD))

    async def push(self, batch: Sequence[Mutation]) -> BatchOutcome:
        requests = [_subrequest(mutation) for mutation in batch]
        try:
            response, retries = await send_retrying(
                self.client, "POST", "/batch", json={"requests": requests}
            )
        except HttpError as exc:
            return BatchOutcome(False, {}, error=f"{type(exc).__name__}: {exc}")
        if response.status_code != 200:
            conflicts = int(response.status_code in (409, 412))
            return BatchOutcome(False, {}, conflicts, f"HTTP {response.status_code}", 0, retries)
        answers = response.json()["responses"]
        statuses = [int(answer["status"]) for answer in answers]
        conflicts = sum(1 for status in statuses if status in (409, 412))
        # A 409 makes Kinto abort the batch's transaction: every subrequest before it is rolled
        # back although it answered 200/201; the subrequests after it run in a new transaction
        # and are kept. So only the 2xx answers after the last 409 count.
        first_kept = max((i + 1 for i, status in enumerate(statuses) if status == 409), default=0)
        acked = {
            mutation.record_id: int(answer["body"]["data"]["last_modified"])
            for mutation, answer in list(zip(batch, answers, strict=True))[first_kept:]
            if 200 <= int(answer["status"]) < 300
        }
        rolled_back = sum(1 for status in statuses[:first_kept] if 200 <= status < 300)
        ok = len(acked) == len(batch)
        error = "" if ok else f"subrequest statuses {sorted(set(statuses))}"
        if first_kept:
            error = "409 inside the batch: the subrequests before it were rolled back"
        return BatchOutcome(ok, acked, conflicts, error, rolled_back, retries)

    async def pull(self, deadline: float) -> PullOutcome:
        """List the village's records from `_since=0`, following Next-Page links."""
        records: list[tuple[str, int]] = []
        url: str | None = RECORDS
        params: dict[str, Any] | None = {
            "village_code": self.village,
            "_since": 0,
            "_sort": "last_modified",
            "_limit": PULL_LIMIT,
            "_fields": "id,last_modified",
        }
        pages = 0
        while url is not None and pages < 100_000:
            if time.monotonic() > deadline:
                return PullOutcome(records, pages, "pull time limit reached")
            try:
                response, _ = await send_retrying(self.client, "GET", url, params=params)
            except HttpError as exc:
                return PullOutcome(records, pages, f"{type(exc).__name__}: {exc}")
            if response.status_code != 200:
                return PullOutcome(records, pages, f"HTTP {response.status_code}")
            pages += 1
            for item in response.json()["data"]:
                records.append((str(item["id"]), int(item["last_modified"])))
            url = response.headers.get("Next-Page")
            params = None  # the Next-Page link carries them all
        return PullOutcome(records, pages)

    async def close(self) -> None:
        await self.client.close()


def _subrequest(mutation: Mutation) -> dict[str, Any]:
    path = f"{RECORDS}/{mutation.record_id}"
    if mutation.op == "create":
        return {
            "method": "PUT",
            "path": path,
            "headers": {"If-None-Match": "*"},
            "body": {"data": mutation.data},
        }
    return {
        "method": "PATCH",
        "path": path,
        "headers": {
            "If-Match": f'"{mutation.base_version}"',
            "Content-Type": "application/merge-patch+json",
        },
        "body": {"data": mutation.data},
    }
