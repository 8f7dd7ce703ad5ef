"""Where the CPU went during a push phase: the client, the server, PostgreSQL, everyone else.

On a shared 2-core machine the throughput depends on what else runs; CPU time per batch does
much less. Linux only (/proc); elsewhere every figure is 0 and `available` is False.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from _common import PG_ADMIN_DSN

_PROC = Path("/proc")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class CpuUse:
    """CPU seconds used during one push phase."""

    client: float = 0.0  # the benchmark process itself (every simulated device)
    server: float = 0.0  # the server's processes (none for the floor)
    database: float = 0.0  # PostgreSQL backends connected to the system's database
    machine: float = 0.0  # every process on the machine, ours and everyone else's
    seconds: float = 0.0  # wall time of the phase
    available: bool = False


def _process_cpu(pid: int) -> float:
    try:
        fields = (_PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _machine_busy() -> float:
    try:
        first = (_PROC / "stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return 0.0
    ticks = [int(value) for value in first[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK  # minus idle and iowait


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (a server's supervisor and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in _PROC.glob("[0-9]*"):
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


async def _backends(database: str | None) -> list[int]:
    if not database:
        return []
    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=10)
    try:
        rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database)
    finally:
        await conn.close()
    return [int(row["pid"]) for row in rows]


class CpuMeter:
    """Snapshot CPU counters before and after a phase.

    A PostgreSQL backend or server process that starts during the phase counts in full; one
    that ends during it is lost. Both are rare once the devices have signed in.
    """

    def __init__(self, server_pids: Iterable[int], database: str | None) -> None:
        self.server_pids = list(server_pids)
        self.database = database
        self._before: dict[int, float] = {}
        self._start = (0.0, 0.0, 0.0)

    async def start(self) -> None:
        """Take the first snapshot."""
        pids = [*self.server_pids, *await _backends(self.database)]
        self._before = {pid: _process_cpu(pid) for pid in pids}
        self._start = (time.process_time(), _machine_busy(), time.monotonic())

    async def stop(self) -> CpuUse:
        """Take the second snapshot and return the differences."""
        client, machine, wall = time.process_time(), _machine_busy(), time.monotonic()
        backends = await _backends(self.database)

        def used(pids: Iterable[int]) -> float:
            return sum(max(0.0, _process_cpu(pid) - self._before.get(pid, 0.0)) for pid in pids)

        return CpuUse(
            client=client - self._start[0],
            server=used(self.server_pids),
            database=used(backends),
            machine=machine - self._start[1],
            seconds=wall - self._start[2],
            available=_PROC.joinpath("stat").exists(),
        )
