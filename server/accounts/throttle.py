"""The password throttle: one atomic counting statement per key, before a password is checked.

Three keys count every check of a password (sign-in and change of password alike):
- the pair (phone, address) is locked for the rest of its window after `PAIR_LIMIT` checks;
- the phone alone (from any address) and the address alone (for any phone) are shared with
  strangers, so after their free checks they are only paced: one more check per `PACE` seconds.
  A stranger's failures can therefore delay the right password by seconds, never lock it out.
A successful check forgives the pair and the phone. See docs/security.md ("Sign-in throttle").
"""

from __future__ import annotations

import math
import secrets
import time

from tortoise.backends.base.client import BaseDBAsyncClient

from server.db.config import connection, is_postgres
from server.errors import UserError
from server.i18n import N_

WINDOW = 15 * 60.0  # seconds a key's count lasts from its first check
PAIR_LIMIT = 8  # checks of one phone from one address per window; then locked
PHONE_FREE = 8  # checks of one phone from all addresses before pacing
ADDRESS_FREE = 80  # checks from one address for all phones (a carrier's NAT is shared)
PACE = 10.0  # seconds between further checks of a paced phone or address
_KEEP = 120  # characters of a key (an IPv6 address is at most 45)
_SWEEP_ONE_IN = 200  # about one check in this many deletes the rows past their window


class Refused(UserError):
    """No check now: wait `seconds`; `locked` when a phone-and-address pair is locked.

    A 429 with `Retry-After`, saying minutes for a lock and seconds for pacing.
    """

    status = 429

    def __init__(self, seconds: int, locked: bool) -> None:
        retry = {"Retry-After": str(seconds)}
        if locked:
            msgid = N_("Too many failed attempts. Wait %(minutes)s minutes, then try again.")
            super().__init__(msgid, params={"minutes": -(-seconds // 60)}, headers=retry)
        else:
            msgid = N_(
                "Too many failed attempts for this phone number. "
                "Wait %(seconds)s seconds, then try again."
            )
            super().__init__(msgid, params={"seconds": seconds}, headers=retry)
        self.seconds = seconds
        self.locked = locked


def keys(phone: str, address: str) -> tuple[str, str, str]:
    """The pair, phone and address keys of one check."""
    return (f"pair:{phone}|{address}"[:_KEEP], f"phone:{phone}"[:_KEEP], f"addr:{address}"[:_KEEP])


async def admit(phone: str, address: str) -> int:
    """Count one password check; its number for the pair, or raise `Refused` (nothing counted)."""
    pair, by_phone, by_address = keys(phone, address)
    counted: list[str] = []
    try:
        checks = await _count(pair, PAIR_LIMIT, 0.0)
        counted.append(pair)
        await _count(by_phone, PHONE_FREE, PACE)
        counted.append(by_phone)
        await _count(by_address, ADDRESS_FREE, PACE)
    except Refused:
        for key in counted:
            await _uncount(key)
        raise
    if secrets.randbelow(_SWEEP_ONE_IN) == 0:
        await _sweep()
    return checks


async def passed(phone: str, address: str) -> None:
    """The password was right: forgive the pair and the phone; the address check was no failure."""
    pair, by_phone, by_address = keys(phone, address)
    conn = connection()
    marks = _marks(conn, 2)
    await conn.execute_query(
        f'DELETE FROM sign_in_throttle WHERE "key" IN ({marks[0]}, {marks[1]})', [pair, by_phone]
    )
    await _uncount(by_address)


async def forget_phone(phone: str) -> None:
    """A coordinator set a new password: every count for this phone starts again."""
    conn = connection()
    first, second = _marks(conn, 2)
    await conn.execute_query(
        f'DELETE FROM sign_in_throttle WHERE "key" = {first} OR "key" LIKE {second}',
        [f"phone:{phone}", f"pair:{phone}|%"],  # a user's phone is digits only: no wildcards
    )


async def _count(key: str, free: int, pace: float) -> int:
    """One atomic upsert: count a check when allowed; raise `Refused` when not."""
    conn = connection()
    now = time_now()
    ticket = secrets.token_hex(8)
    k, at, since, limit, gap, mine = _marks(conn, 6)
    real = "DOUBLE PRECISION"
    t = "sign_in_throttle"
    fresh = f"{t}.window_start < CAST({since} AS {real})"
    free_check = f"({fresh} OR {t}.checks < CAST({limit} AS INTEGER))"
    paced = f"(CAST({gap} AS {real}) > 0 AND {t}.next_at <= CAST({at} AS {real}))"
    allowed = f"({free_check} OR {paced})"
    rows = await conn.execute_query_dict(
        f'INSERT INTO {t} ("key", checks, window_start, next_at, ticket) '
        f"VALUES ({k}, 1, CAST({at} AS {real}), CAST({at} AS {real}) + CAST({gap} AS {real}), "
        f"{mine}) "
        f'ON CONFLICT ("key") DO UPDATE SET '
        f"checks = CASE WHEN {fresh} THEN 1 WHEN {allowed} THEN {t}.checks + 1 "
        f"ELSE {t}.checks END, "
        f"window_start = CASE WHEN {fresh} THEN CAST({at} AS {real}) ELSE {t}.window_start END, "
        f"next_at = CASE WHEN {allowed} THEN CAST({at} AS {real}) + CAST({gap} AS {real}) "
        f"ELSE {t}.next_at END, "
        f"ticket = CASE WHEN {allowed} THEN {mine} ELSE {t}.ticket END "
        f"RETURNING checks, window_start, next_at, ticket",
        [key, now, now - WINDOW, free, pace, ticket],
    )
    row = rows[0]
    if row["ticket"] == ticket:
        return int(row["checks"])
    if pace > 0:
        wait = float(row["next_at"]) - now
        raise Refused(seconds=max(1, math.ceil(wait)), locked=False)
    wait = float(row["window_start"]) + WINDOW - now
    raise Refused(seconds=max(1, math.ceil(wait)), locked=True)


async def _sweep() -> None:
    """Delete the rows whose window and pacing are over: they would start afresh anyway."""
    conn = connection()
    since, now = _marks(conn, 2)
    await conn.execute_query(
        f"DELETE FROM sign_in_throttle WHERE window_start < CAST({since} AS DOUBLE PRECISION) "
        f"AND next_at < CAST({now} AS DOUBLE PRECISION)",
        [time_now() - WINDOW, time_now()],
    )


async def _uncount(key: str) -> None:
    conn = connection()
    (mark,) = _marks(conn, 1)
    await conn.execute_query(
        f'UPDATE sign_in_throttle SET checks = checks - 1 WHERE "key" = {mark} AND checks > 0',
        [key],
    )


def _marks(conn: BaseDBAsyncClient, count: int) -> list[str]:
    """Numbered parameters, usable more than once: `$1` on PostgreSQL, `?1` on SQLite."""
    sign = "$" if is_postgres(conn) else "?"
    return [f"{sign}{n}" for n in range(1, count + 1)]


def time_now() -> float:
    """Seconds since the epoch (tests move it)."""
    return time.time()
