"""Coordinators manage team members: create with a temporary password, switch off, reset, move."""

from __future__ import annotations

import re

from server.accounts import roles
from server.accounts.models import User, UserArea
from server.teams.models import Team, TeamMember
from tests.api.html import alert, csrf
from tests.data import COMMUNE_A, COMMUNE_B


def _password(page_text: str) -> str:
    match = re.search(r'class="temporary-password"><strong>([a-z0-9]+)</strong>', page_text)
    assert match, page_text
    return match.group(1)


async def _sign_in(client, phone: str, password: str):
    return await client.post("/api/v1/session", json={"phone": phone, "password": password})


async def test_a_new_member_signs_in_with_the_password_shown_once(client, village, user, signed_in):
    area = await village(COMMUNE_A)
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await browser.get("/manage/members")

    created = await browser.post(
        "/manage/members",
        data={
            "csrf_token": csrf(page),
            "name": "Lê Thị Hoa",
            "phone": "0987 111 222",
            "village_code": area.code,
        },
    )

    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    password = _password(created.text)
    member = await User.get(phone="0987111222")
    assert (member.role, member.name) == (roles.MEMBER, "Lê Thị Hoa")
    assert password not in member.password_hash
    assert await TeamMember.filter(user=member, team__village_id=area.code).exists()
    signed = await _sign_in(client, "0987111222", password)
    assert signed.status_code == 200
    assert [v["code"] for v in signed.json()["user"]["villages"]] == [area.code]
    # Her village's list (the whole commune's may page her out when other tests add members).
    again = await browser.get("/manage/members", params={"village": area.code})
    assert password not in again.text and "Lê Thị Hoa" in again.text


async def test_a_member_cannot_be_created_outside_the_area_or_twice(
    client, village, user, login, signed_in
):
    theirs = await village(COMMUNE_B)
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    headers = await login(coordinator)
    existing = await user(roles.MEMBER, (await village(COMMUNE_A)).code)
    browser = await signed_in(coordinator)
    page = await browser.get("/manage/members")

    outside = await client.post(
        "/api/v1/members",
        json={"name": "Ngoài", "phone": "0987 333 444", "village_code": theirs.code},
        headers=headers,
    )
    twice = await browser.post(
        "/manage/members",
        data={
            "csrf_token": csrf(page),
            "name": "Trùng",
            "phone": existing.phone,
            "village_code": (await village(COMMUNE_A)).code,
        },
    )

    assert outside.status_code == 422
    assert not await User.filter(phone="0987333444").exists()
    assert twice.status_code == 422
    assert alert(twice) == "Số điện thoại này đã có tài khoản."
    assert 'value="Trùng"' in twice.text


async def test_switching_off_and_resetting_sign_the_member_out(client, village, user, login):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    member_headers = await login(member)
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))

    reset = await client.post(f"/api/v1/members/{member.id}/password", headers=headers)
    assert reset.status_code == 200
    password = reset.json()["temporary_password"]
    assert (await client.get("/api/v1/me", headers=member_headers)).status_code == 401
    assert (await _sign_in(client, member.phone, password)).status_code == 200

    off = await client.patch(
        f"/api/v1/members/{member.id}", json={"active": False}, headers=headers
    )
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert (await _sign_in(client, member.phone, password)).status_code == 401
    on = await client.patch(f"/api/v1/members/{member.id}", json={"active": True}, headers=headers)
    assert on.status_code == 200
    assert (await _sign_in(client, member.phone, password)).status_code == 200


async def test_moving_a_member_and_making_a_leader_from_the_page(village, user, signed_in):
    old, new = await village(COMMUNE_A), await village(COMMUNE_A)
    member = await user(roles.MEMBER, old.code)
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await browser.get(f"/manage/members/{member.id}")

    moved = await browser.post(
        f"/manage/members/{member.id}",
        data={"csrf_token": csrf(page), "action": "move", "village_code": new.code},
    )
    leader = await browser.post(
        f"/manage/members/{member.id}", data={"csrf_token": csrf(page), "action": "leader"}
    )

    assert moved.status_code == 200 and leader.status_code == 200
    areas = await UserArea.filter(user=member).values_list("area_id", flat=True)
    assert list(areas) == [new.code]
    assert await TeamMember.filter(user=member, team__village_id=new.code).exists()
    assert not await TeamMember.filter(user=member, team__village_id=old.code).exists()
    team = await Team.get(village_id=new.code)
    assert team.leader_id == member.id  # type: ignore[attr-defined]
    assert "Tổ trưởng" in leader.text


async def test_another_communes_coordinator_cannot_touch_the_member(client, village, user, login):
    member = await user(roles.MEMBER, (await village(COMMUNE_A)).code)
    elsewhere = await village(COMMUNE_B)
    headers = await login(await user(roles.COORDINATOR, COMMUNE_B))

    listed = await client.get("/api/v1/members", headers=headers)
    moved = await client.patch(
        f"/api/v1/members/{member.id}", json={"village_code": elsewhere.code}, headers=headers
    )
    reset = await client.post(f"/api/v1/members/{member.id}/password", headers=headers)

    assert str(member.id) not in listed.text
    assert (moved.status_code, reset.status_code) == (404, 404)
    assert (await User.get(id=member.id)).password_hash == member.password_hash


async def test_a_member_of_two_communes_is_not_one_communes_to_move(client, village, user, login):
    """Only someone who covers all of a member's villages may change them."""
    here, there = await village(COMMUNE_A), await village(COMMUNE_B)
    member = await user(roles.MEMBER, here.code, there.code)
    other_here = await village(COMMUNE_A)
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))

    moved = await client.patch(
        f"/api/v1/members/{member.id}", json={"village_code": other_here.code}, headers=headers
    )
    reset = await client.post(f"/api/v1/members/{member.id}/password", headers=headers)

    assert (moved.status_code, reset.status_code) == (404, 404)
    kept = await UserArea.filter(user_id=member.id).values_list("area_id", flat=True)
    assert sorted(kept) == sorted([here.code, there.code])
    province = await login(await user(roles.COORDINATOR, "38"))
    assert (
        await client.post(f"/api/v1/members/{member.id}/password", headers=province)
    ).status_code == 200
