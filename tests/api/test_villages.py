"""Villages through the JSON API: users see their own, coordinators add them in their commune."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
import pytest

from server.accounts import roles
from server.areas.models import Area
from tests.data import COMMUNE_A, COMMUNE_B

PROVINCE = "38"  # Thanh Hóa, where both test communes are


def _unique(prefix: str = "Thôn Mới") -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


async def _create(
    client: httpx.AsyncClient, headers: dict[str, str], **body: object
) -> httpx.Response:
    return await client.post("/api/v1/villages", json=body, headers=headers)


# Listing


async def test_a_member_sees_only_their_village(client, village, user, login):
    mine, _neighbour = await village(), await village()
    headers = await login(await user(roles.MEMBER, mine.code))

    response = await client.get("/api/v1/villages", headers=headers)

    assert response.status_code == 200
    assert response.json() == {
        "villages": [
            {
                "code": mine.code,
                "name": mine.name,
                "commune_code": COMMUNE_A,
                "province_code": PROVINCE,
                "household_estimate": 100,
            }
        ],
        "total": 1,
        "offset": 0,
        "limit": None,
    }


async def test_a_coordinator_sees_the_villages_of_their_commune_only(client, village, user, login):
    in_a, also_in_a, in_b = (
        await village(COMMUNE_A),
        await village(COMMUNE_A),
        await village(COMMUNE_B),
    )
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))

    response = await client.get("/api/v1/villages", headers=headers)

    assert response.status_code == 200
    villages = response.json()["villages"]
    codes = [v["code"] for v in villages]
    assert {in_a.code, also_in_a.code} <= set(codes)
    assert in_b.code not in codes
    assert {v["commune_code"] for v in villages} == {COMMUNE_A}
    assert codes == sorted(codes)


async def test_a_province_coordinator_sees_every_commune_of_the_province(
    client, village, user, login
):
    in_a, in_b = await village(COMMUNE_A), await village(COMMUNE_B)
    headers = await login(await user(roles.COORDINATOR, PROVINCE))

    response = await client.get("/api/v1/villages", headers=headers)

    codes = {v["code"] for v in response.json()["villages"]}
    assert {in_a.code, in_b.code} <= codes


async def test_listing_villages_needs_a_token(client):
    response = await client.get("/api/v1/villages")

    assert response.status_code == 401
    assert response.json() == {"error": {"message": "Vui lòng đăng nhập lại.", "field": None}}


# Creating


async def test_a_coordinator_adds_a_village_in_their_commune(client, user, login):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))
    name = _unique()

    response = await _create(
        client, headers, commune_code=COMMUNE_A, name=f"  {name} ", household_estimate=250
    )

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(rf"{COMMUNE_A}-\d{{3}}", body["code"])
    assert body == {
        "code": body["code"],
        "name": name,
        "commune_code": COMMUNE_A,
        "province_code": PROVINCE,
        "household_estimate": 250,
    }
    listed = await client.get("/api/v1/villages", headers=headers)
    assert body in listed.json()["villages"]
    stored = await Area.get(code=body["code"])
    assert (stored.kind, stored.parent_code) == ("village", COMMUNE_A)


async def test_village_codes_count_up_within_the_commune(client, user, login):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_B))

    first = await _create(client, headers, commune_code=COMMUNE_B, name=_unique())
    second = await _create(client, headers, commune_code=COMMUNE_B, name=_unique())

    assert (first.status_code, second.status_code) == (201, 201)
    number = int(first.json()["code"].rsplit("-", 1)[1])
    assert second.json()["code"] == f"{COMMUNE_B}-{number + 1:03d}"
    assert first.json()["household_estimate"] is None


async def test_a_province_coordinator_and_an_admin_may_add_villages(client, user, login):
    for who in (await user(roles.COORDINATOR, PROVINCE), await user(roles.ADMIN)):
        response = await _create(client, await login(who), commune_code=COMMUNE_B, name=_unique())
        assert response.status_code == 201, response.text


async def test_a_coordinator_cannot_add_a_village_in_another_commune(client, user, login):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))
    name = _unique()

    response = await _create(client, headers, commune_code=COMMUNE_B, name=name)

    assert response.status_code == 403
    assert response.json() == {
        "error": {"message": "Việc này nằm ngoài địa bàn của bạn.", "field": None}
    }
    assert not await Area.filter(name=name).exists()


@pytest.mark.parametrize("role", [roles.MEMBER, roles.TRAINER])
async def test_members_and_trainers_cannot_add_villages(client, village, user, login, role):
    area = await village()
    who = await user(role, area.code if role == roles.MEMBER else COMMUNE_A)
    name = _unique()

    response = await _create(client, await login(who), commune_code=COMMUNE_A, name=name)

    assert response.status_code == 403
    assert response.json() == {
        "error": {"message": "Vai trò của bạn không được làm việc này.", "field": None}
    }
    assert not await Area.filter(name=name).exists()


async def test_adding_a_village_needs_a_token(client):
    response = await _create(client, {}, commune_code=COMMUNE_A, name=_unique())

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        ({"commune_code": "99999"}, "Xã này không có trong hệ thống.", "commune_code"),
        ({"commune_code": PROVINCE}, "Xã này không có trong hệ thống.", "commune_code"),
        ({"name": ""}, "Hãy ghi tên thôn.", None),
        ({"name": "   "}, "Hãy ghi tên thôn.", None),
        ({"name": None}, "Hãy chọn xã và ghi tên thôn.", None),
        ({"commune_code": 16591}, "Hãy chọn xã và ghi tên thôn.", None),
        ({"household_estimate": "100"}, "Hãy nhập số nguyên.", "household_estimate"),
        ({"household_estimate": 12.5}, "Hãy nhập số nguyên.", "household_estimate"),
        ({"household_estimate": True}, "Hãy nhập số nguyên.", "household_estimate"),
        ({"household_estimate": -1}, "Hãy nhập số hộ từ 0 đến 100000.", None),
        ({"household_estimate": 100_001}, "Hãy nhập số hộ từ 0 đến 100000.", None),
    ],
    ids=[
        "unknown commune",
        "a province is not a commune",
        "empty name",
        "blank name",
        "no name",
        "commune code is a number",
        "estimate is text",
        "estimate is a fraction",
        "estimate is a boolean",
        "estimate is negative",
        "estimate is too large",
    ],
)
async def test_invalid_villages_are_refused_with_a_message(client, user, login, body, error, field):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))
    request = {"commune_code": COMMUNE_A, "name": _unique(), **body}
    count = await Area.filter(kind="village").count()

    response = await _create(client, headers, **request)

    assert response.status_code == 422
    assert response.json() == {"error": {"message": error, "field": field}}
    assert await Area.filter(kind="village").count() == count


async def test_errors_follow_the_users_language(client, user, login):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A, language="en"))

    response = await _create(client, headers, commune_code=COMMUNE_A, name=" ")

    assert response.status_code == 422
    assert response.json() == {"error": {"message": "Write the village's name.", "field": None}}


async def test_a_duplicate_name_in_the_same_commune_is_refused(client, user, login):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A, COMMUNE_B))
    name = _unique("Thôn Đông")
    assert (await _create(client, headers, commune_code=COMMUNE_A, name=name)).status_code == 201

    again = await _create(client, headers, commune_code=COMMUNE_A, name=f" {name}")

    assert again.status_code == 422
    assert again.json() == {"error": {"message": "Xã này đã có thôn mang tên đó.", "field": None}}
    assert await Area.filter(name=name).count() == 1
    other_commune = await _create(client, headers, commune_code=COMMUNE_B, name=name)
    assert other_commune.status_code == 201


@pytest.mark.parametrize("content", [b"{", b"[]", b"null"], ids=["broken", "array", "null"])
async def test_an_unreadable_body_is_a_400(client, user, login, content):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))

    response = await client.post(
        "/api/v1/villages",
        content=content,
        headers={**headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {"message": "Không đọc được yêu cầu. Vui lòng thử lại.", "field": None}
    }


async def test_a_too_long_name_is_refused_with_a_message(client, user, login):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))
    count = await Area.filter(kind="village").count()

    response = await _create(client, headers, commune_code=COMMUNE_A, name="Thôn " + "Dài" * 60)

    assert response.status_code == 422
    assert response.json() == {
        "error": {"message": "Tên dài tối đa 120 ký tự. Hãy viết ngắn lại.", "field": None}
    }
    assert await Area.filter(kind="village").count() == count


@pytest.mark.postgres  # SQLite runs one write transaction at a time: no race to test
async def test_villages_added_at_the_same_time_all_get_a_code(app, user, login, settings):
    transport = httpx.ASGITransport(app=app, client=("10.4.0.2", 5000), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        headers = await login(await user(roles.COORDINATOR, COMMUNE_B))
        responses = await asyncio.gather(
            *[_create(c, headers, commune_code=COMMUNE_B, name=_unique()) for _ in range(8)]
        )

    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.json()["code"] for r in responses}) == 8
