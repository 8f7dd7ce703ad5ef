"""Run the workload against one system: N devices push their batches at once, then pull."""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Callable

from _common import Device, Ledger, Planner, RunResult, System
from _cpu import CpuMeter

_MAX_ERRORS_KEPT = 5


async def run_workload(
    system: System,
    *,
    devices: int,
    batches: int,
    villages: int,
    push_limit: float,
    pull_limit: float,
    ledger: Ledger,
    tag: str,
    log: Callable[[str], None],
    warmup: int = 0,
) -> RunResult:
    """Push `warmup` batches from each of `devices` devices (not measured: connections open,
    statements are prepared), then `batches` more (measured), then pull every village back."""
    result = RunResult(system.name, devices, batches_planned=devices * batches)
    codes = await system.villages(villages, tag)
    phones: list[Device] = []
    try:
        for index in range(devices):
            phones.append(await system.device(index, codes[index % len(codes)]))
        planners = [
            Planner(phone.village, zlib.crc32(f"{tag}:{index}".encode()))
            for index, phone in enumerate(phones)
        ]
        for planner in planners:
            planner.prepare(warmup + batches)  # the day's households, recorded offline
        if warmup:
            log(f"  {system.name}: {devices} devices ready, {warmup} warm-up batch(es) each")
            await _warm_up(phones, planners, warmup, ledger, result)
        log(f"  {system.name}: pushing {batches} batches each")
        meter = CpuMeter(system.server_pids(), system.database)
        await meter.start()
        await _push_phase(phones, planners, warmup, batches, push_limit, ledger, result)
        use = await meter.stop()
        if use.available:
            result.cpu = {
                "client": use.client,
                "server": use.server,
                "database": use.database,
                "machine": use.machine,
                "seconds": use.seconds,
            }
        log(
            f"  pushed {result.mutations_acked} mutations in {result.push_seconds:.1f} s, "
            f"{result.failed_batches} failed batches; pulling"
        )
        await _pull_phase(phones, pull_limit, ledger, result)
    finally:
        for phone in phones:
            await phone.close()
    if result.batches_done < result.batches_planned:
        result.note = (
            f"push time limit {push_limit:.0f} s: "
            f"{result.batches_done}/{result.batches_planned} batches sent"
        )
    return result


async def _warm_up(
    phones: list[Device], planners: list[Planner], batches: int, ledger: Ledger, result: RunResult
) -> None:
    """The first `batches` batches of every device, at once, outside the measured phase.

    They open the server's database connections and prepare its statements, as a server that
    has been up for a while has; a failed one still counts as a failed batch.
    """

    async def device_loop(phone: Device, planner: Planner) -> None:
        for number in range(batches):
            batch = planner.next_batch(number)
            outcome = await phone.push(batch)
            result.warmup_batches += 1
            if not outcome.ok:
                result.failed_batches += 1
                _keep_error(result, f"warm-up: {outcome.error}")
            planner.acknowledge(batch, outcome.acked)
            ledger.record(phone.village, outcome.acked)

    await asyncio.wait_for(
        asyncio.gather(*(device_loop(p, q) for p, q in zip(phones, planners, strict=True))),
        timeout=300,
    )


async def _push_phase(
    phones: list[Device],
    planners: list[Planner],
    first: int,
    batches: int,
    limit: float,
    ledger: Ledger,
    result: RunResult,
) -> None:
    start = time.monotonic()
    deadline = start + limit

    async def device_loop(phone: Device, planner: Planner) -> None:
        for number in range(first, first + batches):
            if time.monotonic() >= deadline:
                return
            batch = planner.next_batch(number)
            began = time.perf_counter()
            outcome = await phone.push(batch)
            result.latencies_ms.append((time.perf_counter() - began) * 1000)
            result.batches_done += 1
            result.mutations_acked += len(outcome.acked)
            result.conflicts += outcome.conflicts
            result.rolled_back += outcome.rolled_back
            result.retries += outcome.retries
            if not outcome.ok:
                result.failed_batches += 1
                _keep_error(result, outcome.error)
            planner.acknowledge(batch, outcome.acked)
            ledger.record(phone.village, outcome.acked)

    tasks = [
        asyncio.create_task(device_loop(phone, planner))
        for phone, planner in zip(phones, planners, strict=True)
    ]
    # The per-batch deadline bounds the loop; this bounds a batch that hangs past it.
    done, pending = await asyncio.wait(tasks, timeout=limit + 300)
    for task in pending:
        task.cancel()
        _keep_error(result, "device still pushing 300 s after the time limit: cancelled")
    for task in done:
        if task.exception() is not None:
            _keep_error(result, f"device crashed: {task.exception()!r}")
    result.push_seconds = time.monotonic() - start


async def _pull_phase(
    phones: list[Device], limit: float, ledger: Ledger, result: RunResult
) -> None:
    start = time.monotonic()
    deadline = start + limit
    outcomes = await asyncio.wait_for(
        asyncio.gather(*(phone.pull(deadline) for phone in phones)), timeout=limit + 300
    )
    result.pull_seconds = time.monotonic() - start
    for phone, outcome in zip(phones, outcomes, strict=True):
        result.pulled += len(outcome.records)
        check = ledger.check(phone.village, outcome.records)
        result.expected += check.expected
        result.missing += check.missing
        result.duplicates += check.duplicates
        result.stale += check.stale
        result.unexpected += check.unexpected
        if outcome.error:
            result.pulls_cut += 1
            _keep_error(result, f"pull: {outcome.error}")


def _keep_error(result: RunResult, error: str) -> None:
    if error and error not in result.errors and len(result.errors) < _MAX_ERRORS_KEPT:
        result.errors.append(error)
