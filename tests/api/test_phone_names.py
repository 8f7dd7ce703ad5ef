"""Issue 12, item 6: sync health names each phone and lists it once."""

from __future__ import annotations

import uuid

from server.accounts import roles
from server.syncable.models import Device
from tests.data import COMMUNE_A, household_data, mutation

SAMSUNG = (
    "Mozilla/5.0 (Linux; Android 13; SM-A155F Build/TP1A.220624.014) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.6099.230 Mobile Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)


async def test_push_and_pull_name_the_phone_and_sync_health_lists_it_once(
    client, village, user, login
):
    area = await village(COMMUNE_A, 10)
    member = await user(roles.MEMBER, area.code)
    member.name = "Chị Hoa Tên Máy"
    await member.save()
    headers = await login(member)
    for device, agent in (("old-id", SAMSUNG), ("new-id", SAMSUNG), ("ipad-id", IPHONE)):
        response = await client.post(
            "/api/v1/sync/push",
            json={
                "device_id": device,
                "mutations": [mutation(uuid.uuid4(), household_data(area.code))],
            },
            headers={**headers, "User-Agent": agent},
        )
        assert response.status_code == 200, response.text
    pulled = await client.get(
        "/api/v1/sync/pull",
        params={"device_id": "pull-only"},
        headers={**headers, "User-Agent": IPHONE.replace("iPhone;", "iPad;")},
    )
    assert pulled.status_code == 200
    stored = {d.id: d for d in await Device.filter(user_id=member.id)}
    assert (stored["new-id"].model, stored["new-id"].browser) == ("SM-A155F", "Chrome 120")
    assert stored["old-id"].first_seen_at is not None
    assert (stored["pull-only"].model, stored["pull-only"].browser) == ("iPad", "Safari 17")
    # A later push without a User-Agent keeps what is known.
    await client.post(
        "/api/v1/sync/push",
        json={"device_id": "new-id", "mutations": []},
        headers={**headers, "User-Agent": ""},
    )
    assert (await Device.get(id="new-id")).model == "SM-A155F"

    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))
    page = await client.get(f"/coverage/{area.code}/activity", headers=coordinator)

    assert page.status_code == 200
    phones = page.text.split('id="devices"')[1]
    rows = [row for row in phones.split("<tr") if "Chị Hoa Tên Máy" in row]
    assert len(rows) == 3  # the Samsung once, the iPhone, the iPad
    assert sum("SM-A155F · Chrome 120" in row for row in rows) == 1
    assert any("iPhone · Safari 17" in row for row in rows)
    assert all("Dùng từ" in row for row in rows)
    assert 'data-device="new-id"' in page.text and 'data-device="old-id"' not in page.text
