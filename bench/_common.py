"""What every system in the sync benchmark shares: the workload, the results, the checks."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import asyncpg
import httpx
from _http import Connection, Response

REPO_ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_DSN = os.environ.get("BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
BATCH_SIZE = 50
UPDATES_PER_BATCH = 10  # every batch after the first: 40 creates, then 10 updates
PULL_LIMIT = 500

Op = Literal["create", "update"]


@dataclass(frozen=True)
class Mutation:
    """One household mutation as a device would queue it."""

    id: str
    record_id: str
    op: Op
    data: dict[str, Any]
    base_version: int  # 0 for a create; the version the create's receipt returned otherwise


@dataclass
class BatchOutcome:
    """What a system answered for one pushed batch."""

    ok: bool  # 2xx and every mutation acknowledged
    acked: dict[str, int]  # record_id -> version, only for mutations the system kept
    conflicts: int = 0  # HTTP 409/412 answers (Kinto) or `conflict` receipts (ours)
    error: str = ""
    rolled_back: int = 0  # answered 2xx, yet not kept (Kinto: an earlier part of an aborted batch)
    retries: int = 0  # sent again because a kept-alive connection was closed under it


@dataclass
class PullOutcome:
    """Every (record_id, version) a device received, in order, and the pages it took."""

    records: list[tuple[str, int]]
    pages: int
    error: str = ""


class Device(Protocol):
    """A simulated phone: pushes batches, then pulls what its village holds."""

    village: str

    async def push(self, batch: Sequence[Mutation]) -> BatchOutcome: ...

    async def pull(self, deadline: float) -> PullOutcome: ...

    async def close(self) -> None: ...


class System(Protocol):
    """One system under test: started once, then asked for villages and devices per run."""

    @property
    def name(self) -> str: ...

    @property
    def note(self) -> str: ...

    @property
    def database(self) -> str | None:
        """The PostgreSQL database it writes to (None: not PostgreSQL)."""
        ...

    def server_pids(self) -> list[int]:
        """The server's processes (none for the floor)."""
        ...

    async def start(self) -> None: ...

    async def villages(self, count: int, tag: str) -> list[str]: ...

    async def device(self, index: int, village: str) -> Device: ...

    async def stop(self) -> None: ...


@dataclass
class RunResult:
    """Figures for one system at one device count."""

    system: str
    devices: int
    batches_planned: int
    batches_done: int = 0
    warmup_batches: int = 0  # pushed before the measured phase (not in rates or latencies)
    mutations_acked: int = 0
    push_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    failed_batches: int = 0
    conflicts: int = 0
    pulled: int = 0
    pull_seconds: float = 0.0
    expected: int = 0
    missing: int = 0
    duplicates: int = 0
    stale: int = 0  # came back with another version than the last receipt said
    unexpected: int = 0  # came back although no receipt said it was kept
    rolled_back: int = 0
    pulls_cut: int = 0  # devices whose pull stopped early (time limit, error)
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    note: str = ""
    # CPU seconds during the push phase: client, server, database, machine (see bench/_cpu.py)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def mutations_per_s(self) -> float:
        return self.mutations_acked / self.push_seconds if self.push_seconds else 0.0

    @property
    def pull_per_s(self) -> float:
        return self.pulled / self.pull_seconds if self.pull_seconds else 0.0

    @property
    def exactly_once(self) -> bool:
        return self.expected > 0 and not (
            self.missing or self.duplicates or self.stale or self.unexpected
        )

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of batch latency in milliseconds."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]


@dataclass(frozen=True)
class PullCheck:
    """One device's pull against the ledger of its village."""

    expected: int
    missing: int
    duplicates: int
    stale: int
    unexpected: int


class Ledger:
    """What each village should hold: record_id -> the version of its last acknowledged write."""

    def __init__(self) -> None:
        self.villages: dict[str, dict[str, int]] = {}

    def record(self, village: str, acked: dict[str, int]) -> None:
        self.villages.setdefault(village, {}).update(acked)

    def check(self, village: str, pulled: Sequence[tuple[str, int]]) -> PullCheck:
        """Compare one device's pull with what its village should hold."""
        expected = self.villages.get(village, {})
        seen: dict[str, int] = {}
        duplicates = 0
        for record_id, version in pulled:
            if record_id in seen:
                duplicates += 1
            seen[record_id] = version
        missing = sum(1 for record_id in expected if record_id not in seen)
        stale = sum(
            1
            for record_id, version in expected.items()
            if record_id in seen and seen[record_id] != version
        )
        unexpected = sum(1 for record_id in seen if record_id not in expected)
        return PullCheck(len(expected), missing, duplicates, stale, unexpected)


_GIVEN = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hữu", "Ngọc", "Quang"]
_NAMES = ["An", "Bình", "Cường", "Dung", "Hà", "Hùng", "Lan", "Mai", "Nam", "Trang"]
_FAMILY = ["Nguyễn", "Lê", "Trần", "Phạm", "Hoàng", "Lê", "Đỗ", "Mai"]


def household_data(rng: random.Random, village: str) -> dict[str, Any]:
    """A new household as a team member would record it, with consent and two indicators."""
    head = f"{rng.choice(_FAMILY)} {rng.choice(_GIVEN)} {rng.choice(_NAMES)}"
    people = rng.randint(1, 8)
    return {
        "village_code": village,
        "head_name": head,
        "address": f"Xóm {rng.randint(1, 12)}",
        "phone": f"09{rng.randint(0, 99_999_999):08d}",
        "people_count": people,
        "adult_count": rng.randint(1, people),
        "consent": {
            "given_by": head,
            "purposes": ["support_records"],
            "given_at": "2026-11-23T08:00:00Z",
        },
        "indicators": {"vneid": "level1", "smartphone_count": rng.randint(0, 3)},
    }


class Planner:
    """Builds one device's batches: 50 creates first, then 40 creates and 10 updates each.

    `prepare` makes the creates in advance, outside the measured phase: a phone records its
    households during the day and only sends them when it syncs.
    """

    def __init__(self, village: str, seed: int) -> None:
        self.village = village
        self.rng = random.Random(seed)
        self.versions: dict[str, int] = {}  # record -> version of its last acknowledged write
        self._to_update: list[str] = []  # acknowledged creates not updated yet, oldest first
        self._creates: list[Mutation] = []  # made in advance by `prepare`, oldest first

    def prepare(self, batches: int) -> None:
        """Make the creates of the first `batches` batches now."""
        count = BATCH_SIZE + (batches - 1) * (BATCH_SIZE - UPDATES_PER_BATCH)
        self._creates += [self._new() for _ in range(count - len(self._creates))]

    def next_batch(self, index: int) -> list[Mutation]:
        updates = min(UPDATES_PER_BATCH if index else 0, len(self._to_update))
        creates, self._creates = (
            self._creates[: BATCH_SIZE - updates],
            self._creates[BATCH_SIZE - updates :],
        )
        batch = creates + [self._new() for _ in range(BATCH_SIZE - updates - len(creates))]
        for _ in range(updates):
            record_id = self._to_update.pop(0)
            batch.append(
                Mutation(
                    str(uuid.uuid4()), record_id, "update", self._update(), self.versions[record_id]
                )
            )
        return batch

    def _new(self) -> Mutation:
        return Mutation(str(uuid.uuid4()), str(uuid.uuid4()), "create", self._create(), 0)

    def acknowledge(self, batch: Sequence[Mutation], acked: dict[str, int]) -> None:
        for mutation in batch:
            if mutation.record_id not in acked:
                continue
            self.versions[mutation.record_id] = acked[mutation.record_id]
            if mutation.op == "create":
                self._to_update.append(mutation.record_id)

    def _create(self) -> dict[str, Any]:
        return household_data(self.rng, self.village)

    def _update(self) -> dict[str, Any]:
        if self.rng.random() < 0.5:
            return {"indicators": {"vneid": "level2"}}
        return {"notes": f"Đã hướng dẫn cài VNeID, lần {self.rng.randint(1, 9)}"}


async def send_retrying(
    client: Connection,
    method: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    json: Any = None,
) -> tuple[Response, int]:
    """Send a request (again once on a stale kept-alive connection); return it and the resends."""
    before = client.resent
    response = await client.request(method, url, params=params, json=json)
    return response, client.resent - before


# -- processes and databases -------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_process(
    argv: Sequence[str], log_path: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start a server in its own process group, its output going to `log_path`."""
    log = log_path.open("ab")
    try:
        return subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    finally:
        log.close()


def stop_process(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Terminate the process group we started, then kill it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        proc.wait(timeout=grace)


def run_command(
    argv: Sequence[str],
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 300.0,
    cwd: Path | None = None,
) -> str:
    """Run a setup command to completion and return its stdout; fail loudly with its stderr."""
    done = subprocess.run(
        list(argv),
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=cwd,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-2000:]}"
            f"\n{done.stderr[-4000:]}"
        )
    return done.stdout


async def recreate_database(name: str) -> str:
    """Drop and create a PostgreSQL database; return its DSN."""
    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{name}"


async def wait_until(check: Any, what: str, timeout: float = 60.0, proc: Any = None) -> None:
    """Poll the coroutine function `check` until it returns True or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before it was ready")
        try:
            if await check():
                return
        except (OSError, httpx.TransportError, asyncpg.PostgresError):
            pass  # not listening yet, or still starting
        await asyncio.sleep(0.25)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s")
