"""/healthz, /readyz and /metrics answer as docs/operations.md says; requests carry an id."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from server.accounts.models import User
from server.areas.models import Area
from server.settings import Settings
from tests.data import household_data, mutation

pytestmark = pytest.mark.asyncio(loop_scope="session")
Push = Callable[..., Awaitable[list[dict[str, Any]]]]


def _from(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@contextmanager
def _changed(app: Starlette, **changes: Any) -> Iterator[None]:
    """The app's settings with `changes`, for the time of a block."""
    kept: Settings = app.state.settings
    app.state.settings = dataclasses.replace(kept, **changes)
    try:
        yield
    finally:
        app.state.settings = kept


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus text `text` (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        sample, _, value = line.rpartition(" ")
        if sample == (f"{name}{{{wanted}}}" if labels else name):
            return float(value)
    return 0.0


async def test_healthz_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok\n"


async def test_readyz_checks_database_migrations_and_disk(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "ready": True,
        "checks": {"database": "ok", "migrations": "ok", "disk": "ok"},
    }
    with _changed(app, min_free_disk_mb=10**9):
        low = await client.get("/readyz")
    assert low.status_code == 503
    assert low.json()["checks"]["disk"] == "low"


async def test_metrics_are_refused_to_other_addresses(app: Starlette) -> None:
    async with _from(app, "198.51.100.7") as outsider:
        response = await outsider.get("/metrics")
    assert response.status_code == 403
    assert "langso_" not in response.text


async def test_metrics_open_to_an_allowed_address_or_the_token(app: Starlette) -> None:
    token = "t" * 40
    with _changed(app, metrics_token=token):
        async with _from(app, "127.0.0.1") as local, _from(app, "198.51.100.7") as outsider:
            assert (await local.get("/metrics")).status_code == 200
            wrong = await outsider.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
            assert wrong.status_code == 403
            right = await outsider.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert right.status_code == 200
    assert right.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "langso_http_requests_total" in right.text


async def test_metrics_move_after_a_sync(
    app: Starlette,
    client: httpx.AsyncClient,
    village: Callable[..., Awaitable[Area]],
    user: Callable[..., Awaitable[User]],
    login: Callable[[User], Awaitable[dict[str, str]]],
    push: Push,
) -> None:
    area = await village()
    member = await user("member", area.code)
    headers = await login(member)
    async with _from(app, "127.0.0.1") as local:
        before = (await local.get("/metrics")).text
        household = household_data(area.code)
        await push(headers, "dev-metrics", [mutation(uuid.uuid4(), household)])
        await push(headers, "dev-metrics", [mutation(uuid.uuid4(), {"bad": 1})])
        pulled = await client.get("/api/v1/sync/pull", params={"cursor": ""}, headers=headers)
        assert pulled.status_code == 200
        changes = len(pulled.json()["changes"])
        after = (await local.get("/metrics")).text

    def moved(name: str, **labels: str) -> float:
        return _sample(after, name, **labels) - _sample(before, name, **labels)

    assert moved("langso_sync_mutations_total", status="applied") == 1
    assert moved("langso_sync_mutations_total", status="rejected") == 1
    assert moved("langso_sync_pulls_total") == 1
    assert moved("langso_sync_pull_records_total") == changes >= 1
    route = "/api/v1/sync/push"
    assert moved("langso_http_requests_total", method="POST", route=route, status="200") == 2
    assert moved("langso_http_request_duration_seconds_count", method="POST", route=route) == 2
    settings: Settings = app.state.settings
    if settings.is_postgres:  # the pool as of the scrape; SQLite has none
        assert _sample(after, "langso_db_pool_connections") >= 1
    else:
        assert _sample(after, "langso_db_pool_connections") == 0
    # Route templates, never raw paths: no label holds a query string or a record id.
    assert not re.search(r'route="[^"]*(\?|[0-9a-f]{8}-[0-9a-f]{4})', after)


async def test_every_answer_carries_a_request_id(client: httpx.AsyncClient) -> None:
    mine = await client.get("/healthz", headers={"X-Request-ID": "abc-123.retry:2"})
    assert mine.headers["x-request-id"] == "abc-123.retry:2"
    made = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces" * 10})
    assert re.fullmatch(r"[0-9a-f]{16}", made.headers["x-request-id"])
    missing = await client.get("/no-such-page")
    assert re.fullmatch(r"[0-9a-f]{16}", missing.headers["x-request-id"])
