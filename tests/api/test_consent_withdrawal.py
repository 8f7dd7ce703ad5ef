"""Withdrawing consent (issue 13): the phone's purpose empties the phone everywhere; the required
purpose erases the household everywhere, coverage numbers kept; nothing stale brings data back."""

from __future__ import annotations

import uuid
from typing import Any

from server.accounts import roles
from server.assignments.models import Assignment
from server.db import bulk
from server.households.models import Household
from server.privacy.models import ConsentWithdrawal
from server.syncable.models import ChangeLog, Conflict, SyncMutation
from tests.api.html import csrf
from tests.data import COMMUNE_A, COMMUNE_B, household_data, mutation

PHONE = "0912 345 678"
NAME = "Nguyễn Văn An"
ADDRESS = "Xóm 2"
NOTE = "Hẹn gặp chị Lan, con gái chủ hộ"


def withdrawal(household: uuid.UUID, *purposes: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "household_id": str(household),
        "purposes": list(purposes),
        "asked_by": "Nguyễn Thị Bình",
        "channel": "in_person",
        "asked_at": "2026-12-01T09:00:00+07:00",
    }
    return mutation(uuid.uuid4(), data | overrides, type_="consent_withdrawal")


def consent(*purposes: str) -> dict[str, Any]:
    given = {"given_by": NAME, "given_at": "2026-11-23T08:00:00+07:00"}
    return given | {"purposes": ["support_records", *purposes]}


async def _stored_text(household: uuid.UUID) -> str:
    """Everything stored about the household and what hangs off it, as one text."""
    rows: list[Any] = []
    rows += await Household.filter(id=household).values()
    rows += await Assignment.filter(household_id=household).values()
    rows += await ConsentWithdrawal.filter(household_id=household).values()
    ids = {household} | {row["id"] for row in rows}
    rows += await ChangeLog.filter(record_id__in=list(ids)).values()
    rows += await Conflict.filter(record_id=household).values()
    receipts = await SyncMutation.all().values_list("receipt", flat=True)
    rows += [r for r in receipts if r.get("record_id") in {str(i) for i in ids}]
    return bulk.dumps(rows)


async def _setup(village, user, login, push, *purposes: str):
    area = await village(COMMUNE_A)
    first, second = await user(roles.MEMBER, area.code), await user(roles.MEMBER, area.code)
    a, b = await login(first), await login(second)
    record = uuid.uuid4()
    data = household_data(area.code, consent=consent(*purposes), notes=NOTE)
    [made] = await push(a, "dev-a", [mutation(record, data)], expect={"applied"})
    return area, record, a, b, made


async def test_withdrawing_the_phone_purpose_empties_the_phone_everywhere(
    client, village, user, login, push, pull_changes
):
    _area, record, a, b, made = await _setup(village, user, login, push, "contact_phone")
    # A conflict on the phone: both values end up in the conflict record and the receipts.
    base = made["version"]
    await push(a, "dev-a", [mutation(record, {"phone": "0987 654 321"}, "update", base)])
    await push(b, "dev-b", [mutation(record, {"phone": "0977 111 222"}, "update", base)])
    assert await Conflict.filter(record_id=record, field="phone").count() == 1
    _, cursor = await pull_changes(b, "", lambda c: c["record_id"] == str(record))

    [receipt] = await push(a, "dev-a", [withdrawal(record, "contact_phone")])

    assert receipt["status"] == "applied", receipt
    household = await Household.get(id=record)
    assert household.phone is None and household.head_name == NAME
    assert household.consent["purposes"] == ["support_records"]
    assert household.consent["withdrawn"] == ["contact_phone"]
    stored = await _stored_text(record)
    for number in ("0912345678", "0987654321", "0977111222"):
        assert number not in stored
    assert NAME in stored  # only the phone was withdrawn
    [entry] = await ChangeLog.filter(record_id=record, op="withdraw")
    assert entry.before == {"phone": "[withdrawn]"} and entry.after == {"phone": None}
    changes, _ = await pull_changes(b, cursor, lambda c: c["record_id"] == str(record))
    [pulled] = [c for c in changes if c["record_id"] == str(record)]
    assert pulled["data"]["phone"] is None and pulled["data"]["head_name"] == NAME
    history = await client.get(
        f"/api/v1/households/{record}/history",
        headers=await login(await user(roles.COORDINATOR, COMMUNE_A)),
    )
    assert history.status_code == 200 and "0912" not in history.text
    assert "(đã xoá theo đề nghị của hộ)" in history.text  # that it changed, in words


async def test_a_stale_phone_cannot_write_a_withdrawn_phone_until_consent_is_given_again(
    village, user, login, push
):
    _area, record, a, b, _made = await _setup(village, user, login, push, "contact_phone")
    await push(a, "dev-a", [withdrawal(record, "contact_phone")], expect={"applied"})

    [stale] = await push(b, "dev-b", [mutation(record, {"phone": PHONE}, "update", 0)])
    assert await Conflict.filter(record_id=record).count() == 0  # nothing kept its value
    # The household agrees again, on a phone that has pulled the withdrawal.
    current = (await Household.get(id=record)).version
    given_again = {"consent": consent("contact_phone"), "phone": PHONE}
    [again] = await push(b, "dev-b", [mutation(record, given_again, "update", current)])

    assert stale["status"] == "rejected"
    assert stale["errors"][0]["field"] == "phone"
    assert "rút lại đồng ý" in stale["errors"][0]["message"]
    assert again["status"] in ("applied", "merged"), again
    assert (await Household.get(id=record)).phone == "0912345678"


async def test_erasure_empties_every_personal_field_and_keeps_the_coverage_numbers(
    client, village, user, login, push, pull_changes
):
    area, record, a, b, made = await _setup(village, user, login, push, "contact_phone")
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))
    member_id = (await client.get("/api/v1/me", headers=b)).json()["id"]
    assigned = await client.post(
        "/api/v1/assignments",
        json={
            "member_id": member_id,
            "household_id": str(record),
            "due_date": "2026-12-20",
            "note": NOTE,
        },
        headers=coordinator,
    )
    assert assigned.status_code == 201, assigned.text
    base = made["version"]
    await push(a, "dev-a", [mutation(record, {"address": "Xóm 3"}, "update", base)])
    await push(b, "dev-b", [mutation(record, {"address": "Xóm 4"}, "update", base)])
    coverage = (await client.get(f"/api/v1/coverage/{area.code}", headers=coordinator)).json()
    listed = await client.get(f"/coverage/{COMMUNE_A}/export/households.csv", headers=coordinator)
    assert NAME in listed.text
    _, cursor = await pull_changes(b, "", lambda c: c["record_id"] == str(record))
    old = mutation(record, {"notes": "ghi chú cũ"}, "update", base)
    await push(a, "dev-a", [old], expect={"applied", "merged"})

    [receipt] = await push(a, "dev-a", [withdrawal(record, "support_records")])

    assert receipt["status"] == "applied", receipt
    household = await Household.get(id=record)
    assert household.deleted and household.erased_at is not None
    assert (household.head_name, household.address, household.phone, household.notes) == (
        "",
        "",
        None,
        "",
    )
    assert household.consent is None and household.indicators["vneid"] == "level1"
    stored = await _stored_text(record)
    for value in (NAME, "Xóm 3", "Xóm 4", "0912345678", NOTE, "ghi chú cũ", "Nguyễn Thị Bình"):
        assert value not in stored, value
    assert await ChangeLog.filter(record_id=record, op="erase", before=None).count() == 1
    assert await Conflict.filter(record_id=record, resolved_at=None).count() == 0
    after = (await client.get(f"/api/v1/coverage/{area.code}", headers=coordinator)).json()
    assert after == coverage
    listed = await client.get(f"/coverage/{COMMUNE_A}/export/households.csv", headers=coordinator)
    mine = [line for line in listed.text.splitlines() if str(record) in line]
    assert listed.status_code == 200 and mine == []
    tasks = await client.get("/api/v1/assignments", headers=coordinator)
    assert str(record) not in tasks.text and NOTE not in tasks.text
    changes, _ = await pull_changes(b, cursor, lambda c: c["record_id"] == str(record))
    assert [c["deleted"] for c in changes if c["record_id"] == str(record)] == [True]
    assert [c["deleted"] for c in changes if c["type"] == "assignment"] == [True]

    [replayed] = await push(a, "dev-a", [old])
    [stale] = await push(b, "dev-b", [mutation(record, {"head_name": NAME}, "update", base)])
    [recreated] = await push(b, "dev-b", [mutation(record, household_data(area.code))])

    assert replayed["status"] == "duplicate" and "ghi chú cũ" not in str(replayed)
    assert stale["status"] == recreated["status"] == "rejected"
    assert "đã bị xoá" in stale["errors"][0]["message"]
    assert (await Household.get(id=record)).head_name == ""
    assert NAME not in await _stored_text(record)


async def test_a_coordinator_records_a_withdrawal_on_the_households_page(
    client, village, user, login, push, signed_in
):
    _area, record, _a, _b, _ = await _setup(village, user, login, push, "contact_phone")
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await signed_in(coordinator)
    page = await browser.get(f"/review/households/{record}")
    assert "Rút lại đồng ý" in page.text

    response = await browser.post(
        f"/review/households/{record}/withdraw",
        data={
            "purpose_contact_phone": "on",
            "asked_by": "Nguyễn Thị Bình",
            "channel": "phone",
            "csrf_token": csrf(page),
        },
    )

    assert response.status_code == 303, response.text
    assert (await Household.get(id=record)).phone is None
    [made] = await ConsentWithdrawal.filter(household_id=record)
    assert (made.channel, str(made.recorded_by)) == ("phone", str(coordinator.id))


async def test_the_withdrawal_api_erases_and_refuses_bad_input(client, village, user, login, push):
    _area, record, *_ = await _setup(village, user, login, push)
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))
    other = await login(await user(roles.COORDINATOR, COMMUNE_B))
    url = f"/api/v1/households/{record}/withdrawals"
    good = {"purposes": ["support_records"], "asked_by": NAME, "channel": "writing"}

    bad = [
        await client.post(url, json=good | {"purposes": ["everything"]}, headers=headers),
        await client.post(url, json=good | {"purposes": []}, headers=headers),
        await client.post(url, json=good | {"asked_by": ""}, headers=headers),
        await client.post(url, json=good | {"asked_by": "x" * 121}, headers=headers),
        await client.post(url, json=good | {"channel": "pigeon"}, headers=headers),
        await client.post(url, json=good | {"asked_at": "yesterday"}, headers=headers),
    ]
    not_json = await client.post(url, content="purposes=all", headers=headers)
    elsewhere = await client.post(url, json=good, headers=other)
    unknown = await client.post(
        f"/api/v1/households/{uuid.uuid4()}/withdrawals", json=good, headers=headers
    )
    made = await client.post(url, json=good, headers=headers)
    again = await client.post(url, json=good, headers=headers)

    assert [r.status_code for r in bad] == [422] * 6, [r.text for r in bad]
    assert all(r.json()["error"]["message"] for r in bad)
    assert not_json.status_code == 415
    assert elsewhere.status_code == unknown.status_code == 404
    assert made.status_code == 201, made.text
    assert again.status_code == 404
    assert (await Household.get(id=record)).erased_at is not None


async def test_a_member_cannot_change_or_delete_a_withdrawal(village, user, login, push):
    _area, record, a, *_ = await _setup(village, user, login, push, "contact_phone")
    made = withdrawal(record, "contact_phone")
    await push(a, "dev-a", [made], expect={"applied"})
    changed = mutation(
        made["record_id"], {"asked_by": "Người khác"}, "update", 0, "consent_withdrawal"
    )
    again = withdrawal(record, "aggregate_reporting") | {"record_id": made["record_id"]}

    receipts = await push(
        a, "dev-a", [changed, again, {**changed, "id": str(uuid.uuid4()), "op": "delete"}]
    )

    assert [r["status"] for r in receipts] == ["rejected"] * 3
