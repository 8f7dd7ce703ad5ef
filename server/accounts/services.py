"""Users, sign-in, tokens, throttling and scopes: every accounts query lives here."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from collections.abc import Callable
from typing import TypeVar

from server.accounts import roles, throttle
from server.accounts.models import ApiToken, User, UserArea
from server.accounts.passwords import MIN_LENGTH, hash_password, verify_password
from server.areas import kinds
from server.areas import services as area_services
from server.areas.models import Area
from server.areas.scope import Scope
from server.db.config import connection, placeholders
from server.errors import UserError
from server.i18n import N_
from server.phones import normalize_phone
from server.search import fold

T = TypeVar("T")
SLOW_AFTER = 3  # checks of one phone from one address before each further one is slowed down
REFUSE_AFTER = throttle.PAIR_LIMIT  # checks of one phone from one address before a lock
_DUMMY_HASH = hash_password(secrets.token_hex(8))
# argon2 checks running at once in one worker. Each takes a core for ~0.1-0.2 s (and 64 MiB):
# a flood of guesses from ever new addresses and phones, which the throttle cannot pace, waits
# its turn here instead of taking every core from the signed-in users (bench/hostile.py).
HASHING_AT_ONCE = 1
_HASHING = asyncio.Semaphore(HASHING_AT_ONCE)


async def hashed(check: Callable[..., T], *args: str) -> T:
    """Run an argon2 hash or check in a worker thread, `HASHING_AT_ONCE` at a time."""
    async with _HASHING:
        return await asyncio.to_thread(check, *args)


class AccountError(UserError):
    """A problem with an account the user can fix."""


SignInRefused = throttle.Refused  # too many checks: wait `seconds` (`locked`: a pair's lock)


async def create_user(
    *,
    phone: str,
    name: str,
    role: str,
    password: str,
    area_codes: list[str],
    language: str = "vi",
) -> User:
    """Create a user in the given areas, or raise `AccountError`."""
    normalized = normalize_phone(phone)
    if normalized is None:
        raise AccountError(N_("Enter a Vietnamese mobile number, e.g. 0912 345 678."), "phone")
    if role not in roles.ROLES:
        raise AccountError(N_("Unknown role."), "role")
    if not name.strip():
        raise AccountError(N_("This field is required."), "name")
    _check_new_password(password)
    if await User.filter(phone=normalized).exists():
        raise AccountError(N_("This phone number already has an account."), "phone")
    areas = await Area.filter(code__in=area_codes)
    for code in sorted(set(area_codes) - {area.code for area in areas}):
        # Never guess: `4` was province 04 to some and ward 00004 to others.
        if choices := await area_services.meant(code):
            raise AccountError(
                N_(
                    "No area has the code %(code)s. Official codes keep their leading zeros; "
                    "perhaps you meant: %(choices)s."
                ),
                "area",
                params={"code": code, "choices": choices},
            )
        raise AccountError(N_("This area does not exist."), "area")
    if role == roles.MEMBER and any(area.kind != kinds.VILLAGE for area in areas):
        raise AccountError(N_("A team member works in a village."), "area")
    user = await User.create(
        id=uuid.uuid4(),
        phone=normalized,
        name=name.strip(),
        search_name=fold(name),
        role=role,
        password_hash=await hashed(hash_password, password),
        language=language,
    )
    for area in areas:
        await UserArea.create(user=user, area=area)
    return user


def _check_new_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise AccountError(N_("Use a password of at least 8 characters."), "password")


async def authenticate(phone: str, password: str, address: str) -> User | None:
    """The user for these credentials, or None; raises `SignInRefused` when throttled."""
    normalized = normalize_phone(phone) or phone.strip()[:15].replace("\x00", "")
    user = await User.get_or_none(phone=normalized, is_active=True)
    valid = await _checked(normalized, address, user.password_hash if user else None, password)
    return user if user is not None and valid else None


async def _checked(phone: str, address: str, stored: str | None, password: str) -> bool:
    """Check a password through the throttle: counted first (atomically), then verified."""
    checks = await throttle.admit(phone, address)
    if checks > SLOW_AFTER:
        await asyncio.sleep(min(2.0 ** (checks - 1 - SLOW_AFTER), 8.0))
    # argon2 takes ~100 ms of CPU: keep it off the event loop so other requests go on.
    valid = await hashed(verify_password, stored or _DUMMY_HASH, password)
    if stored is not None and valid:
        await throttle.passed(phone, address)
        return True
    return False


async def issue_token(user: User) -> str:
    """A new bearer token for the API; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    await ApiToken.create(token_hash=_digest(token), user=user, session_epoch=user.session_epoch)
    return token


async def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, with their areas: one plain query.

    Every API call asks, so the areas come along (one row per area) and `scope_of` uses
    them instead of asking again.
    """
    conn = connection()
    (mark,) = placeholders(conn, 1)
    rows = await conn.execute_query_dict(
        f"SELECT u.*, t.session_epoch AS token_epoch, a.kind AS area_kind, a.code AS area_code "
        f"FROM api_token t JOIN app_user u ON u.id = t.user_id "
        f"LEFT JOIN user_area ua ON ua.user_id = u.id LEFT JOIN area a ON a.code = ua.area_id "
        f"WHERE t.token_hash = {mark}",
        [_digest(token)],
    )
    if not rows:
        return None
    areas = [(str(r["area_kind"]), str(r["area_code"])) for r in rows if r["area_code"]]
    first = {k: v for k, v in rows[0].items() if k not in _TOKEN_COLUMNS}
    user = User._init_from_db(**first)
    if not user.is_active or user.session_epoch != rows[0]["token_epoch"]:
        return None
    setattr(user, _AREAS, areas)
    return user


_TOKEN_COLUMNS = frozenset({"token_epoch", "area_kind", "area_code"})
_AREAS = "_langso_areas"  # the (kind, code) pairs loaded with the user, for scope_of


async def revoke_token(token: str) -> None:
    """Sign a device out: its token stops working."""
    await ApiToken.filter(token_hash=_digest(token)).delete()


async def change_password(user: User, current: str, new: str, address: str) -> None:
    """Change the password; every other session and token stops working.

    The current password is checked through the sign-in throttle (`SignInRefused`).
    """
    if not await _checked(user.phone, address, user.password_hash, current):
        raise AccountError(N_("The current password is not right."), "current")
    _check_new_password(new)
    user.password_hash = await hashed(hash_password, new)
    user.session_epoch += 1
    await user.save(update_fields=["password_hash", "session_epoch"])
    await ApiToken.filter(user=user).delete()


async def scope_of(user: User) -> Scope:
    """The areas the user may see and change."""
    loaded: list[tuple[str, str]] | None = getattr(user, _AREAS, None)
    if loaded is not None:
        return Scope.of(user.id, user.role, loaded, everywhere=user.role == roles.ADMIN)
    conn = connection()
    (mark,) = placeholders(conn, 1)
    rows = await conn.execute_query_dict(
        f"SELECT a.kind, a.code FROM user_area ua JOIN area a ON a.code = ua.area_id "
        f"WHERE ua.user_id = {mark}",
        [str(user.id)],
    )
    areas = [(str(r["kind"]), str(r["code"])) for r in rows]
    return Scope.of(user.id, user.role, areas, everywhere=user.role == roles.ADMIN)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
