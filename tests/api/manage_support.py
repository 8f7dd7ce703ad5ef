"""Helpers for the coordinator screens' tests: signed-in browsers, CSRF, pushing conflicts."""

from __future__ import annotations

import asyncio
import itertools
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest_asyncio
from starlette.applications import Starlette

from server.accounts.models import User
from tests.conftest import PASSWORD, household_data, mutation

_addresses = itertools.count(1)
SignedIn = Callable[[User], Awaitable[httpx.AsyncClient]]


@pytest_asyncio.fixture(loop_scope="session")
async def signed_in(app: Starlette) -> AsyncIterator[SignedIn]:
    """A browser (cookies kept) signed in as `who` through the sign-in form."""
    opened: list[httpx.AsyncClient] = []

    async def make(who: User) -> httpx.AsyncClient:
        n = next(_addresses)
        transport = httpx.ASGITransport(
            app=app, client=(f"10.7.{n // 250}.{n % 250 + 1}", 5000), raise_app_exceptions=False
        )
        browser = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        opened.append(browser)
        form = await browser.get("/sign-in")
        response = await browser.post(
            "/sign-in", data={"csrf_token": csrf(form), "phone": who.phone, "password": PASSWORD}
        )
        assert response.status_code == 303, response.text
        return browser

    yield make
    for browser in opened:
        await browser.aclose()


def csrf(page: httpx.Response) -> str:
    """The hidden CSRF token of the page's forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def alert(page: httpx.Response) -> str:
    """The text of the page's error message."""
    match = re.search(r'role="alert"[^>]*>(.*?)</', page.text, re.S)
    assert match, page.text
    return match.group(1).strip()


async def push(
    client: httpx.AsyncClient, headers: dict[str, str], device: str, mutations: list[Any]
) -> list[dict[str, Any]]:
    """Push mutations as a device; every receipt is returned."""
    response = await client.post(
        "/api/v1/sync/push", json={"device_id": device, "mutations": mutations}, headers=headers
    )
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


async def make_conflict(
    client: httpx.AsyncClient,
    first: dict[str, str],
    second: dict[str, str],
    village_code: str,
    kept: dict[str, Any],
    lost: dict[str, Any],
) -> uuid.UUID:
    """A household edited on two phones from the same version: `lost` loses to `kept`."""
    record = uuid.uuid4()
    [created] = await push(client, first, "dev-a", [mutation(record, household_data(village_code))])
    base = created["version"]
    [a] = await push(client, first, "dev-a", [mutation(record, kept, "update", base)])
    [b] = await push(client, second, "dev-b", [mutation(record, lost, "update", base)])
    assert (a["status"], b["status"]) == ("applied", "conflict"), (a, b)
    return record


async def pull_changes(
    client: httpx.AsyncClient, headers: dict[str, str], cursor: str, wanted: Callable[[Any], bool]
) -> tuple[list[dict[str, Any]], str]:
    """Pull after `cursor` until a change `wanted` is there (or 20 s pass).

    On PostgreSQL a pull only returns rows below the cluster's oldest running transaction; a
    long transaction elsewhere on a shared server (another database's benchmark) delays them.
    """
    changes: list[dict[str, Any]] = []
    for _ in range(100):
        response = await client.get("/api/v1/sync/pull", params={"cursor": cursor}, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        changes += body["changes"]
        cursor = body["cursor"]
        if any(wanted(change) for change in changes) and not body["more"]:
            break
        await asyncio.sleep(0.2)
    return changes, cursor
