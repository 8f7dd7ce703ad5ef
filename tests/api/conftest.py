"""Fixtures of the API and page tests: browsers signed in through the form, pushing, pulling."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from typing import Any

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette

from server.accounts.models import User
from server.lessons import services
from tests.api.html import csrf
from tests.data import PASSWORD, household_data, mutation

_addresses = itertools.count(1)
_fuzz_addresses = itertools.count(1)

NewBrowser = Callable[..., Awaitable[httpx.AsyncClient]]
SignedIn = Callable[[User], Awaitable[httpx.AsyncClient]]
Push = Callable[..., Awaitable[list[dict[str, Any]]]]
PullChanges = Callable[..., Awaitable[tuple[list[dict[str, Any]], str]]]
PullAll = Callable[..., Awaitable[tuple[list[dict[str, Any]], str, int]]]
MakeConflict = Callable[..., Awaitable[uuid.UUID]]
LessonChanges = Callable[[dict[str, str]], Awaitable[dict[str, dict[str, Any]]]]
PulledLesson = Callable[[dict[str, str], str], Awaitable[dict[str, Any]]]


@pytest_asyncio.fixture(loop_scope="session")
async def new_browser(app: Starlette) -> AsyncIterator[NewBrowser]:
    """Browsers (clients that keep cookies), each from an address of its own.

    Failed sign-ins are counted per address: a test that fails on purpose must not slow down or
    lock out the shared `client` used by every other test.
    """
    opened: list[httpx.AsyncClient] = []

    async def make(accept_language: str | None = None) -> httpx.AsyncClient:
        n = next(_addresses)
        transport = httpx.ASGITransport(
            app=app, client=(f"10.2.{n // 250}.{n % 250 + 1}", 5000), raise_app_exceptions=False
        )
        headers = {"Accept-Language": accept_language} if accept_language else {}
        opened.append(
            httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)
        )
        return opened[-1]

    yield make
    for browser in opened:
        await browser.aclose()


@pytest.fixture
def signed_in(new_browser: NewBrowser) -> SignedIn:
    """A browser (cookies kept) signed in as `who` through the sign-in form."""

    async def make(who: User) -> httpx.AsyncClient:
        browser = await new_browser()
        form = await browser.get("/sign-in")
        response = await browser.post(
            "/sign-in", data={"csrf_token": csrf(form), "phone": who.phone, "password": PASSWORD}
        )
        assert response.status_code == 303, response.text
        return browser

    return make


@pytest.fixture
def push(client: httpx.AsyncClient) -> Push:
    """Push mutations as a device through the API; every receipt, in order.

    With `expect`, each receipt's status must be one of those (a push that only sets up a test).
    """

    async def send(
        headers: dict[str, str],
        device: str,
        mutations: list[dict[str, Any]],
        expect: Collection[str] | None = None,
    ) -> list[dict[str, Any]]:
        response = await client.post(
            "/api/v1/sync/push", json={"device_id": device, "mutations": mutations}, headers=headers
        )
        assert response.status_code == 200, response.text
        receipts: list[dict[str, Any]] = response.json()["results"]
        if expect is not None:
            assert {receipt["status"] for receipt in receipts} <= set(expect), receipts
        return receipts

    return send


@pytest.fixture
def pull_changes(client: httpx.AsyncClient) -> PullChanges:
    """Pull after `cursor` until a change `wanted` is there (or 20 s pass).

    On PostgreSQL a pull only returns rows below the cluster's oldest running transaction; a
    long transaction elsewhere on a shared server (another database's benchmark) delays them.
    """

    async def pull(
        headers: dict[str, str], cursor: str, wanted: Callable[[Any], bool]
    ) -> tuple[list[dict[str, Any]], str]:
        changes: list[dict[str, Any]] = []
        for _ in range(100):
            response = await client.get(
                "/api/v1/sync/pull", params={"cursor": cursor}, headers=headers
            )
            assert response.status_code == 200, response.text
            body = response.json()
            changes += body["changes"]
            cursor = body["cursor"]
            if any(wanted(change) for change in changes) and not body["more"]:
                break
            await asyncio.sleep(0.2)
        return changes, cursor

    return pull


@pytest.fixture
def pull_all(client: httpx.AsyncClient) -> PullAll:
    """Pull page after page of `limit` changes until there are no more: changes, cursor, pages."""

    async def pull(
        headers: dict[str, str], limit: int, cursor: str = ""
    ) -> tuple[list[dict[str, Any]], str, int]:
        seen: list[dict[str, Any]] = []
        pages = 0
        while True:
            response = await client.get(
                "/api/v1/sync/pull", params={"cursor": cursor, "limit": limit}, headers=headers
            )
            assert response.status_code == 200, response.text
            body = response.json()
            seen += body["changes"]
            cursor = body["cursor"]
            pages += 1
            if not body["more"]:
                return seen, cursor, pages
            assert pages < 1000

    return pull


@pytest.fixture
def make_conflict(push: Push) -> MakeConflict:
    """A household edited on two phones from the same version: `lost` loses to `kept`."""

    async def make(
        first: dict[str, str],
        second: dict[str, str],
        village_code: str,
        kept: dict[str, Any],
        lost: dict[str, Any],
    ) -> uuid.UUID:
        record = uuid.uuid4()
        [created] = await push(first, "dev-a", [mutation(record, household_data(village_code))])
        base = created["version"]
        [a] = await push(first, "dev-a", [mutation(record, kept, "update", base)])
        [b] = await push(second, "dev-b", [mutation(record, lost, "update", base)])
        assert (a["status"], b["status"]) == ("applied", "conflict"), (a, b)
        return record

    return make


@pytest.fixture
def lesson_changes(pull_all: PullAll) -> LessonChanges:
    """The latest change to each lesson a device pulls from the start, by record id."""

    async def pull(headers: dict[str, str]) -> dict[str, dict[str, Any]]:
        changes, _, _ = await pull_all(headers, limit=1000)
        return {c["record_id"]: c for c in changes if c["type"] == "lesson"}

    return pull


@pytest.fixture
def pulled_lesson(lesson_changes: LessonChanges) -> PulledLesson:
    """The latest change to the lesson `slug` a device pulls.

    Another open transaction in the same database (a push still running) can hold the txid
    horizon back for a moment (the change is delayed, never skipped): wait a little for it.
    """

    async def pull(headers: dict[str, str], slug: str) -> dict[str, Any]:
        record = str(services.published_id(slug))
        for _ in range(50):
            changes = await lesson_changes(headers)
            if record in changes:
                return changes[record]
            await asyncio.sleep(0.2)
        raise AssertionError(f"lesson {slug} never reached the device")

    return pull


@pytest_asyncio.fixture(loop_scope="session")
async def fuzz_client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client with its own address (sign-in failures are counted per address), that sees 500s."""
    n = next(_fuzz_addresses)
    transport = httpx.ASGITransport(
        app=app, client=(f"10.3.{n // 250}.{n % 250 + 1}", 5000), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
