"""No log line holds a name, phone number, address, password or token (docs/operations.md, Logs).

A realistic day runs with every log record captured: the demo data, sign-in through the form and
the API (one wrong password too), a sync push of households (one applied, one rejected, one in
conflict), a pull, the coordinator's dashboard, member search and an export. Then every captured
line, in both log formats, is searched for the personal values the database now holds. (The
test's own HTTP client logs through `httpx` too, like the server's push sender: the server holds
that logger at WARNING, else the URL of the unknown page below would leak a phone number.)
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.accounts.models import User
from server.areas.models import Area
from server.cli.demo import DEMO_USERS, PASSWORD, create_demo
from server.households.models import Household
from server.web.requestlog import JsonLines, RequestLogMiddleware
from tests.api.html import csrf
from tests.data import household_data, mutation

pytestmark = pytest.mark.asyncio(loop_scope="session")

NEW_NAME, NEW_PHONE, NEW_ADDRESS = "Vi Thị Riêng Tư", "0987 654 321", "Xóm Khe Lim, nhà số 17"


def _from(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _a_day(app: Starlette) -> list[str]:
    """Run the day; return the secrets it used (tokens, passwords)."""
    await create_demo()
    coordinator_phone, member_phone = DEMO_USERS[1][0], DEMO_USERS[3][0]
    member = await User.get(phone=member_phone)
    village = await Area.get(code=(await member.areas.all().values_list("area_id", flat=True))[0])
    async with _from(app, "10.9.0.1") as browser, _from(app, "10.9.0.2") as phone:
        form = await browser.get("/sign-in")
        wrong = {"csrf_token": csrf(form), "phone": coordinator_phone, "password": "sai-mat-khau"}
        assert (await browser.post("/sign-in", data=wrong)).status_code in (400, 401, 422)
        form = await browser.get("/sign-in")
        right = {"csrf_token": csrf(form), "phone": coordinator_phone, "password": PASSWORD}
        assert (await browser.post("/sign-in", data=right)).status_code == 303
        signed = await phone.post(
            "/api/v1/session", json={"phone": member_phone, "password": PASSWORD}
        )
        assert signed.status_code == 200, signed.text
        token = signed.json()["token"]
        headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "day-1"}
        record = uuid.uuid4()
        data = household_data(
            village.code, head_name=NEW_NAME, phone=NEW_PHONE, address=NEW_ADDRESS
        )
        bad = household_data(village.code, head_name=NEW_NAME, phone="12345", address=NEW_ADDRESS)
        pushed = await phone.post(
            "/api/v1/sync/push",
            json={
                "device_id": "privacy-phone",
                "mutations": [mutation(record, data), mutation(uuid.uuid4(), bad)],
            },
            headers=headers,
        )
        assert [r["status"] for r in pushed.json()["results"]] == ["applied", "rejected"]
        version = pushed.json()["results"][0]["version"]
        for device, name in (("privacy-a", NEW_NAME + " A"), ("privacy-b", NEW_NAME + " B")):
            change = mutation(record, {"head_name": name}, "update", version)
            await phone.post(
                "/api/v1/sync/push",
                json={"device_id": device, "mutations": [change]},
                headers=headers,
            )
        pulled = await phone.get(
            "/api/v1/sync/pull",
            params={"cursor": "", "device_id": "privacy-phone"},
            headers=headers,
        )
        assert pulled.status_code == 200
        for path in (
            f"/coverage/{village.parent_code}",
            f"/coverage/{village.code}/activity",
            f"/manage/members?q={DEMO_USERS[3][1].split(' (')[0]}",
            f"/manage/members?q={member_phone}",
            "/review/conflicts",
            f"/review/households/{record}",
        ):
            assert (await browser.get(path)).status_code == 200, path
        await browser.get(f"/coverage/{village.code}/export/households.csv")
        await phone.get(f"/no-such-page/{member_phone}?phone={member_phone}")
    return [token, PASSWORD, "sai-mat-khau"]


def _variants(phone: str) -> set[str]:
    digits = "".join(c for c in phone if c.isdigit())
    return {phone, digits, "84" + digits[1:], f"{digits[:4]} {digits[4:7]} {digits[7:]}"}


async def _personal_values() -> set[str]:
    values: set[str] = {NEW_NAME, NEW_ADDRESS, *_variants(NEW_PHONE)}
    for phone, name, _, _ in DEMO_USERS:
        values |= {name, name.split(" (")[0], *_variants(phone)}
    demo_villages = Area.filter(name__in=["Thôn Các Sơn 1", "Thôn Trường Lâm", "Bản Hón"])
    codes = await demo_villages.values_list("code", flat=True)
    rows = await Household.filter(village_code__in=codes).values_list(
        "head_name", "phone", "address"
    )
    for head_name, phone, address in rows:
        values.add(head_name)
        if phone:
            values |= _variants(phone)
        if address and len(address) > 6:  # "Xóm 3" alone names nobody
            values.add(address)
    return {value for value in values if value}


async def test_no_log_line_holds_personal_values(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # what a server writes (DEBUG is never on in production)
    secrets = await _a_day(app)
    records = list(caplog.records)
    assert any(getattr(r, "request_id", None) == "day-1" for r in records)  # the day was logged
    text, jsonl = logging.Formatter("%(asctime)s %(name)s %(message)s"), JsonLines()
    lines = [line for r in records for line in (text.format(r), jsonl.format(r))]
    personal = await _personal_values()
    assert len(personal) > 100
    leaks = {value: line for line in lines for value in [*personal, *secrets] if value in line}
    assert leaks == {}


async def test_json_lines_carry_the_request_fields(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="langso.request")
    await client.get("/healthz", headers={"X-Request-ID": "json-1"})
    [record] = [r for r in caplog.records if getattr(r, "request_id", None) == "json-1"]
    entry: dict[str, Any] = json.loads(JsonLines().format(record))
    assert entry["request_id"] == "json-1"
    assert (entry["method"], entry["route"], entry["status"]) == ("GET", "/healthz", 200)
    assert entry["logger"] == "langso.request"
    assert isinstance(entry["ms"], float)


async def test_a_crash_answers_500_with_its_request_id_and_logs_no_message(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected error: the person gets an id to quote; the log gets where, not what."""

    async def crash(_request: Request) -> Response:
        raise ValueError(f"duplicate key (phone)=({NEW_PHONE}) for {NEW_NAME}")

    crashing = Starlette(routes=[Route("/crash/{who}", crash)])
    crashing.state.settings = app.state.settings
    logged = RequestLogMiddleware(crashing)
    transport = httpx.ASGITransport(app=logged, raise_app_exceptions=False)
    caplog.set_level(logging.INFO)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        response = await browser.get("/crash/0901000004", headers={"X-Request-ID": "crash-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "crash-1"
    [line] = [r for r in caplog.records if getattr(r, "request_id", None) == "crash-1"]
    assert (line.route, line.status) == ("/crash/{who}", 500)  # type: ignore[attr-defined]

    # uvicorn logs the exception it re-raises through `uvicorn.error`: frames and type only.
    try:
        await crash(None)  # type: ignore[arg-type]
    except ValueError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    [record] = [r for r in caplog.records if r.getMessage() == "Exception in ASGI application"]
    for formatter in (logging.Formatter(), JsonLines()):
        text = formatter.format(record)
        assert "ValueError: (message withheld" in text.replace("builtins.", "")
        assert "in crash" in text
        assert NEW_PHONE not in text and NEW_NAME not in text
