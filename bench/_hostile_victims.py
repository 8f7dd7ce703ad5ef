"""The victims of bench/hostile.py: ordinary users timed every ~100 ms, in their own process.

Run by hostile.py as `python _hostile_victims.py CONFIG_JSON`; it prints one line per request
(`victim start_monotonic latency_ms status`) until its standard input closes. Being a separate
process, its timing does not wait for the attackers' client work (building 400 MB bodies,
reading exports): what it measures is the server. `time.monotonic` is the same clock in every
process on Linux, so hostile.py sorts the samples into its phases by their start time.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _http import Connection, HttpError, Response

INTERVAL = 0.1  # seconds from one request's start to the next (later when one takes longer)
VICTIMS = ("sign-in page", "member push", "member pull", "coverage page")


def _write(name: str, started: float, latency: float, status: int, note: str = "") -> None:
    sys.stdout.write(f"{name}\t{started:.6f}\t{latency * 1000:.3f}\t{status}\t{note}\n")
    sys.stdout.flush()


async def _loop(name: str, send: Callable[[], Awaitable[Response]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            response = await send()
            status, note = response.status_code, ""
        except (HttpError, OSError, TimeoutError) as exc:
            status, note = 0, f"{type(exc).__name__}: {exc}"[:200]
        latency = time.monotonic() - started
        _write(name, started, latency, status, note)
        await asyncio.sleep(max(0.0, INTERVAL - latency))


async def main(config: dict[str, Any]) -> None:
    url = config["url"]
    anonymous = Connection(url)
    member = Connection(f"{url}/api/v1", headers={"Authorization": f"Bearer {config['member']}"})
    puller = Connection(f"{url}/api/v1", headers={"Authorization": f"Bearer {config['member']}"})
    coordinator = Connection(url, headers={"Authorization": f"Bearer {config['coordinator']}"})
    household, version = config["household"], int(config["version"])
    cursor = config["cursor"]
    device = f"bench-victim-{uuid.uuid4()}"
    edits = 0

    async def push() -> Response:
        nonlocal version, edits
        edits += 1
        mutation = {
            "id": str(uuid.uuid4()),
            "type": "household",
            "record_id": household,
            "op": "update",
            "base_version": version,
            "data": {"notes": f"Đã ghé thăm lần {edits}"},
        }
        response = await member.request(
            "POST", "/sync/push", json={"device_id": device, "mutations": [mutation]}
        )
        if response.status_code == 200:
            receipt = response.json()["results"][0]
            if receipt.get("status") not in ("applied", "merged"):
                response.status_code = 600  # reported as a failed push (not a server error)
            version = int(receipt.get("version") or version)
        return response

    async def pull() -> Response:
        nonlocal cursor
        response = await puller.request(
            "GET", "/sync/pull", params={"cursor": cursor, "limit": 500, "device_id": device}
        )
        if response.status_code == 200:
            cursor = str(response.json()["cursor"])
        return response

    sends: dict[str, Callable[[], Awaitable[Response]]] = {
        "sign-in page": lambda: anonymous.request("GET", "/sign-in"),
        "member push": push,
        "member pull": pull,
        "coverage page": lambda: coordinator.request("GET", f"/coverage/{config['commune']}"),
    }
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_reader(sys.stdin.fileno(), lambda: None if sys.stdin.readline() else stop.set())
    await asyncio.gather(*(_loop(name, sends[name], stop) for name in VICTIMS))
    for connection in (anonymous, member, puller, coordinator):
        await connection.close()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
