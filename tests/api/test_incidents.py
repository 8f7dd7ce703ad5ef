"""The incidents register: what happened, which households, the deadline to tell the authority."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.accounts import roles
from tests.api.html import alert, csrf
from tests.data import COMMUNE_A, COMMUNE_B, household_data, mutation


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "what": "Mất một điện thoại của tổ có danh sách hộ",
        "discovered_at": "2026-11-30T09:00:00+07:00",
        "severity": "high",
        "area_code": COMMUNE_A,
        "household_count": 40,
    }
    body.update(overrides)
    return body


@pytest.fixture
async def coordinator(user, login) -> dict[str, str]:
    return await login(await user(roles.COORDINATOR, COMMUNE_A))


async def test_an_incident_shows_its_deadline_and_who_was_told(
    client, coordinator, village, user, login, push
):
    area = await village(COMMUNE_A)
    member = await login(await user(roles.MEMBER, area.code))
    household = str(uuid.uuid4())
    await push(member, "dev-i", [mutation(household, household_data(area.code))], {"applied"})

    created = await client.post(
        "/api/v1/incidents", json=_body(household_ids=[household]), headers=coordinator
    )

    assert created.status_code == 201, created.text
    incident = created.json()
    discovered = datetime.fromisoformat(incident["discovered_at"])
    assert datetime.fromisoformat(incident["notify_by"]) == discovered + timedelta(hours=72)
    assert incident["household_ids"] == [household] and incident["household_count"] == 40
    told = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"authority_notified_at": "2026-12-01T08:00:00+07:00"},
        headers=coordinator,
    )
    assert told.status_code == 200, told.text
    assert told.json()["late"] is False and told.json()["authority_notified_at"]
    listed = await client.get("/api/v1/incidents", headers=coordinator)
    assert incident["id"] in {i["id"] for i in listed.json()["incidents"]}


async def test_an_incident_not_reported_in_time_is_late(client, coordinator):
    old = (datetime.now(UTC) - timedelta(days=4)).isoformat()
    created = await client.post(
        "/api/v1/incidents", json=_body(discovered_at=old), headers=coordinator
    )
    assert created.json()["late"] is True


async def test_another_communes_coordinator_cannot_see_or_change_an_incident(
    client, coordinator, user, login, village
):
    created = (await client.post("/api/v1/incidents", json=_body(), headers=coordinator)).json()
    other = await login(await user(roles.COORDINATOR, COMMUNE_B))

    patched = await client.patch(
        f"/api/v1/incidents/{created['id']}",
        json={"households_notified_at": "2026-12-01T08:00:00"},
        headers=other,
    )
    assert patched.status_code == 404
    listed = await client.get("/api/v1/incidents", headers=other)
    assert created["id"] not in {i["id"] for i in listed.json()["incidents"]}
    member_headers = await login(await user(roles.MEMBER, (await village(COMMUNE_A)).code))
    assert (await client.get("/api/v1/incidents", headers=member_headers)).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"what": ""}, "what"),
        ({"what": "x" * 1001}, "what"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"discovered_at": "yesterday"}, "discovered_at"),
        ({"discovered_at": "2999-01-01T00:00:00"}, "discovered_at"),
        ({"area_code": COMMUNE_B}, "area_code"),
        ({"household_count": -1}, "household_count"),
        ({"household_count": "many"}, "household_count"),
        ({"household_ids": ["not-a-uuid"]}, "household_ids"),
        ({"household_ids": [str(uuid.uuid4())]}, "household_ids"),
        ({"household_ids": {"a": 1}}, "household_ids"),
    ],
)
async def test_bad_input_is_refused_in_the_users_language(client, coordinator, overrides, field):
    response = await client.post("/api/v1/incidents", json=_body(**overrides), headers=coordinator)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field and not error["message"].isascii()


async def test_the_page_records_an_incident(user, signed_in):
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await browser.get("/manage/incidents")
    assert page.status_code == 200 and "72" in page.text

    bad = await browser.post(
        "/manage/incidents",
        data={
            "csrf_token": csrf(page),
            "what": "",
            "discovered_at": "2026-11-30T09:00",
            "severity": "low",
            "area_code": COMMUNE_A,
            "household_count": "1",
        },
    )
    assert bad.status_code == 422 and alert(bad)
    created = await browser.post(
        "/manage/incidents",
        data={
            "csrf_token": csrf(page),
            "what": "Gửi nhầm danh sách vào nhóm Zalo",
            "discovered_at": "2026-11-30T09:00",
            "severity": "medium",
            "area_code": COMMUNE_A,
            "household_count": "12",
        },
    )
    assert created.status_code == 303
    listed = await browser.get("/manage/incidents")
    assert "Gửi nhầm danh sách vào nhóm Zalo" in listed.text
