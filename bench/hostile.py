"""Hostile-load benchmark: do ordinary users wait while others attack the server?

Run `python bench/hostile.py --help`; bench/README.md says what each phase sends and how to read
the table. Exits 1 on a server error (5xx), a victim's failed request or a server that died,
never on latency: read the ratios to the quiet phase of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import household_data
from _cpu import CpuMeter, _process_cpu
from _hostile_attacks import KINDS, Context, Tally
from _http import Connection
from _langso import COMMUNE, PASSWORD, Backend, LangsoServer, cli_ready

DATABASE = "hostile_bench"  # PostgreSQL: dropped and created again by every run
PROVINCE = "38"  # Thanh Hóa, the province of commune 16012
VICTIMS_SCRIPT = Path(__file__).resolve().parent / "_hostile_victims.py"
VICTIM_NAMES = ("sign-in page", "member push", "member pull", "coverage page")
QUIET = "quiet"
MIXED = "mixed (all at once)"
SETTLE = 1.0  # seconds between phases, not measured
IN_FLIGHT = 120.0  # seconds an attacker's last request may take after its phase ends


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--quick", action="store_true", help="a short smoke run (~1 minute)")
    parser.add_argument("--seconds", type=float, help="seconds per phase (default 15; quick 3)")
    parser.add_argument("--attackers", type=int, help="attackers per kind (default 4; quick 2)")
    parser.add_argument("--households", type=int, help="households seeded (default 3000)")
    parser.add_argument("--phases", help="comma-separated phase names to run (default all)")
    parser.add_argument(
        "--nice", type=int, default=10, help="niceness of the attackers' process (default 10)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    args.backend_list = [part for part in args.backends.split(",") if part]
    if set(args.backend_list) - {"sqlite", "postgres"} or not args.backend_list:
        parser.error(f"unknown backends: {args.backends}")
    args.seconds = args.seconds or (3.0 if args.quick else 15.0)
    args.attackers = args.attackers or (2 if args.quick else 4)
    args.households = args.households or (600 if args.quick else 3000)
    phases = [QUIET, *KINDS, MIXED]
    if args.phases:
        wanted = [part.strip() for part in args.phases.split(",") if part.strip()]
        if unknown := [name for name in wanted if name not in phases]:
            parser.error(f"unknown phases {unknown}; known: {phases}")
        phases = [QUIET, *(name for name in phases[1:] if name in wanted)]
    args.phase_list = phases
    return args


@dataclass
class PhaseResult:
    """One phase on one backend: victims' latencies, attackers' answers, where the CPU went."""

    backend: str
    phase: str
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)  # victim -> ms
    failures: dict[str, Counter[str]] = field(default_factory=dict)  # victim -> status
    attackers: dict[str, Tally] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # cores busy on average

    def percentile(self, victim: str, q: float) -> float:
        ordered = sorted(self.latencies.get(victim, []))
        if not ordered:
            return 0.0
        return ordered[max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5))) - 1]


@dataclass
class Seeded:
    """The accounts and records the phases use."""

    context: Context
    victim: dict[str, Any]  # the victims process's configuration


async def _sign_in(url: str, phone: str) -> str:
    conn = Connection(f"{url}/api/v1")
    try:
        response = await conn.request(
            "POST", "/session", json={"phone": phone, "password": PASSWORD}
        )
    finally:
        await conn.close()
    if response.status_code != 200:
        raise RuntimeError(f"sign-in {phone}: {response.status_code} {response.text[:200]}")
    return str(response.json()["token"])


async def _seed(server: LangsoServer, households: int) -> Seeded:
    """Four villages (a big one with two thirds of the households), a member in each, a commune
    and a province coordinator and a province trainer, every account through `langso user add`;
    the households are pushed by the commune coordinator through the sync API."""
    started = time.monotonic()
    big, victim_village, attacker_village, target_village = await server.villages(4, "hostile")
    coordinator = server.add_user("coordinator", COMMUNE)
    province_coordinator = server.add_user("coordinator", PROVINCE)
    trainer = server.add_user("trainer", PROVINCE)
    phones = [server.phone(v) for v in (big, victim_village, attacker_village, target_village)]
    phones += [coordinator, province_coordinator, trainer]
    tokens = {phone: await _sign_in(server.url, phone) for phone in phones}
    shares = [(big, households * 2 // 3)]
    rest = households - shares[0][1]
    shares += [(v, rest // 3) for v in (victim_village, attacker_village, target_village)]
    rng = random.Random(11)
    seeder = {"Authorization": f"Bearer {tokens[coordinator]}"}
    conn = Connection(f"{server.url}/api/v1", headers=seeder)
    victim_record: tuple[str, int] | None = None
    try:
        for village, count in shares:
            for offset in range(0, count, 500):
                mutations = [
                    {
                        "id": str(uuid.uuid4()),
                        "type": "household",
                        "record_id": str(uuid.uuid4()),
                        "op": "create",
                        "base_version": 0,
                        "data": household_data(rng, village),
                    }
                    for _ in range(min(500, count - offset))
                ]
                body = {"device_id": "bench-seeder", "mutations": mutations}
                response = await conn.request("POST", "/sync/push", json=body)
                results = response.json()["results"] if response.status_code == 200 else []
                if response.status_code != 200 or any(r["status"] != "applied" for r in results):
                    raise RuntimeError(f"seeding: {response.status_code} {response.text[:300]}")
                if village == victim_village and victim_record is None:
                    victim_record = (results[0]["record_id"], int(results[0]["version"]))
    finally:
        await conn.close()
    assert victim_record is not None
    cursor = await _pull_all(server.url, tokens[phones[1]])
    _log(f"  seeded {households} households in 4 villages in {time.monotonic() - started:.0f} s")
    context = Context(
        url=server.url,
        member=tokens[phones[2]],
        puller=tokens[phones[0]],
        province_coordinator=tokens[province_coordinator],
        trainer=tokens[trainer],
        province=PROVINCE,
        target_phone=phones[3],
        phones=phones,
    )
    victim = {
        "url": server.url,
        "member": tokens[phones[1]],
        "coordinator": tokens[coordinator],
        "commune": COMMUNE,
        "household": victim_record[0],
        "version": victim_record[1],
        "cursor": cursor,
    }
    return Seeded(context, victim)


async def _pull_all(url: str, token: str) -> str:
    """Pull everything the member's phone holds; return the cursor to go on from."""
    conn = Connection(f"{url}/api/v1", headers={"Authorization": f"Bearer {token}"})
    cursor, more = "", True
    try:
        while more:
            response = await conn.request("GET", "/sync/pull", params={"cursor": cursor})
            page = response.json()
            cursor, more = str(page["cursor"]), bool(page["more"])
    finally:
        await conn.close()
    return cursor


class Victims:
    """The victims' process (bench/_hostile_victims.py) and the samples it reports."""

    def __init__(self) -> None:
        self.samples: list[tuple[str, float, float, str, str]] = []
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        return self._proc.pid if self._proc else 0

    async def start(self, config: dict[str, Any]) -> None:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, str(VICTIMS_SCRIPT), json.dumps(config),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        while line := await self._proc.stdout.readline():
            name, started, latency, status, note = line.decode().rstrip("\n").split("\t", 4)
            self.samples.append((name, float(started), float(latency), status, note))

    async def stop(self) -> None:
        if self._proc is None:
            return
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            await asyncio.wait_for(self._proc.wait(), 150)
        except TimeoutError:
            self._proc.kill()
            await self._proc.wait()
        if self._reader is not None:
            await self._reader

    def window(self, start: float, end: float) -> list[tuple[str, float, float, str, str]]:
        return [s for s in self.samples if start <= s[1] <= end]


async def _attack(
    kinds: list[str],
    per_kind: int,
    context: Context,
    tallies: dict[str, Tally],
    seconds: float,
    nice: int,
) -> None:
    """Run the attackers for `seconds`, in their own thread and event loop, at a lower priority:
    a real attacker's client does not share the server's cores. Linux sets a thread's niceness
    by its id; the server and the victims, started by the main thread, keep theirs."""
    if nice and hasattr(os, "setpriority"):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(KINDS[kind](context, stop, tallies[kind], index))
        for kind in kinds
        for index in range(per_kind)
    ]
    await asyncio.sleep(seconds)
    stop.set()
    done, pending = await asyncio.wait(tasks, timeout=IN_FLIGHT)
    for task in pending:
        task.cancel()
        tallies[kinds[tasks.index(task) // per_kind]].statuses["cut after 120 s"] += 1
    for task in done:
        if (error := task.exception()) is not None:
            tallies[kinds[tasks.index(task) // per_kind]].failed(error)
    await asyncio.gather(*pending, return_exceptions=True)


async def _run_phase(
    phase: str, server: LangsoServer, seeded: Seeded, victims: Victims, args: argparse.Namespace
) -> PhaseResult:
    kinds = list(KINDS) if phase == MIXED else [] if phase == QUIET else [phase]
    per_kind = max(1, args.attackers // 2) if phase == MIXED else args.attackers
    tallies = {kind: Tally() for kind in kinds}
    meter = CpuMeter(server.server_pids(), server.database)
    await meter.start()
    victims_cpu = _process_cpu(victims.pid)
    start = time.monotonic()
    if kinds:
        attack = _attack(kinds, per_kind, seeded.context, tallies, args.seconds, args.nice)
        await asyncio.to_thread(asyncio.run, attack)
    else:
        await asyncio.sleep(args.seconds)
    end = time.monotonic()
    used = await meter.stop()
    result = PhaseResult(server.backend, phase, end - start, attackers=tallies)
    seconds = max(used.seconds, 1e-9)
    victims_used = _process_cpu(victims.pid) - victims_cpu
    ours = used.client + victims_used + used.server + used.database
    result.cpu = {
        "machine": used.machine / seconds,
        "server": used.server / seconds,
        "database": used.database / seconds,
        "benchmark": (used.client + victims_used) / seconds,
        "others": max(0.0, used.machine - ours) / seconds,
    }
    await asyncio.sleep(0.3)  # the victims' last samples of the window arrive
    for name, _, latency, status, _note in victims.window(start, end):
        if status.isdigit() and 200 <= int(status) < 300:
            result.latencies.setdefault(name, []).append(latency)
        else:
            result.failures.setdefault(name, Counter())[status] += 1
            result.latencies.setdefault(name, []).append(latency)
    return result


async def _run_backend(backend: Backend, args: argparse.Namespace) -> list[PhaseResult]:
    server = LangsoServer(backend, log=_log, database=DATABASE)
    victims = Victims()
    results: list[PhaseResult] = []
    _log(f"== {server.name}: starting")
    try:
        await server.start()
        seeded = await _seed(server, args.households)
        await victims.start(seeded.victim)
        await asyncio.sleep(2.0)  # the victims open their connections
        for phase in args.phase_list:
            result = await _run_phase(phase, server, seeded, victims, args)
            results.append(result)
            _log(f"  {phase}: {_summary(result)}")
            if not server.running():
                _log(f"  the server exited during {phase}")
                break
            await asyncio.sleep(SETTLE)
    finally:
        await victims.stop()
        alive = server.running()
        await server.stop()
    if not alive and results:
        results[-1].failures.setdefault("server", Counter())["exited"] += 1
    return results


def _summary(result: PhaseResult) -> str:
    return ", ".join(
        f"{name} p95 {result.percentile(name, 95):.0f} ms max {result.percentile(name, 100):.0f}"
        for name in VICTIM_NAMES
    )


def _statuses(tally: Tally) -> str:
    parts = [f"{status}×{count:,}" for status, count in sorted(tally.statuses.items())]
    if tally.receipts:
        receipts = sorted(tally.receipts.items())
        parts.append("receipts " + " ".join(f"{k}×{v:,}" for k, v in receipts))
    if tally.sent_bytes:
        parts.append(f"{tally.sent_bytes / 1e6:,.0f} MB sent")
    return ", ".join(parts) or "none"


def _errors(results: list[PhaseResult]) -> list[str]:
    """Server errors, victims' failed requests, a dead server: what makes the exit status 1."""
    found: list[str] = []
    for r in results:
        for victim, statuses in r.failures.items():
            found.append(f"{r.backend} {r.phase}: {victim} got {dict(statuses)}")
        for kind, tally in r.attackers.items():
            bad = {s: n for s, n in tally.statuses.items() if s.startswith("5") or s == "error"}
            bad_kind = kind != "huge bodies" or any(s.startswith("5") for s in bad)
            if bad and bad_kind:
                found.append(f"{r.backend} {r.phase}: {kind} got {bad} {tally.errors[:2]}")
    return found


def _print_report(args: argparse.Namespace, results: list[PhaseResult]) -> None:
    cores = os.cpu_count() or 1
    print()
    print(
        f"Hostile-load benchmark {dt.date.today().isoformat()} · {cores} cores · Python "
        f"{platform.python_version()} · {args.households:,} households · {args.seconds:.0f} s per "
        f"phase · {args.attackers} attackers per kind ({max(1, args.attackers // 2)} each when "
        "mixed) · victims sample every 100 ms"
    )
    header = (
        f"{'phase':<28} {'victim':<14} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
        f"{'p50×':>5} {'p95×':>5}"
    )
    for backend in args.backend_list:
        rows = [r for r in results if r.backend == backend]
        if not rows:
            continue
        quiet = rows[0]
        workers = 1 if backend == "sqlite" else 2
        print()
        print(f"{'SQLite' if backend == 'sqlite' else 'PostgreSQL'}, {workers} worker(s)")
        print(header)
        for r in rows:
            for index, victim in enumerate(VICTIM_NAMES):
                p50, p95 = r.percentile(victim, 50), r.percentile(victim, 95)
                base50, base95 = quiet.percentile(victim, 50), quiet.percentile(victim, 95)
                worst = r.percentile(victim, 100)
                flag = " >1 s" if worst > 1000 else ""
                print(
                    f"{r.phase if index == 0 else '':<28} {victim:<14} "
                    f"{len(r.latencies.get(victim, [])):>4} {p50:>7.0f} {p95:>7.0f} "
                    f"{worst:>7.0f} {p50 / max(base50, 1e-9):>5.1f} "
                    f"{p95 / max(base95, 1e-9):>5.1f}{flag}"
                )
            for kind, tally in r.attackers.items():
                print(f"{'':<28} attackers · {kind}: {_statuses(tally)}")
            c = r.cpu
            if r.attackers:
                print(f"{'':<28} server CPU per attack request {_cpu_per_request(r, quiet):.0f} ms")
            print(
                f"{'':<28} cores busy {c['machine']:.2f} of {cores}: server {c['server']:.2f}, "
                f"PostgreSQL {c['database']:.2f}, benchmark {c['benchmark']:.2f}, "
                f"other people's {c['others']:.2f}"
            )


def _cpu_per_request(result: PhaseResult, quiet: PhaseResult) -> float:
    """Server CPU milliseconds per attacker request, less what the victims cost when quiet."""
    requests = sum(sum(t.statuses.values()) for t in result.attackers.values())
    extra = max(0.0, result.cpu["server"] - quiet.cpu["server"]) * result.seconds
    return extra / max(requests, 1) * 1000


def _as_json(results: list[PhaseResult]) -> list[dict[str, Any]]:
    return [
        {
            "backend": r.backend,
            "phase": r.phase,
            "seconds": r.seconds,
            "victims": {
                name: {
                    "n": len(r.latencies.get(name, [])),
                    "p50_ms": r.percentile(name, 50),
                    "p95_ms": r.percentile(name, 95),
                    "max_ms": r.percentile(name, 100),
                    "failures": dict(r.failures.get(name, {})),
                }
                for name in VICTIM_NAMES
            },
            "attackers": {
                kind: {
                    "statuses": dict(t.statuses),
                    "receipts": dict(t.receipts),
                    "sent_bytes": t.sent_bytes,
                    "errors": t.errors,
                }
                for kind, t in r.attackers.items()
            },
            "cores_busy": r.cpu,
        }
        for r in results
    ]


async def _main(args: argparse.Namespace) -> tuple[list[PhaseResult], list[str]]:
    results: list[PhaseResult] = []
    problems: list[str] = []
    if not cli_ready():
        return results, ["the langso CLI is not ready (.venv/bin/langso)"]
    for backend in args.backend_list:
        try:
            results += await _run_backend(backend, args)
        except Exception as exc:  # report the other backend's figures all the same
            problems.append(f"{backend}: {type(exc).__name__}: {exc}")
            _log(f"== {backend} failed: {exc!r}")
    return results, problems


def main(argv: list[str] | None = None) -> int:
    """Run every backend's phases, print the tables; 1 on server errors, never on latency."""
    args = _parse(argv)
    started = time.monotonic()
    load = os.getloadavg()
    results, problems = asyncio.run(_main(args))
    _print_report(args, results)
    problems += _errors(results)
    print(f"\nload average at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f}; "
          f"wall time {time.monotonic() - started:.0f} s")  # fmt: skip
    for line in problems:
        print(f"ERROR {line}")
    if args.json:
        payload = {"results": _as_json(results), "errors": problems}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if problems or not results else 0


if __name__ == "__main__":
    sys.exit(main())
