"""Assignments: a coordinator gives a member work by a date; it reaches the member's phone."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from server.accounts import roles
from server.assignments.models import Assignment
from server.syncable.models import ChangeLog
from tests.api.html import alert, csrf
from tests.data import COMMUNE_A, COMMUNE_B, household_data, mutation


def _in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


async def _household(push, headers, village_code: str, name: str) -> str:
    record = str(uuid.uuid4())
    [receipt] = await push(
        headers, "dev-m", [mutation(record, household_data(village_code, head_name=name))]
    )
    assert receipt["status"] == "applied"
    return record


async def _pull(
    pull_changes, headers, cursor: str = "", wait: bool = False
) -> tuple[list[dict], str]:
    """Assignment changes after `cursor` (waiting for one to arrive when `wait`)."""
    wanted = (lambda c: c["type"] == "assignment") if wait else (lambda c: True)
    changes, cursor = await pull_changes(headers, cursor, wanted)
    return [c for c in changes if c["type"] == "assignment"], cursor


async def test_an_assignment_reaches_only_the_assignees_phone(
    client, village, user, login, pull_changes, push
):
    area = await village(COMMUNE_A)
    member, colleague = await user(roles.MEMBER, area.code), await user(roles.MEMBER, area.code)
    member_headers, colleague_headers = await login(member), await login(colleague)
    household = await _household(push, member_headers, area.code, "Phạm Văn Bình")
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))
    _, cursor = await _pull(pull_changes, member_headers)

    created = await client.post(
        "/api/v1/assignments",
        json={
            "member_id": str(member.id),
            "household_id": household,
            "template_key": "vneid_account",
            "due_date": _in_days(7),
            "note": "Giúp bác kích hoạt mức 2",
        },
        headers=headers,
    )

    assert created.status_code == 201, created.text
    [change], cursor = await _pull(pull_changes, member_headers, cursor, wait=True)
    assert change["record_id"] == created.json()["id"]
    assert change["data"]["household_id"] == household
    assert change["data"]["household_name"] == "Phạm Văn Bình"
    assert change["data"]["template_key"] == "vneid_account"
    assert change["data"]["due_date"] == _in_days(7)
    assert (await _pull(pull_changes, colleague_headers))[0] == []
    listed = await client.get("/api/v1/assignments", headers=headers)
    assert created.json()["id"] in listed.text

    withdrawn = await client.delete(f"/api/v1/assignments/{created.json()['id']}", headers=headers)
    assert withdrawn.status_code == 204
    [tombstone], _ = await _pull(pull_changes, member_headers, cursor, wait=True)
    assert tombstone["deleted"] is True
    assert (
        created.json()["id"] not in (await client.get("/api/v1/assignments", headers=headers)).text
    )


async def test_a_phone_cannot_push_an_assignment(village, user, login, push):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    data = {"due_date": _in_days(1)}

    [receipt] = await push(
        await login(member), "dev-x", [mutation(uuid.uuid4(), data, type_="assignment")]
    )

    assert receipt["status"] == "rejected"


async def test_bad_assignments_are_refused_with_a_reason(client, village, user, login, push):
    area, elsewhere = await village(COMMUNE_A), await village(COMMUNE_B)
    member = await user(roles.MEMBER, area.code)
    outsider = await user(roles.MEMBER, elsewhere.code)
    other_household = await _household(push, await login(outsider), elsewhere.code, "Hộ B")
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))
    cases = [
        ({"member_id": str(outsider.id), "template_key": "vneid_account"}, "member_id"),
        ({"member_id": str(member.id), "household_id": other_household}, "household_id"),
        ({"member_id": str(member.id)}, "household_id"),
        ({"member_id": str(member.id), "template_key": "nope"}, "template_key"),
        (
            {"member_id": str(member.id), "template_key": "scam_safety", "due_date": "2020-01-01"},
            "due_date",
        ),
        (
            {"member_id": str(member.id), "template_key": "scam_safety", "due_date": "mai"},
            "due_date",
        ),
    ]
    for body, field in cases:
        response = await client.post(
            "/api/v1/assignments", json={"due_date": _in_days(3), **body}, headers=headers
        )
        assert (response.status_code, response.json()["error"]["field"]) == (422, field), body


async def test_the_page_assigns_in_two_steps_and_keeps_input_on_error(village, user, signed_in):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    first = await browser.get("/manage/assignments", params={"who": member.name})
    assert member.name in first.text

    chosen = await browser.get(f"/manage/assignments?member={member.id}")
    late = await browser.post(
        "/manage/assignments",
        data={
            "csrf_token": csrf(chosen),
            "member_id": str(member.id),
            "template_key": "scam_safety",
            "due_date": (date.today() - timedelta(days=3)).isoformat(),
            "note": "Nhắc cả xóm",
        },
    )
    done = await browser.post(
        "/manage/assignments",
        data={
            "csrf_token": csrf(chosen),
            "member_id": str(member.id),
            "template_key": "scam_safety",
            "due_date": _in_days(2),
        },
    )

    assert late.status_code == 422
    assert alert(late) == "Hạn làm đã qua rồi."
    assert "Nhắc cả xóm" in late.text
    assert done.status_code == 303
    listed = await browser.get("/manage/assignments")
    assert member.name in listed.text and _in_days(2) in listed.text


async def test_withdrawing_is_recorded_in_the_change_log(client, village, user, login, push):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    household = await _household(push, await login(member), area.code, "Lê Thị Hoa")
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    headers = await login(coordinator)
    created = await client.post(
        "/api/v1/assignments",
        json={"member_id": str(member.id), "household_id": household, "due_date": _in_days(3)},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    started = datetime.now(UTC)

    withdrawn = await client.delete(f"/api/v1/assignments/{created.json()['id']}", headers=headers)

    assert withdrawn.status_code == 204
    [entry] = await ChangeLog.filter(record_type="assignment", record_id=created.json()["id"])
    stored = await Assignment.get(id=created.json()["id"])
    assert stored.deleted and entry.version == stored.version
    assert entry.user_id == coordinator.id and entry.op == "delete"
    assert entry.before == {"deleted": False} and entry.after == {"deleted": True}
    assert entry.village_code == area.code and entry.at >= started
