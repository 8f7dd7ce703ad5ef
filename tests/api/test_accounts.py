"""Signing in through the JSON API: tokens, errors in the user's language, throttling, passwords."""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette

from server.accounts import roles, throttle
from server.accounts import services as accounts
from server.accounts.models import User
from server.accounts.passwords import verify_password
from server.teams import services as teams
from tests.data import COMMUNE_A, COMMUNE_B, PASSWORD

NEW_PASSWORD = "mat-khau-moi-2026"
WRONG_VI = "Số điện thoại hoặc mật khẩu chưa đúng. Hãy nhập lại."
WRONG_EN = "The phone number or password is not right."
UNREADABLE_VI = "Không đọc được yêu cầu. Vui lòng thử lại."
SIGN_IN_AGAIN_VI = "Vui lòng đăng nhập lại."
_ON_POSTGRES = os.environ.get("LANGSO_TEST_DATABASE_URL", "").startswith(("postgres", "asyncpg"))
_addresses = itertools.count(1)

Connect = Callable[[], Awaitable[httpx.AsyncClient]]


@pytest_asyncio.fixture(loop_scope="session")
async def connect(app: Starlette) -> AsyncIterator[Connect]:
    """New clients, each from an address of its own, that see server errors as 500s.

    Failed sign-ins are counted per address too: a test that fails on purpose must not slow down
    or lock out the shared `client` used by every other test.
    """
    opened: list[httpx.AsyncClient] = []

    async def make() -> httpx.AsyncClient:
        n = next(_addresses)
        address = f"10.1.{n // 250}.{n % 250 + 1}"
        transport = httpx.ASGITransport(app=app, client=(address, 5000), raise_app_exceptions=False)
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
        return opened[-1]

    yield make
    for c in opened:
        await c.aclose()


async def _sign_in(
    c: httpx.AsyncClient, phone: str, password: str = PASSWORD, **headers: str
) -> httpx.Response:
    return await c.post(
        "/api/v1/session", json={"phone": phone, "password": password}, headers=headers
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# Signing in


async def test_sign_in_returns_a_token_and_the_user(client, village, user):
    area = await village()
    member = await user(roles.MEMBER, area.code)

    response = await _sign_in(client, member.phone)

    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    assert body["user"] == {
        "id": str(member.id),
        "phone": member.phone,
        "name": member.name,
        "role": "member",
        "language": "vi",
        "areas": [area.code],
        "villages": [{"code": area.code, "name": area.name, "commune_code": COMMUNE_A}],
    }
    me = await client.get("/api/v1/me", headers=_bearer(body["token"]))
    assert me.status_code == 200


@pytest.mark.parametrize(
    ("accept_language", "message"),
    [(None, WRONG_VI), ("vi-VN,vi;q=0.9", WRONG_VI), ("en-US,en;q=0.9", WRONG_EN)],
    ids=["default", "vi", "en"],
)
@pytest.mark.parametrize("mistake", ["wrong password", "unknown phone"])
async def test_wrong_credentials_are_refused_in_the_users_language(
    connect, user, accept_language, message, mistake
):
    member = await user(roles.MEMBER)
    headers = {"Accept-Language": accept_language} if accept_language else {}
    phone, password = (
        (member.phone, "sai-mat-khau") if mistake == "wrong password" else ("0399999999", PASSWORD)
    )

    response = await _sign_in(await connect(), phone, password, **headers)

    # The same answer either way: nobody learns which phone numbers have an account.
    assert response.status_code == 401
    assert response.json() == {"error": {"message": message, "field": None}}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"phone": "0912345678"},
        {"password": PASSWORD},
        {"phone": 912345678, "password": PASSWORD},
        {"phone": "0912345678", "password": None},
    ],
    ids=["empty", "no password", "no phone", "phone is a number", "password is null"],
)
async def test_missing_fields_are_named_in_the_error(client, body):
    response = await client.post("/api/v1/session", json=body)

    assert response.status_code == 422
    assert response.json() == {
        "error": {"message": "Hãy nhập số điện thoại và mật khẩu.", "field": None}
    }


@pytest.mark.parametrize(
    "content",
    [b"", b"phone=0912345678&password=x", b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe{}"],
    ids=["empty", "form", "broken", "array", "string", "not utf-8"],
)
async def test_unreadable_body_is_a_400_with_a_message(client, content):
    response = await client.post(
        "/api/v1/session", content=content, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {"error": {"message": UNREADABLE_VI, "field": None}}


async def test_deeply_nested_json_is_a_400_not_a_crash(connect):
    deep = b"[" * 10_000  # deep, yet within the sign-in limit
    response = await (await connect()).post(
        "/api/v1/session", content=deep, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {"error": {"message": UNREADABLE_VI, "field": None}}


@pytest.mark.parametrize(
    "written",
    [
        "+84 {a} {b} {c}",
        "+84{a}{b}{c}",
        "84{a}{b}{c}",
        "0{a}.{b}.{c}",
        "0{a}-{b}-{c}",
        " (0{a}) {b} {c} ",
    ],
)
async def test_phone_written_another_way_still_signs_in(client, user, written):
    member = await user(roles.MEMBER)
    digits = member.phone[1:]  # stored as 0 + 9 digits
    phone = written.format(a=digits[:3], b=digits[3:6], c=digits[6:])

    response = await _sign_in(client, phone)

    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == str(member.id)


async def test_deactivated_user_cannot_sign_in_and_their_tokens_stop(connect, client, user, login):
    member = await user(roles.MEMBER)
    headers = await login(member)
    member.is_active = False
    await member.save(update_fields=["is_active"])

    response = await _sign_in(await connect(), member.phone)

    assert response.status_code == 401
    assert response.json() == {"error": {"message": WRONG_VI, "field": None}}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_a_nul_character_in_the_phone_is_a_clear_error(connect):
    response = await _sign_in(await connect(), "09\x0012345678", "sai-mat-khau")

    assert response.status_code == 400
    assert response.json() == {"error": {"message": UNREADABLE_VI, "field": None}}


# Throttling


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits sign-in would have slept, recorded instead of slept."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(
        accounts, "asyncio", SimpleNamespace(sleep=sleep, to_thread=asyncio.to_thread)
    )
    return waits


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Seconds added to the throttle's clock: a test moves time forward by adding to [0]."""
    ahead = [0.0]
    monkeypatch.setattr(throttle, "time_now", lambda: time.time() + ahead[0])
    return ahead


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password actually verified (argon2), recorded in order."""
    passwords: list[str] = []

    def verify(stored: str, password: str) -> bool:
        passwords.append(password)
        return verify_password(stored, password)

    monkeypatch.setattr(accounts, "verify_password", verify)
    return passwords


async def test_repeated_failures_are_slowed_then_refused(connect, user, slept):
    member, colleague = await user(roles.MEMBER), await user(roles.MEMBER)
    phone_of_the_village = await connect()

    statuses = [
        (await _sign_in(phone_of_the_village, member.phone, f"sai-{n}")).status_code
        for n in range(accounts.REFUSE_AFTER)
    ]
    assert statuses == [401] * accounts.REFUSE_AFTER
    assert slept == [1, 2, 4, 8, 8]  # from the 4th attempt on, each one waits longer

    refused = await _sign_in(phone_of_the_village, member.phone)  # even the right password
    assert refused.status_code == 429
    assert refused.json() == {
        "error": {"message": "Nhập sai quá nhiều lần. Hãy đợi 15 phút rồi thử lại.", "field": None}
    }
    english = await _sign_in(phone_of_the_village, member.phone, **{"Accept-Language": "en"})
    assert english.json() == {
        "error": {
            "message": "Too many failed attempts. Wait 15 minutes, then try again.",
            "field": None,
        }
    }
    assert 880 <= int(refused.headers["Retry-After"]) <= 900  # the rest of the 15 minutes

    # A colleague behind the same address (a carrier's shared address) can still sign in.
    assert (await _sign_in(phone_of_the_village, colleague.phone)).status_code == 200
    assert len(slept) == 5  # refusals answer at once


async def test_sixty_parallel_wrong_guesses_check_at_most_the_limit(connect, user, slept, checked):
    member = await user(roles.MEMBER)
    guesser = await connect()

    answers = await asyncio.gather(
        *(_sign_in(guesser, member.phone, f"doan-{n}") for n in range(60))
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert len(checked) <= accounts.REFUSE_AFTER
    assert statuses == [401] * len(checked) + [429] * (60 - len(checked))
    assert (await _sign_in(guesser, member.phone)).status_code == 429  # this pair is locked
    assert PASSWORD not in checked


async def test_a_strangers_failures_only_delay_the_right_password(
    connect, user, slept, clock, checked
):
    member = await user(roles.MEMBER)
    strangers = [await connect() for _ in range(throttle.PHONE_FREE)]
    for stranger in strangers:  # one wrong guess from each of many addresses
        assert (await _sign_in(stranger, member.phone, "doan-mo")).status_code == 401
    owner = await connect()

    delayed = await _sign_in(owner, member.phone)
    assert delayed.status_code == 429
    wait = int(delayed.headers["Retry-After"])
    assert 1 <= wait <= throttle.PACE
    message = f"Nhập sai quá nhiều lần với số điện thoại này. Hãy đợi {wait} giây rồi thử lại."
    assert delayed.json() == {"error": {"message": message, "field": None}}
    assert (await _sign_in(strangers[0], member.phone, "doan-nua")).status_code == 429
    assert len(checked) == throttle.PHONE_FREE  # refusals check nothing

    clock[0] += throttle.PACE
    assert (await _sign_in(owner, member.phone)).status_code == 200
    assert (await _sign_in(strangers[1], member.phone, "lai-doan")).status_code == 401  # forgiven


async def test_one_address_guessing_many_numbers_is_slowed(connect, user, slept, clock):
    member = await user(roles.MEMBER)
    guesser = await connect()
    for n in range(throttle.ADDRESS_FREE):
        await _sign_in(guesser, f"09{n:08d}", "doan-mo")
    assert (await _sign_in(guesser, member.phone)).status_code == 429
    assert (await _sign_in(await connect(), member.phone)).status_code == 200
    clock[0] += throttle.PACE
    assert (await _sign_in(guesser, member.phone)).status_code == 200


async def test_a_successful_sign_in_forgives_earlier_mistakes_of_that_phone(connect, user, slept):
    member = await user(roles.MEMBER)
    for _round in range(2):
        for _ in range(accounts.SLOW_AFTER - 1):
            assert (await _sign_in(await connect(), member.phone, "sai")).status_code == 401
        assert (await _sign_in(await connect(), member.phone)).status_code == 200

    assert slept == []  # four mistakes in all, but never three in a row


async def test_a_coordinators_reset_unlocks_the_member_at_once(
    connect, village, user, login, slept
):
    place = await village()
    member = await user(roles.MEMBER, place.code)
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))
    phone_of_the_member = await connect()
    for _ in range(accounts.REFUSE_AFTER):
        await _sign_in(phone_of_the_member, member.phone, "quen-mat-khau")
    assert (await _sign_in(phone_of_the_member, member.phone)).status_code == 429

    reset = await (await connect()).post(
        f"/api/v1/members/{member.id}/password", headers=coordinator
    )
    assert reset.status_code == 200, reset.text

    new_password = reset.json()["temporary_password"]
    assert (await _sign_in(phone_of_the_member, member.phone, new_password)).status_code == 200


async def test_changing_the_password_is_throttled_too(connect, user, login, slept, checked):
    member = await user(roles.MEMBER)
    headers = await login(member)
    checked.clear()
    stolen_phone = await connect()

    answers = await asyncio.gather(
        *(_change(stolen_phone, headers, f"doan-{n}", NEW_PASSWORD) for n in range(60))
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert len(checked) <= accounts.REFUSE_AFTER
    assert statuses == [422] * len(checked) + [429] * (60 - len(checked))
    right = await _change(stolen_phone, headers, PASSWORD, NEW_PASSWORD)
    assert right.status_code == 429
    assert right.json() == {
        "error": {"message": "Nhập sai quá nhiều lần. Hãy đợi 15 phút rồi thử lại.", "field": None}
    }


async def test_passwords_are_hashed_and_checked_off_the_event_loop(
    client, user, login, monkeypatch
):
    threads: list[str] = []

    def recorded(work: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            threads.append(threading.current_thread().name)
            return work(*args)

        return run

    monkeypatch.setattr(accounts, "hash_password", recorded(accounts.hash_password))
    monkeypatch.setattr(accounts, "verify_password", recorded(accounts.verify_password))
    monkeypatch.setattr(teams, "hash_password", recorded(teams.hash_password))
    member = await user(roles.MEMBER)  # hashes
    headers = await login(member)  # checks
    assert (await _change(client, headers, PASSWORD, NEW_PASSWORD)).status_code == 200  # both

    assert len(threads) == 4
    assert threading.main_thread().name not in threads


async def test_a_flood_of_guesses_checks_one_password_at_a_time(client, monkeypatch):
    """Guesses for ever other phones from ever other addresses: nothing for the throttle to pace,
    and each argon2 check takes a core. They queue for one check at a time per worker, so the
    flood leaves the other cores to everyone else (bench/hostile.py, issue 11)."""
    running, most = 0, 0
    lock = threading.Lock()

    def slow_verify(stored: str, password: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)  # as long as a real check, so that parallel ones would overlap
        with lock:
            running -= 1
        return False

    monkeypatch.setattr(accounts, "verify_password", slow_verify)

    async def guess(index: int) -> int:
        body = {"phone": f"09120000{index:02d}", "password": "wrong-guess"}
        response = await client.post("/api/v1/session", json=body)
        return response.status_code

    statuses = await asyncio.gather(*(guess(index) for index in range(6)))

    assert statuses == [401] * 6
    assert most == accounts.HASHING_AT_ONCE == 1


# Who am I, signing out


async def test_me_describes_a_coordinator_and_the_villages_of_their_commune(
    client, village, user, login
):
    mine, other = await village(COMMUNE_A), await village(COMMUNE_B)
    coordinator = await user(roles.COORDINATOR, COMMUNE_A, language="en")

    response = await client.get("/api/v1/me", headers=await login(coordinator))

    assert response.status_code == 200
    body = response.json()
    assert (body["role"], body["language"], body["areas"]) == ("coordinator", "en", [COMMUNE_A])
    codes = {v["code"] for v in body["villages"]}
    assert mine.code in codes
    assert other.code not in codes
    assert {v["commune_code"] for v in body["villages"]} == {COMMUNE_A}


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer ", "Bearer not-a-token", "Basic bWU6cGFzcw==", "Token abc"],
    ids=["none", "empty", "unknown", "basic", "other scheme"],
)
async def test_me_without_a_valid_token_asks_to_sign_in_again(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = await client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"error": {"message": SIGN_IN_AGAIN_VI, "field": None}}


async def test_signing_out_revokes_only_that_token(client, user, login):
    member = await user(roles.MEMBER)
    phone_a, phone_b = await login(member), await login(member)

    response = await client.delete("/api/v1/session", headers=phone_a)

    assert response.status_code == 204
    again = await client.get("/api/v1/me", headers=phone_a)
    assert again.status_code == 401
    assert again.json() == {"error": {"message": SIGN_IN_AGAIN_VI, "field": None}}
    assert (await client.delete("/api/v1/session", headers=phone_a)).status_code == 401
    assert (await client.get("/api/v1/me", headers=phone_b)).status_code == 200


async def test_sign_out_api_with_only_a_page_session_does_not_crash(connect, user):
    member = await user(roles.MEMBER)
    browser = await connect()
    form = await browser.get("/sign-in")
    csrf = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    signed_in = await browser.post(
        "/sign-in", data={"csrf_token": csrf, "phone": member.phone, "password": PASSWORD}
    )
    assert signed_in.status_code == 303

    forged = await browser.delete("/api/v1/session")  # a cookie alone: any site could send it
    page = (await browser.get("/account/password")).text  # signing in made a new token
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = await browser.delete("/api/v1/session", headers={"X-CSRF-Token": token})

    assert forged.status_code == 403
    assert response.status_code in (204, 401)


# Changing the password


async def _change(
    c: httpx.AsyncClient, headers: dict[str, str], current: str, new: str
) -> httpx.Response:
    return await c.post(
        "/api/v1/me/password",
        json={"current_password": current, "new_password": new},
        headers=headers,
    )


async def test_wrong_current_password_is_refused(client, user, login):
    member = await user(roles.MEMBER)
    headers = await login(member)

    response = await _change(client, headers, "khong-phai", NEW_PASSWORD)

    assert response.status_code == 422
    assert response.json() == {
        "error": {"message": "Mật khẩu hiện tại chưa đúng. Hãy nhập lại.", "field": "current"}
    }
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "Hãy dùng mật khẩu có ít nhất 8 ký tự."),
        ("en", "Use a password of at least 8 characters."),
    ],
    ids=["vi", "en"],
)
async def test_too_short_new_password_is_refused(client, user, login, language, message):
    member = await user(roles.MEMBER, language=language)
    headers = await login(member)

    response = await _change(client, headers, PASSWORD, "ngan")

    assert response.status_code == 422
    assert response.json() == {"error": {"message": message, "field": "password"}}
    assert (await _sign_in(client, member.phone)).status_code == 200  # nothing changed


@pytest.mark.parametrize(
    "body",
    [{}, {"current_password": PASSWORD}, {"current_password": PASSWORD, "new_password": 12345678}],
    ids=["empty", "no new password", "new password is a number"],
)
async def test_change_password_with_missing_fields_is_a_422(client, user, login, body):
    headers = await login(await user(roles.MEMBER))

    response = await client.post("/api/v1/me/password", json=body, headers=headers)

    assert response.status_code == 422
    assert response.json() == {"error": {"message": UNREADABLE_VI, "field": None}}


async def test_changing_the_password_gives_a_new_token_and_ends_the_old_ones(
    connect, client, user, login
):
    member = await user(roles.MEMBER)
    this_phone, other_phone = await login(member), await login(member)

    response = await _change(client, this_phone, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 200
    new_headers = _bearer(response.json()["token"])
    assert (await client.get("/api/v1/me", headers=new_headers)).status_code == 200
    for old in (this_phone, other_phone):
        assert (await client.get("/api/v1/me", headers=old)).status_code == 401
    elsewhere = await connect()
    assert (await _sign_in(elsewhere, member.phone, PASSWORD)).status_code == 401
    assert (await _sign_in(elsewhere, member.phone, NEW_PASSWORD)).status_code == 200
    assert (await User.get(id=member.id)).session_epoch == member.session_epoch + 1


async def test_change_password_needs_a_token(client):
    response = await _change(client, {}, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 401
    assert response.json() == {"error": {"message": SIGN_IN_AGAIN_VI, "field": None}}
