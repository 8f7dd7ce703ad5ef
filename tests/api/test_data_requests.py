"""The requests register: every kind, every step, the legal clocks, scope and bad input."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from server.accounts import roles
from server.content import curriculum
from server.rights import clocks, reminders
from server.rights.models import KINDS, DataRequest
from tests.api.html import alert, csrf
from tests.data import COMMUNE_A, COMMUNE_B, household_data, mutation

TODAY = clocks.local_date()


def _days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "access",
        "requester": "Nguyễn Văn An",
        "channel": "in_person",
        "received_on": TODAY.isoformat(),
        "area_code": COMMUNE_A,
    }
    body.update(overrides)
    return body


@pytest.fixture
async def coordinator(user, login) -> dict[str, str]:
    return await login(await user(roles.COORDINATOR, COMMUNE_A))


async def _receive(client, headers, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/data-requests", json=_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _act(client, headers, request_id: str, action: str, **body: Any):
    return await client.post(
        f"/api/v1/data-requests/{request_id}/{action}", json=body, headers=headers
    )


@pytest.mark.parametrize("kind", KINDS)
async def test_every_kind_of_request_is_received_with_its_clock(client, coordinator, kind):
    received = await _receive(client, coordinator, kind=kind, channel="writing")

    calendar = curriculum.holidays()
    assert received["kind"] == kind and received["state"] in ("open", "due_soon")
    assert received["clock"]["acknowledge_by"] == (
        clocks.add_working_days(TODAY, 2, calendar).isoformat()
    )
    assert received["clock"]["complete_by"] == (
        clocks.add_working_days(TODAY, 15, calendar).isoformat()
    )
    listed = await client.get("/api/v1/data-requests", headers=coordinator)
    assert received["id"] in {r["id"] for r in listed.json()["requests"]}


async def test_a_request_about_a_household_is_acknowledged_extended_and_done(
    client, coordinator, village, user, login, push
):
    area = await village(COMMUNE_A)
    member = await login(await user(roles.MEMBER, area.code))
    household = str(uuid.uuid4())
    await push(member, "dev-r", [mutation(household, household_data(area.code))], {"applied"})
    received = await _receive(
        client, coordinator, kind="correction", household_id=household, other_party=True
    )
    assert received["household_name"] == "Nguyễn Văn An"
    calendar = curriculum.holidays()
    assert received["clock"]["complete_by"] == (
        clocks.add_working_days(TODAY, 20, calendar).isoformat()
    )

    acknowledged = await _act(client, coordinator, received["id"], "acknowledge")
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["acknowledged_at"]
    again = await _act(client, coordinator, received["id"], "acknowledge")
    assert again.status_code == 409

    extended = await _act(
        client, coordinator, received["id"], "extend", days=10, reason="Cần hỏi nhà mạng"
    )
    assert extended.status_code == 200, extended.text
    assert extended.json()["clock"]["complete_by"] == (
        clocks.add_working_days(TODAY, 30, calendar).isoformat()
    )
    twice = await _act(client, coordinator, received["id"], "extend", days=1, reason="x")
    assert twice.status_code == 409

    done = await _act(client, coordinator, received["id"], "done")
    assert done.json()["state"] == "done" and done.json()["clock"]["on_time"] is True
    after = await _act(client, coordinator, received["id"], "refuse", reason="Không")
    assert after.status_code == 409


async def test_a_refused_request_keeps_its_reason(client, coordinator):
    received = await _receive(client, coordinator, kind="objection", channel="phone")

    missing = await _act(client, coordinator, received["id"], "refuse", reason=" ")
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "reason"
    refused = await _act(
        client, coordinator, received["id"], "refuse", reason="Dữ liệu cần cho báo cáo luật định"
    )

    body = refused.json()
    assert body["state"] == "refused" and body["refusal_reason"].startswith("Dữ liệu")
    assert body["acknowledged_at"]  # refusing answers the requester too


@pytest.mark.skipif(date(2027, 8, 27) < TODAY, reason="received_on must be within a year")
async def test_the_clock_skips_the_weekend_and_national_day(client, coordinator):
    # Friday 28/8/2026: the weekend, then 31/8–2/9 are days off.
    received = await _receive(client, coordinator, received_on="2026-08-28")

    assert received["clock"]["acknowledge_by"] == "2026-09-04"
    assert received["state"] == "overdue" or date(2026, 9, 4) >= TODAY


async def test_an_old_unanswered_request_is_overdue_first_and_on_the_home_page(
    client, user, signed_in, login
):
    boss = await user(roles.COORDINATOR, COMMUNE_A)
    headers = await login(boss)
    fresh = await _receive(client, headers, requester="Người mới")
    old = await _receive(client, headers, requester="Bà Lê Thị Quá Hạn", received_on=_days_ago(40))
    assert old["state"] == "overdue" and old["clock"]["days_left"] < 0

    listed = (await client.get("/api/v1/data-requests?status=open", headers=headers)).json()
    ids = [r["id"] for r in listed["requests"]]
    assert ids.index(old["id"]) < ids.index(fresh["id"])
    overdue = (await client.get("/api/v1/data-requests?status=overdue", headers=headers)).json()
    assert old["id"] in {r["id"] for r in overdue["requests"]}
    assert fresh["id"] not in {r["id"] for r in overdue["requests"]}

    browser = await signed_in(boss)
    home = await browser.get("/home")
    assert "Bà Lê Thị Quá Hạn" in home.text and "Quá hạn" in home.text


async def test_a_coordinator_is_pushed_once_per_request_and_state(client, user, login, monkeypatch):
    boss = await user(roles.COORDINATOR, COMMUNE_A)
    headers = await login(boss)
    old = await _receive(client, headers, received_on=_days_ago(40))
    sent: list[tuple[list[object], Any]] = []

    async def notify(user_ids, message):
        sent.append((list(user_ids), message))

    monkeypatch.setattr(reminders.notifications, "notify_users", notify)
    await reminders.remind()
    await reminders.remind()

    mine = [(ids, m) for ids, m in sent if m.tag == f"data-request-{old['id']}"]
    assert len(mine) == 1
    ids, message = mine[0]
    assert boss.id in ids and message.url == f"/manage/requests/{old['id']}"
    assert "overdue" in message.title
    stored = await DataRequest.get(id=old["id"])
    assert stored.notified_state == clocks.OVERDUE


async def test_another_communes_coordinator_cannot_see_or_move_a_request(
    client, coordinator, user, login, village
):
    received = await _receive(client, coordinator)
    other = await login(await user(roles.COORDINATOR, COMMUNE_B))
    member = await login(await user(roles.MEMBER, (await village(COMMUNE_A)).code))

    assert (
        await client.get(f"/api/v1/data-requests/{received['id']}", headers=other)
    ).status_code == 404
    for action in ("acknowledge", "done"):
        assert (await _act(client, other, received["id"], action)).status_code == 404
    listed = await client.get("/api/v1/data-requests", headers=other)
    assert received["id"] not in {r["id"] for r in listed.json()["requests"]}
    assert (await client.get("/api/v1/data-requests", headers=member)).status_code == 403
    outside = await client.post(
        "/api/v1/data-requests", json=_body(area_code=COMMUNE_B), headers=coordinator
    )
    assert outside.status_code == 422 and outside.json()["error"]["field"] == "area_code"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "delete_everything"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"requester": ""}, "requester"),
        ({"requester": "x" * 121}, "requester"),
        ({"requester": 5}, "requester"),
        ({"received_on": "hôm qua"}, "received_on"),
        ({"received_on": (TODAY + timedelta(days=2)).isoformat()}, "received_on"),
        ({"received_on": _days_ago(400)}, "received_on"),
        ({"details": "x" * 1001}, "details"),
        ({"household_id": "not-a-uuid"}, "household_id"),
        ({"household_id": str(uuid.uuid4())}, "household_id"),
        ({"area_code": "99999"}, "area_code"),
    ],
)
async def test_bad_input_is_refused_in_the_users_language(client, coordinator, overrides, field):
    response = await client.post(
        "/api/v1/data-requests", json=_body(**overrides), headers=coordinator
    )

    assert response.status_code in (400, 422), response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert not error["message"].isascii()  # Vietnamese, the coordinator's language


async def test_bad_steps_are_refused(client, coordinator):
    received = await _receive(client, coordinator)
    for days in (0, 16, "mười", None):
        bad = await _act(client, coordinator, received["id"], "extend", days=days, reason="Lý do")
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "days"
    unknown = await client.get("/api/v1/data-requests/not-a-uuid", headers=coordinator)
    assert unknown.status_code == 404
    status = await client.get("/api/v1/data-requests?status=lost", headers=coordinator)
    assert status.status_code == 400
    text = await client.post("/api/v1/data-requests", content="kind=access", headers=coordinator)
    assert text.status_code == 415


async def test_the_pages_receive_a_request_and_move_it_on(user, signed_in):
    boss = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await signed_in(boss)
    page = await browser.get("/manage/requests")
    assert page.status_code == 200 and "Nhận một yêu cầu" in page.text

    bad = await browser.post(
        "/manage/requests",
        data={
            "csrf_token": csrf(page),
            "kind": "erasure",
            "requester": "",
            "channel": "phone",
            "received_on": TODAY.isoformat(),
            "area_code": COMMUNE_A,
        },
    )
    assert bad.status_code == 422 and alert(bad)
    created = await browser.post(
        "/manage/requests",
        data={
            "csrf_token": csrf(page),
            "kind": "erasure",
            "requester": "Ông Trần Văn Bốn",
            "channel": "phone",
            "received_on": TODAY.isoformat(),
            "area_code": COMMUNE_A,
        },
    )
    assert created.status_code == 303
    shown = await browser.get(created.headers["location"])
    assert "Ông Trần Văn Bốn" in shown.text and "Xoá dữ liệu" in shown.text
    assert boss.name in shown.text  # who received it
    url = created.headers["location"].split("?")[0]
    answered = await browser.post(f"{url}/acknowledge", data={"csrf_token": csrf(shown)})
    assert answered.status_code == 303
    refused = await browser.post(f"{url}/refuse", data={"csrf_token": csrf(shown), "reason": ""})
    assert refused.status_code == 422 and alert(refused)
    listed = await browser.get("/manage/requests?status=open", headers={"HX-Request": "true"})
    assert "Ông Trần Văn Bốn" in listed.text and "<html" not in listed.text


async def test_a_request_is_pushed_when_due_soon_then_again_when_overdue(
    client, user, login, monkeypatch
):
    boss = await user(roles.COORDINATOR, COMMUNE_A)
    fresh = await _receive(client, await login(boss), received_on=TODAY.isoformat())
    titles: list[str] = []

    async def notify(user_ids, message):
        if message.tag == f"data-request-{fresh['id']}" and boss.id in list(user_ids):
            titles.append(message.title)

    monkeypatch.setattr(reminders.notifications, "notify_users", notify)
    await reminders.remind(TODAY)
    await reminders.remind(TODAY)
    await reminders.remind(TODAY + timedelta(days=30))
    await reminders.remind(TODAY + timedelta(days=31))

    assert titles == ["A data request is due soon", "A data request is overdue"]


async def test_the_home_page_lists_ten_requests_and_links_to_the_rest(
    user, login, signed_in, client
):
    boss = await user(roles.COORDINATOR, COMMUNE_B)
    headers = await login(boss)
    for n in range(11):
        await _receive(client, headers, area_code=COMMUNE_B, received_on=_days_ago(50 + n))

    home = await (await signed_in(boss)).get("/home")

    section = home.text.split('aria-labelledby="attention"', 1)[1].split("</section>", 1)[0]
    assert section.count("<li data-state=") == 10
    assert "yêu cầu nữa trong sổ theo dõi" in section and "/manage/requests?status=open" in section
