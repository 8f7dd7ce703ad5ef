"""Coordinators manage their villages: create, rename, set the household estimate."""

from __future__ import annotations

import uuid

from server.accounts import roles
from server.areas.models import Area
from tests.api.html import alert, csrf
from tests.data import COMMUNE_A, COMMUNE_B


def _name() -> str:
    return f"Thôn Quản Lý {uuid.uuid4().hex[:6]}"


async def test_a_coordinator_adds_a_village_from_the_page(user, signed_in):
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await browser.get("/manage/villages")
    name = _name()

    response = await browser.post(
        "/manage/villages",
        data={
            "csrf_token": csrf(page),
            "commune_code": COMMUNE_A,
            "name": name,
            "household_estimate": "1.250",
        },
    )

    assert response.status_code == 303
    village = await Area.get(name=name)
    assert (village.commune_code, village.household_estimate) == (COMMUNE_A, 1250)
    listed = await browser.get("/manage/villages")
    assert name in listed.text and "1.250" in listed.text
    assert f'<option value="{COMMUNE_B}"' not in listed.text


async def test_bad_input_keeps_what_was_typed_and_says_why(user, signed_in):
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await browser.get("/manage/villages")
    name = _name()

    response = await browser.post(
        "/manage/villages",
        data={
            "csrf_token": csrf(page),
            "commune_code": COMMUNE_A,
            "name": name,
            "household_estimate": "khoảng 200",
        },
    )
    outside = await browser.post(
        "/manage/villages",
        data={"csrf_token": csrf(page), "commune_code": COMMUNE_B, "name": name},
    )

    assert response.status_code == 422
    assert alert(response) == "Hãy nhập số nguyên."
    assert f'value="{name}"' in response.text and 'value="khoảng 200"' in response.text
    assert outside.status_code == 422
    assert not await Area.filter(name=name).exists()


async def test_a_coordinator_renames_a_village_and_sets_its_estimate(village, user, signed_in):
    area = await village(COMMUNE_A)
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await browser.get(f"/manage/villages/{area.code}")
    name = _name()

    response = await browser.post(
        f"/manage/villages/{area.code}",
        data={"csrf_token": csrf(page), "name": name, "household_estimate": "320"},
    )

    assert response.status_code == 303
    renamed = await Area.get(code=area.code)
    assert (renamed.name, renamed.household_estimate) == (name, 320)


async def test_the_rename_api_checks_scope_and_input(client, village, user, login):
    mine, theirs = await village(COMMUNE_A), await village(COMMUNE_B)
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))

    ok = await client.patch(
        f"/api/v1/villages/{mine.code}", json={"household_estimate": 75}, headers=headers
    )
    bad = await client.patch(
        f"/api/v1/villages/{mine.code}", json={"household_estimate": "75"}, headers=headers
    )
    outside = await client.patch(
        f"/api/v1/villages/{theirs.code}", json={"name": "Chiếm"}, headers=headers
    )

    assert ok.status_code == 200
    assert ok.json()["household_estimate"] == 75 and ok.json()["name"] == mine.name
    assert bad.status_code == 422
    assert outside.status_code == 404
    assert (await Area.get(code=theirs.code)).name == theirs.name


async def test_digits_that_are_not_ascii_are_a_clear_error(user, signed_in):
    """`"²".isdigit()` is true in Python, and `int("²")` fails: a message, never a 500."""
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await browser.get("/manage/villages")
    name = _name()

    response = await browser.post(
        "/manage/villages",
        data={
            "csrf_token": csrf(page),
            "commune_code": COMMUNE_A,
            "name": name,
            "household_estimate": "²",
        },
    )

    assert response.status_code == 422
    assert alert(response) == "Hãy nhập số nguyên."
    assert not await Area.filter(name=name).exists()


async def test_a_signed_out_browser_is_sent_to_sign_in(client):
    response = await client.get("/manage/villages")
    assert (response.status_code, response.headers["location"]) == (303, "/sign-in")
