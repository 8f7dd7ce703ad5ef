"""The attackers of bench/hostile.py: each kind loops until its phase ends, counting answers.

Every attacker has its own connection and counts what the server answered in `Tally.statuses`
(`413`, `429`, …; `closed` when the server closed the connection before answering, as it may
after refusing a body; `error` for any other transport failure). bench/README.md lists what
each kind sends.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from _http import Connection, HttpError, Response

HUGE = 400 * 1000 * 1000  # bytes an anonymous body declares, or streams before giving up
CHUNK = 64 * 1024
MAX_BATCH = 500  # server/sync/push.py MAX_BATCH
# lessons/records.py LESSON_PROGRESS `answers`: 60 keys of 60 characters, values 20 as JSON
ANSWER_KEYS, ANSWER_KEY_LENGTH, ANSWER_VALUE_SIZE = 60, 60, 20
JSON_BYTES = 1000 * 1000  # just under web/limits.py JSON_BYTES (1 MiB)
DEPTH = 1000  # nesting orjson still parses (its limit is 1,024); the field rules allow 6


@dataclass
class Context:
    """What the attackers need: the server's address, tokens and the seeded areas."""

    url: str
    member: str  # token of the member who pushes the big batches and the odd JSON
    puller: str  # token of a member of the big village (pulls it from a fresh device)
    province_coordinator: str
    trainer: str
    province: str
    target_phone: str  # a real member's phone, guessed at in the one-phone flood
    phones: list[str]  # every account's phone (the many-phones flood mixes them in)


@dataclass
class Tally:
    """What one kind of attacker got during one phase."""

    statuses: Counter[str] = field(default_factory=Counter)
    receipts: Counter[str] = field(default_factory=Counter)  # push receipts by status
    sent_bytes: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, response: Response) -> None:
        self.statuses[str(response.status_code)] += 1

    def failed(self, exc: BaseException) -> None:
        self.statuses["error"] += 1
        if len(self.errors) < 5:
            self.errors.append(f"{type(exc).__name__}: {exc}"[:200])


Attacker = Callable[[Context, asyncio.Event, Tally, int], Awaitable[None]]


def _forwarded(rng: random.Random) -> str:
    """A made-up client address: uvicorn trusts X-Forwarded-For from 127.0.0.1 (a proxy)."""
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


async def _send(conn: Connection, tally: Tally, method: str, path: str, **kwargs: Any) -> Response:
    try:
        response = await conn.request(method, path, **kwargs)
    except HttpError as exc:
        tally.failed(exc)
        raise
    tally.count(response)
    return response


async def _until(stop: asyncio.Event, conn: Connection, step: Callable[[], Awaitable[Any]]) -> None:
    try:
        while not stop.is_set():
            try:
                await step()
            except HttpError:
                await asyncio.sleep(0.05)  # counted; the connection is opened again
    finally:
        await conn.close()


# -- anonymous huge bodies ----------------------------------------------------------------


async def huge_bodies(ctx: Context, stop: asyncio.Event, tally: Tally, index: int) -> None:
    """400 MB declared, or chunked without end, on the two sign-in routes, in turn."""
    host, port = ctx.url.removeprefix("http://").split(":")
    variants = [
        ("/api/v1/session", "application/json", False),
        ("/sign-in", "multipart/form-data; boundary=b", True),
        ("/api/v1/session", "application/json", True),
        ("/sign-in", "application/x-www-form-urlencoded", False),
    ]
    turn = index
    while not stop.is_set():
        path, media_type, chunked = variants[turn % len(variants)]
        turn += 1
        try:
            status = await _one_huge(host, int(port), path, media_type, chunked, tally)
        except (OSError, TimeoutError) as exc:
            tally.failed(exc)
            await asyncio.sleep(0.05)
            continue
        tally.statuses[status] += 1


async def _one_huge(
    host: str, port: int, path: str, media_type: str, chunked: bool, tally: Tally
) -> str:
    reader, writer = await asyncio.open_connection(host, port)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {HUGE}"
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {media_type}\r\n{length}\r\n\r\n"
    data = b"a" * CHUNK
    chunk = f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data
    answer = asyncio.create_task(reader.readline())
    try:
        writer.write(head.encode())
        sent = 0
        while not answer.done() and sent < HUGE:
            writer.write(chunk)
            await asyncio.wait_for(writer.drain(), 10)
            sent += len(data)
            tally.sent_bytes += len(data)
    except (OSError, TimeoutError):
        pass  # the server refused and closed: what it should do
    try:
        line = await asyncio.wait_for(answer, 10)
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        line = b""
    finally:
        answer.cancel()
        writer.close()
    parts = line.split(b" ", 2)
    return parts[1].decode() if len(parts) > 1 else "closed"


# -- wrong passwords -----------------------------------------------------------------------


async def one_phone(ctx: Context, stop: asyncio.Event, tally: Tally, index: int) -> None:
    """Wrong passwords for one real member's phone from ever new addresses; one attacker in
    four guesses through `POST /api/v1/me/password` with a stolen token instead."""
    rng = random.Random(index)
    conn = Connection(f"{ctx.url}/api/v1")
    if index % 4 == 3:
        conn.headers["Authorization"] = f"Bearer {ctx.member}"

    async def step() -> None:
        conn.headers["X-Forwarded-For"] = _forwarded(rng)
        guess = f"guess-{rng.randrange(10**9)}"
        if index % 4 == 3:
            body = {"current_password": guess, "new_password": "another-secret-1"}
            await _send(conn, tally, "POST", "/me/password", json=body)
        else:
            body = {"phone": ctx.target_phone, "password": guess}
            await _send(conn, tally, "POST", "/session", json=body)

    await _until(stop, conn, step)


async def many_phones(ctx: Context, stop: asyncio.Event, tally: Tally, index: int) -> None:
    """Wrong passwords for ever other phones (real ones among them) from ever new addresses:
    the throttle has nothing to pace, so every guess costs an argon2 check."""
    rng = random.Random(1000 + index)
    conn = Connection(f"{ctx.url}/api/v1")

    async def step() -> None:
        conn.headers["X-Forwarded-For"] = _forwarded(rng)
        phone = rng.choice(ctx.phones) if rng.random() < 0.2 else f"09{rng.randrange(10**8):08d}"
        body = {"phone": phone, "password": f"guess-{rng.randrange(10**9)}"}
        await _send(conn, tally, "POST", "/session", json=body)

    await _until(stop, conn, step)


# -- a member's largest pushes and odd JSON --------------------------------------------------


def _answers(turn: int) -> dict[str, str]:
    value = f"{turn:06d}".ljust(ANSWER_VALUE_SIZE - 2, "x")  # + 2 quotes = 20 as JSON
    return {f"{key:02d}".ljust(ANSWER_KEY_LENGTH, "q"): value for key in range(ANSWER_KEYS)}


async def max_push(ctx: Context, stop: asyncio.Event, tally: Tally, index: int) -> None:
    """500 lesson progress records with `answers` at every limit: created, then updated."""
    conn = Connection(f"{ctx.url}/api/v1", headers={"Authorization": f"Bearer {ctx.member}"})
    device = f"bench-attacker-{index}-{uuid.uuid4()}"
    records = [str(uuid.uuid4()) for _ in range(MAX_BATCH)]
    versions: dict[str, int] = {}
    turn = 0

    async def step() -> None:
        nonlocal turn
        turn += 1
        answers = _answers(turn)
        mutations = [
            {
                "id": str(uuid.uuid4()),
                "type": "lesson_progress",
                "record_id": record,
                "op": "update" if record in versions else "create",
                "base_version": versions.get(record, 0),
                "data": {
                    "lesson_slug": f"bai-{index}",
                    "lesson_version": 1,
                    "status": "completed",
                    "score": turn % 101,
                    "answers": answers,
                },
            }
            for record in records
        ]
        body = {"device_id": device, "mutations": mutations}
        response = await _send(conn, tally, "POST", "/sync/push", json=body)
        if response.status_code != 200:
            return
        for receipt in response.json()["results"]:
            tally.receipts[str(receipt.get("status"))] += 1
            if receipt.get("version"):
                versions[str(receipt["record_id"])] = int(receipt["version"])
            elif len(tally.errors) < 3:
                tally.errors.append(f"receipt {orjson.dumps(receipt).decode()[:200]}")

    await _until(stop, conn, step)


def _nested_push(device: str, depth: int) -> bytes:
    """A push of one lesson progress whose answer is a list nested `depth` levels (orjson
    writes at most 254 levels, so the body is put together by hand)."""
    answer = b"[" * depth + b"1" + b"]" * depth
    mutation = {
        "id": str(uuid.uuid4()),
        "type": "lesson_progress",
        "record_id": str(uuid.uuid4()),
        "op": "create",
        "base_version": 0,
        "data": {"lesson_slug": "bai-x", "status": "started", "answers": {"q1": 0}},
    }
    body = orjson.dumps({"device_id": device, "mutations": [mutation]})
    return body.replace(b'{"q1":0}', b'{"q1":' + answer + b"}")


async def odd_json(ctx: Context, stop: asyncio.Event, tally: Tally, index: int) -> None:
    """With a member's token: JSON nested 1,000 levels inside a mutation, 200,000 open brackets,
    a 1 MB push of small numbers and a 1 MB password change, in turn."""
    conn = Connection(f"{ctx.url}/api/v1", headers={"Authorization": f"Bearer {ctx.member}"})
    device = f"bench-odd-{index}"
    filler = (JSON_BYTES - 100) // 2
    bodies = [
        b"[" * 200_000,
        orjson.dumps({"device_id": device, "mutations": [], "junk": [0] * filler}),
        orjson.dumps({"current_password": "a" * (JSON_BYTES - 60), "new_password": "b" * 12}),
    ]
    turn = index

    async def step() -> None:
        nonlocal turn
        turn += 1
        kind = turn % 4
        body = _nested_push(device, DEPTH - 10) if kind == 0 else bodies[kind - 1]
        path = "/me/password" if kind == 3 else "/sync/push"
        await _send(conn, tally, "POST", path, raw=body)

    await _until(stop, conn, step)


# -- heavy reads by people allowed to make them ----------------------------------------------


async def exports(ctx: Context, stop: asyncio.Event, tally: Tally, index: int) -> None:
    """A province coordinator downloading the province's exports (XLSX and CSV) over and over."""
    headers = {"Authorization": f"Bearer {ctx.province_coordinator}"}
    conn = Connection(ctx.url, headers=headers)
    files = ["households.xlsx", "households.csv", "coverage.xlsx", "coverage.csv"]
    turn = index

    async def step() -> None:
        nonlocal turn
        turn += 1
        path = f"/coverage/{ctx.province}/export/{files[turn % len(files)]}"
        await _send(conn, tally, "GET", path)

    await _until(stop, conn, step)


async def trainer_report(ctx: Context, stop: asyncio.Event, tally: Tally, index: int) -> None:
    """A province trainer's lesson completion report, page and CSV, whole and by province."""
    conn = Connection(ctx.url, headers={"Authorization": f"Bearer {ctx.trainer}"})
    paths = [
        "/trainer/reports",
        "/trainer/reports.csv",
        f"/trainer/reports?area={ctx.province}",
        f"/trainer/reports.csv?area={ctx.province}",
    ]
    turn = index

    async def step() -> None:
        nonlocal turn
        turn += 1
        await _send(conn, tally, "GET", paths[turn % len(paths)])

    await _until(stop, conn, step)


async def fresh_pull(ctx: Context, stop: asyncio.Event, tally: Tally, index: int) -> None:
    """A member's new phone pulling the big village from an empty cursor, again and again."""
    conn = Connection(f"{ctx.url}/api/v1", headers={"Authorization": f"Bearer {ctx.puller}"})

    async def step() -> None:
        device, cursor, more = f"bench-fresh-{uuid.uuid4()}", "", True
        while more and not stop.is_set():
            params = {"cursor": cursor, "limit": 500, "device_id": device}
            response = await _send(conn, tally, "GET", "/sync/pull", params=params)
            if response.status_code != 200:
                return
            page = response.json()
            cursor, more = str(page["cursor"]), bool(page["more"])

    await _until(stop, conn, step)


KINDS: dict[str, Attacker] = {
    "huge bodies": huge_bodies,
    "wrong password, one phone": one_phone,
    "wrong password, many phones": many_phones,
    "max-size push": max_push,
    "nested and 1 MB JSON": odd_json,
    "province exports": exports,
    "trainer report": trainer_report,
    "fresh-device pull": fresh_pull,
}
