"""A member marks an assignment done (or not done yet) from the phone; the coordinator sees it.

The assignee's phone may push only `done_at` of their own assignment, as an `update`; the rest
of an assignment stays with the server.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from server.accounts import roles
from server.accounts.models import User
from server.assignments.models import Assignment
from server.syncable.models import ChangeLog
from tests.data import COMMUNE_A, mutation

DONE_AT = "2026-11-24T09:30:00+07:00"


def _in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


async def _assign(
    client: httpx.AsyncClient, coordinator: dict[str, str], member: User, due: str
) -> tuple[str, int]:
    """Give `member` a checklist to do by `due` (set straight in the database when past)."""
    created = await client.post(
        "/api/v1/assignments",
        json={"member_id": str(member.id), "template_key": "scam_safety", "due_date": _in_days(2)},
        headers=coordinator,
    )
    assert created.status_code == 201, created.text
    if due != _in_days(2):
        await Assignment.filter(id=created.json()["id"]).update(due_date=due)
    return created.json()["id"], created.json()["version"]


def _done(record_id: str, version: int, data: Any = None) -> dict[str, Any]:
    body = {"done_at": DONE_AT} if data is None else data
    return mutation(record_id, body, op="update", base_version=version, type_="assignment")


async def _pulled(pull_changes, headers: dict[str, str], record_id: str) -> dict:
    """The assignment as the member's phone pulls it (from the start)."""
    changes, _ = await pull_changes(
        headers, "", lambda c: c["type"] == "assignment" and c["record_id"] == record_id
    )
    [change] = [c for c in changes if c["record_id"] == record_id]
    return change


async def test_the_assignee_marks_done_and_reopens(
    client, village, user, login, push, pull_changes
):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    headers = await login(member)
    record, version = await _assign(
        client, await login(await user(roles.COORDINATOR, COMMUNE_A)), member, _in_days(2)
    )

    [done] = await push(headers, "dev-done", [_done(record, version)])
    pulled = await _pulled(pull_changes, headers, record)
    [reopened] = await push(
        headers, "dev-done", [_done(record, pulled["version"], {"done_at": None})]
    )

    assert done["status"] == "applied", done
    assert datetime.fromisoformat(pulled["data"]["done_at"]) == datetime.fromisoformat(DONE_AT)
    assert pulled["data"]["note"] == "" and pulled["data"]["template_key"] == "scam_safety"
    assert reopened["status"] == "applied", reopened
    assert (await _pulled(pull_changes, headers, record))["data"]["done_at"] is None
    stored = await Assignment.get(id=record)
    assert stored.done_at is None and stored.version == reopened["version"]
    log = await ChangeLog.filter(record_type="assignment", record_id=record).order_by("version")
    assert [(e.op, e.user_id, e.device_id) for e in log] == [("update", member.id, "dev-done")] * 2
    assert log[0].before == {"done_at": None}
    assert log[1].after == {"done_at": None} and log[1].before == log[0].after


async def test_replaying_the_same_mark_is_a_duplicate(client, village, user, login, push):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    headers = await login(member)
    record, version = await _assign(
        client, await login(await user(roles.COORDINATOR, COMMUNE_A)), member, _in_days(2)
    )
    change = _done(record, version)

    [first] = await push(headers, "dev-replay", [change])
    [again] = await push(headers, "dev-replay", [change])

    assert first["status"] == "applied"
    assert again["status"] == "duplicate" and again["original_status"] == "applied"
    assert again["version"] == first["version"]
    assert await ChangeLog.filter(record_type="assignment", record_id=record).count() == 1


async def test_only_done_at_can_be_pushed_with_a_message_in_the_members_language(
    client, village, user, login, push
):
    area = await village(COMMUNE_A)
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))
    messages = {}
    for language in ("vi", "en"):
        member = await user(roles.MEMBER, area.code, language=language)
        record, version = await _assign(client, coordinator, member, _in_days(2))
        data = {"done_at": DONE_AT, "note": "Xong", "due_date": _in_days(9)}
        [receipt] = await push(await login(member), "dev-f", [_done(record, version, data)])
        assert receipt["status"] == "rejected", receipt
        assert sorted(e["field"] for e in receipt["errors"]) == ["due_date", "note"]
        messages[language] = receipt["errors"][0]["message"]
        stored = await Assignment.get(id=record)
        assert stored.done_at is None and stored.note == "" and stored.version == version

    assert messages == {"vi": "Không được sửa mục này.", "en": "This field cannot be changed."}


async def test_a_phone_can_neither_create_nor_delete_an_assignment(
    client, village, user, login, push
):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    headers = await login(member)
    record, version = await _assign(
        client, await login(await user(roles.COORDINATOR, COMMUNE_A)), member, _in_days(2)
    )

    made, deleted = await push(
        headers,
        "dev-ops",
        [
            mutation(uuid.uuid4(), {"done_at": DONE_AT}, type_="assignment"),
            mutation(record, {}, op="delete", base_version=version, type_="assignment"),
        ],
    )

    assert (made["status"], made["errors"][0]["field"]) == ("rejected", "op")
    assert (deleted["status"], deleted["errors"][0]["field"]) == ("rejected", "op")
    assert not (await Assignment.get(id=record)).deleted


async def test_another_members_assignment_cannot_be_marked(client, village, user, login, push):
    area = await village(COMMUNE_A)
    member, colleague = await user(roles.MEMBER, area.code), await user(roles.MEMBER, area.code)
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))
    record, version = await _assign(client, coordinator, member, _in_days(2))

    [theirs] = await push(await login(colleague), "dev-c", [_done(record, version)])
    [mine] = await push(coordinator, "dev-k", [_done(record, version)])

    for receipt in (theirs, mine):
        assert receipt["status"] == "rejected", receipt
        assert receipt["errors"] == [
            {"field": "record_id", "message": "Việc này nằm ngoài địa bàn của bạn."}
        ]
    assert (await Assignment.get(id=record)).done_at is None


async def test_a_withdrawn_assignment_cannot_be_marked(client, village, user, login, push):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))
    record, version = await _assign(client, coordinator, member, _in_days(2))
    withdrawn = await client.delete(f"/api/v1/assignments/{record}", headers=coordinator)
    assert withdrawn.status_code == 204

    [receipt] = await push(await login(member), "dev-w", [_done(record, version)])

    assert receipt["status"] == "rejected"
    assert receipt["errors"][0]["field"] == "record_id"
    assert (await Assignment.get(id=record)).done_at is None


async def test_a_bad_time_is_refused(client, village, user, login, push):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    record, version = await _assign(
        client, await login(await user(roles.COORDINATOR, COMMUNE_A)), member, _in_days(2)
    )

    [receipt] = await push(
        await login(member), "dev-t", [_done(record, version, {"done_at": "hôm qua"})]
    )

    assert receipt["status"] == "rejected"
    assert receipt["errors"] == [{"field": "done_at", "message": "Hãy nhập ngày và giờ."}]


async def test_the_coordinator_sees_done_open_and_overdue(
    client, village, user, login, signed_in, push
):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    headers = await login(coordinator)
    done, version = await _assign(client, headers, member, _in_days(-5))
    overdue, _ = await _assign(client, headers, member, _in_days(-1))
    open_, _ = await _assign(client, headers, member, _in_days(3))
    [receipt] = await push(await login(member), "dev-s", [_done(done, version)])
    assert receipt["status"] == "applied"

    listed = (await client.get("/api/v1/assignments", headers=headers)).json()["assignments"]
    page = await (await signed_in(coordinator)).get("/manage/assignments")

    mine = [row for row in listed if row["id"] in (done, overdue, open_)]
    by_id = {row["id"]: row for row in mine}
    assert [row["id"] for row in mine] == [overdue, open_, done]
    assert (by_id[open_]["status"], by_id[open_]["done_at"]) == ("open", None)
    assert (by_id[overdue]["status"], by_id[overdue]["overdue"]) == ("overdue", True)
    assert (by_id[done]["status"], by_id[done]["overdue"]) == ("done", False)
    assert datetime.fromisoformat(by_id[done]["done_at"]) == datetime.fromisoformat(DONE_AT)
    assert page.status_code == 200
    for record, status in ((done, "done"), (overdue, "overdue"), (open_, "open")):
        assert f'data-status="{status}" data-id="{record}"' in page.text
    # Shown in Vietnam's time, in Vietnamese.
    assert "Đã báo xong trên điện thoại lúc 09:30:00 24 thg 11, 2026" in page.text
