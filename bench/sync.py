"""Sync benchmark: Làng Số (SQLite, PostgreSQL) against Kinto and a raw asyncpg floor.

Run `python bench/sync.py --help`; bench/README.md explains every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BATCH_SIZE, UPDATES_PER_BATCH, Ledger, RunResult, System
from _driver import run_workload
from _floor import FloorServer
from _kinto import KintoServer
from _langso import LangsoServer, cli_ready

SYSTEMS = ("langso", "kinto", "floor")
OURS_PG = "Làng Số (PostgreSQL)"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", help="device counts (default 16,64; quick 16)")
    parser.add_argument("--batches", type=int, help="batches per device (default 30; quick 4)")
    parser.add_argument(
        "--warmup", type=int, default=1, help="unmeasured batches per device first (default 1)"
    )
    parser.add_argument("--backends", default="sqlite,postgres", help="our database backends")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="langso,kinto,floor")
    parser.add_argument(
        "--per-village", type=int, default=4, help="devices working in each village (default 4)"
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (~1 minute)")
    parser.add_argument("--push-limit", type=float, help="seconds per push phase (default 45)")
    parser.add_argument("--pull-limit", type=float, help="seconds per pull phase (default 60)")
    parser.add_argument(
        "--kinto-workers", type=int, default=2, help="gunicorn workers (1: waitress)"
    )
    parser.add_argument("--kinto-threads", type=int, default=1, help="Kinto threads per worker")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    devices = args.devices or ("16" if args.quick else "16,64")
    args.device_counts = [int(part) for part in devices.split(",") if part]
    args.backend_list = [part for part in args.backends.split(",") if part]
    args.system_list = [part for part in args.systems.split(",") if part]
    if args.batches is None:
        args.batches = 4 if args.quick else 30
    if args.push_limit is None:
        args.push_limit = 10.0 if args.quick else 45.0
    if args.pull_limit is None:
        args.pull_limit = 30.0 if args.quick else 60.0
    unknown = set(args.system_list) - set(SYSTEMS) | set(args.backend_list) - {
        "sqlite",
        "postgres",
    }
    if (
        unknown
        or not args.device_counts
        or args.batches < 1
        or args.per_village < 1
        or args.warmup < 0
    ):
        parser.error(f"bad arguments: {sorted(unknown) or 'devices/batches'}")
    return args


def _systems(args: argparse.Namespace) -> list[Callable[[], System]]:
    factories: list[Callable[[], System]] = []
    if "langso" in args.system_list:
        for backend in args.backend_list:
            factories.append(functools.partial(LangsoServer, backend, log=_log))
    if "kinto" in args.system_list:
        factories.append(
            functools.partial(
                KintoServer, workers=args.kinto_workers, threads=args.kinto_threads, log=_log
            )
        )
    if "floor" in args.system_list:
        factories.append(functools.partial(FloorServer, log=_log))
    return factories


async def _run_system(system: System, args: argparse.Namespace, results: list[RunResult]) -> None:
    _log(f"== {system.name}: starting")
    ledger = Ledger()
    try:
        await system.start()
        for devices in args.device_counts:
            result = await run_workload(
                system,
                devices=devices,
                batches=args.batches,
                warmup=args.warmup,
                villages=max(1, devices // args.per_village),
                push_limit=args.push_limit,
                pull_limit=args.pull_limit,
                ledger=ledger,
                tag=f"d{devices}",
                log=_log,
            )
            results.append(result)
            _log(f"  {_row(result)}")
    finally:
        await system.stop()


async def _main(args: argparse.Namespace) -> list[RunResult]:
    results: list[RunResult] = []
    skipped: list[str] = []
    for factory in _systems(args):
        system = factory()
        if isinstance(system, LangsoServer) and not cli_ready():
            skipped.append(f"{system.name}: `langso` CLI not ready (db/areas/village/user)")
            _log(f"== {system.name}: skipped, the langso CLI is not ready")
            continue
        try:
            await _run_system(system, args, results)
        except Exception as exc:  # report the other systems' figures all the same
            skipped.append(f"{system.name}: {type(exc).__name__}: {exc}")
            _log(f"== {system.name} failed: {exc!r}")
    _print_report(args, results, skipped)
    return results


_HEADER = (
    f"{'system':<22} {'mut/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
    f"{'failed':>7} {'409/412':>7} {'batches':>11} {'pull rec/s':>10} {'exactly once':>13}"
)


def _row(result: RunResult) -> str:
    if result.exactly_once:
        once = "yes"
    else:
        counts = f"{result.missing}m/{result.duplicates}d/{result.stale}s/{result.unexpected}u"
        once = f"{'cut' if result.pulls_cut else 'no'} ({counts})"
    batches = f"{result.batches_done}/{result.batches_planned}"
    return (
        f"{result.system:<22} {result.mutations_per_s:>8,.0f} {result.percentile(50):>7.0f} "
        f"{result.percentile(95):>7.0f} {result.percentile(99):>7.0f} "
        f"{result.failed_batches:>7} {result.conflicts:>7} {batches:>11} "
        f"{result.pull_per_s:>10,.0f} {once:>13}"
    )


def _ratio(ours: RunResult | None, other: RunResult | None) -> str:
    if ours is None or other is None or not other.mutations_per_s:
        return "n/a"
    return f"{ours.mutations_per_s / other.mutations_per_s:,.2f}×"


def _cpu_line(result: RunResult) -> str:
    """CPU milliseconds per batch during the push phase, and how busy the machine was."""
    cpu, batches = result.cpu, max(1, result.batches_done)
    parts = [
        f"{name} {cpu[name] / batches * 1000:.1f}"
        for name in ("client", "server", "database")
        if name == "client" or cpu[name] > 0  # no server for the floor, no backend for SQLite
    ]
    ours = cpu["client"] + cpu["server"] + cpu["database"]
    cores = os.cpu_count() or 1
    busy = cpu["machine"] / max(cpu["seconds"], 1e-9)
    others = max(0.0, cpu["machine"] - ours) / max(cpu["seconds"], 1e-9)
    total = ours / batches * 1000
    return (
        f"{result.system}: CPU ms per batch {', '.join(parts)} (total {total:.1f}); "
        f"machine {busy:.2f} of {cores} cores busy, {others:.2f} of them by other processes"
    )


def _print_report(args: argparse.Namespace, results: list[RunResult], skipped: list[str]) -> None:
    print()
    print(
        f"Sync benchmark {dt.date.today().isoformat()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · {args.warmup} warm-up + {args.batches} measured "
        f"batches × {BATCH_SIZE} mutations per device (the first all creates, then "
        f"{BATCH_SIZE - UPDATES_PER_BATCH} creates + {UPDATES_PER_BATCH} updates)"
    )
    print(
        f"{args.per_village} devices per village (device i → village i mod villages); "
        "each device pulls its whole village in pages of 500."
    )
    for devices in args.device_counts:
        rows = [result for result in results if result.devices == devices]
        villages = max(1, devices // args.per_village)
        print()
        print(f"{devices} devices in {villages} villages")
        print(_HEADER)
        for result in rows:
            print(_row(result))
        ours = next((r for r in rows if r.system == OURS_PG), None)
        kinto = next((r for r in rows if r.system == "Kinto"), None)
        floor = next((r for r in rows if r.system == "raw floor"), None)
        print(
            f"{OURS_PG} mutations/s: {_ratio(ours, kinto)} Kinto, {_ratio(ours, floor)} raw floor"
        )
        for result in rows:
            if result.cpu:
                print(f"  {_cpu_line(result)}")
        for result in rows:
            extra = [
                f"{result.rolled_back} writes answered 2xx but rolled back"
                if result.rolled_back
                else "",
                f"{result.retries} batches sent again on a stale connection"
                if result.retries
                else "",
            ]
            if result.note or result.errors or any(extra):
                details = "; ".join(filter(None, [result.note, *result.errors, *extra]))
                print(f"  {result.system}: {details}")
    for line in skipped:
        print(f"skipped: {line}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run every selected system, print the table, optionally write JSON."""
    args = _parse(argv)
    started = time.monotonic()
    results = asyncio.run(_main(args))
    print(f"\nwall time {time.monotonic() - started:.0f} s")
    if args.json:
        payload = [
            {**asdict(r), "latencies_ms": None, "p50": r.percentile(50), "p95": r.percentile(95),
             "p99": r.percentile(99), "mutations_per_s": r.mutations_per_s,
             "pull_per_s": r.pull_per_s, "exactly_once": r.exactly_once}
            for r in results
        ]  # fmt: skip
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(main())
