"""Pushing mutations through the API: exactly once, per-mutation receipts, merges, scope."""

from __future__ import annotations

import uuid

from server.accounts import roles
from server.content import curriculum
from server.households.models import Household
from server.syncable.models import ChangeLog, Conflict
from tests.data import household_data, mutation


async def test_same_batch_ten_times_is_applied_once(village, user, login, push):
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    ids = [uuid.uuid4() for _ in range(3)]
    batch = [mutation(i, household_data(area.code, head_name=f"Hộ {n}")) for n, i in enumerate(ids)]
    batch.append(mutation(ids[0], {"notes": "Đã cài VNeID"}, op="update"))

    first = await push(headers, "phone-1", batch)
    assert [r["status"] for r in first] == ["applied"] * 4
    for _ in range(9):
        again = await push(headers, "phone-1", batch)
        assert [r["status"] for r in again] == ["duplicate"] * 4
        assert [r["original_status"] for r in again] == ["applied"] * 4
        assert [r["version"] for r in again] == [r["version"] for r in first]

    assert await Household.filter(id__in=ids).count() == 3
    assert await ChangeLog.filter(record_id__in=ids).count() == 4
    edited = await Household.get(id=ids[0])
    assert edited.notes == "Đã cài VNeID"
    assert edited.phone == "0912345678"


async def test_one_invalid_mutation_does_not_block_the_rest(village, user, login, push):
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    good_a, bad, good_b = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    results = await push(
        headers,
        "phone-2",
        [
            mutation(good_a, household_data(area.code)),
            mutation(bad, household_data(area.code, phone="12345", people_count=0)),
            {"id": "not-a-uuid", "type": "household"},
            mutation(good_b, household_data(area.code)),
        ],
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "applied"]
    fields = {e["field"]: e["message"] for e in results[1]["errors"]}
    assert fields["phone"].startswith("Nhập số điện thoại di động")
    assert "people_count" in fields
    assert results[1]["message"] == "Máy chủ không nhận thay đổi này."
    assert await Household.filter(id__in=[good_a, good_b]).count() == 2
    assert not await Household.filter(id=bad).exists()


async def test_rejected_errors_follow_the_users_language(village, user, login, push):
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code, language="en"))
    record = uuid.uuid4()
    [result] = await push(
        headers, "phone-en", [mutation(record, household_data(area.code, phone="12"))]
    )
    assert result["errors"][0]["message"].startswith("Enter a Vietnamese mobile number")


async def test_no_consent_means_nothing_is_saved(village, user, login, push):
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    data = household_data(area.code)
    data["consent"] = {**data["consent"], "purposes": ["contact_phone"]}
    [result] = await push(headers, "phone-3", [mutation(record, data)])
    assert result["status"] == "rejected"
    assert result["errors"][0]["field"] == "consent"
    assert not await Household.filter(id=record).exists()


async def test_a_devices_successive_edits_never_conflict(village, user, login, push):
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    edits = [mutation(record, household_data(area.code))]
    edits += [mutation(record, {"notes": f"Lần {n}"}, op="update") for n in range(1, 6)]
    results = await push(headers, "phone-4", edits[:3])
    results += await push(headers, "phone-4", edits[3:])
    assert {r["status"] for r in results} == {"applied"}
    assert (await Household.get(id=record)).notes == "Lần 5"
    assert not await Conflict.filter(record_id=record).exists()


async def test_two_devices_changing_different_fields_merge(village, user, login, push):
    area = await village()
    member_a = await login(await user(roles.MEMBER, area.code))
    member_b = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    [created] = await push(member_a, "dev-a", [mutation(record, household_data(area.code))])
    base = created["version"]

    [a] = await push(member_a, "dev-a", [mutation(record, {"address": "Xóm 5"}, "update", base)])
    [b] = await push(
        member_b,
        "dev-b",
        [
            mutation(
                record, {"indicators": {"vneid": "level2"}, "notes": "Đã lên mức 2"}, "update", base
            )
        ],
    )
    assert a["status"] == "applied"
    assert b["status"] == "merged"
    assert b["record"]["address"] == "Xóm 5"
    household = await Household.get(id=record)
    assert household.address == "Xóm 5"
    assert household.indicators == {"vneid": "level2", "smartphone_count": 1}
    assert household.notes == "Đã lên mức 2"
    assert not await Conflict.filter(record_id=record).exists()


async def test_same_field_first_to_arrive_wins_and_the_loser_is_kept(village, user, login, push):
    area = await village()
    first = await user(roles.MEMBER, area.code)
    member_a = await login(first)
    member_b = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    [created] = await push(member_a, "dev-a", [mutation(record, household_data(area.code))])
    base = created["version"]

    [a] = await push(
        member_a,
        "dev-a",
        [mutation(record, {"people_count": 5, "indicators": {"vneid": "level2"}}, "update", base)],
    )
    [b] = await push(
        member_b,
        "dev-b",
        [mutation(record, {"people_count": 6, "adult_count": 3}, "update", base)],
    )
    assert a["status"] == "applied"
    assert b["status"] == "conflict"
    # Whose change was kept: the colleague's display name, nothing more.
    kept_by = {"name": first.name}
    assert b["conflicts"] == [{"field": "people_count", "kept": 5, "yours": 6, "kept_by": kept_by}]
    assert "điều phối" in b["message"] and "Có người khác" in b["message"]
    household = await Household.get(id=record)
    assert (household.people_count, household.adult_count) == (5, 3)
    [conflict] = await Conflict.filter(record_id=record)
    assert (conflict.field, conflict.kept_value, conflict.lost_value) == ("people_count", 5, 6)
    assert (conflict.kept_device_id, conflict.lost_device_id) == ("dev-a", "dev-b")
    assert conflict.village_code == area.code


async def test_member_cannot_write_into_another_village(village, user, login, push):
    home, other = await village(), await village()
    member = await login(await user(roles.MEMBER, home.code))
    neighbour = await login(await user(roles.MEMBER, other.code))
    theirs = uuid.uuid4()
    await push(neighbour, "dev-n", [mutation(theirs, household_data(other.code))])

    intruder = uuid.uuid4()
    results = await push(
        member,
        "dev-m",
        [
            mutation(intruder, household_data(other.code)),
            mutation(theirs, {"notes": "sửa trộm"}, "update", 1),
            mutation(theirs, {}, "delete", 1),
        ],
    )
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert results[0]["errors"][0]["message"] == "Việc này nằm ngoài địa bàn của bạn."
    assert not await Household.filter(id=intruder).exists()
    assert (await Household.get(id=theirs)).notes == ""


async def test_trainer_cannot_record_households(village, user, login, push):
    area = await village()
    trainer = await login(await user(roles.TRAINER, area.commune_code))
    [result] = await push(trainer, "dev-t", [mutation(uuid.uuid4(), household_data(area.code))])
    assert result["status"] == "rejected"


async def test_delete_is_a_tombstone_that_clears_personal_fields(village, user, login, push):
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    [created] = await push(headers, "dev-d", [mutation(record, household_data(area.code))])
    [deleted] = await push(headers, "dev-d", [mutation(record, {}, "delete", created["version"])])
    assert deleted["status"] == "applied"
    household = await Household.get(id=record)
    assert household.deleted and household.head_name == "" and household.phone is None
    [late] = await push(headers, "dev-d", [mutation(record, {"notes": "x"}, "update", 1)])
    assert late["status"] == "rejected"


async def test_checklist_ticks_from_two_devices_merge_per_item(client, village, user, login, push):
    area = await village()
    member_a = await login(await user(roles.MEMBER, area.code))
    member_b = await login(await user(roles.MEMBER, area.code))
    household, checklist = uuid.uuid4(), uuid.uuid4()
    start = {"household_id": str(household), "template_key": "vneid_account", "template_version": 1}
    results = await push(
        member_a,
        "dev-a",
        [
            mutation(household, household_data(area.code)),
            mutation(checklist, start, type_="checklist"),
        ],
    )
    assert [r["status"] for r in results] == ["applied", "applied"], results
    base = results[1]["version"]
    items = await _first_two_items(client, member_a)
    at = "2026-11-23T09:00:00Z"
    tick = lambda key: {"items": {key: {"done": True, "at": at}}}  # noqa: E731
    [a] = await push(
        member_a,
        "dev-a",
        [mutation(checklist, tick(items[0]), "update", base, "checklist")],
    )
    [b] = await push(
        member_b,
        "dev-b",
        [mutation(checklist, tick(items[1]), "update", base, "checklist")],
    )
    assert (a["status"], b["status"]) == ("applied", "merged")
    assert set(b["record"]["items"]) == set(items)
    assert b["record"]["items"][items[0]]["done"] is True


async def _first_two_items(client, headers) -> list[str]:
    template = curriculum.checklist_templates()["vneid_account"]
    return [template.items[0].key, template.items[1].key]


async def test_a_change_that_only_conflicts_still_keeps_the_losing_value(
    village, user, login, push
):
    area = await village()
    member_a = await login(await user(roles.MEMBER, area.code))
    member_b = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    [created] = await push(member_a, "dev-a", [mutation(record, household_data(area.code))])
    base = created["version"]

    await push(member_a, "dev-a", [mutation(record, {"notes": "A"}, "update", base)])
    [b] = await push(member_b, "dev-b", [mutation(record, {"notes": "B"}, "update", base)])

    assert b["status"] == "conflict"
    [conflict] = await Conflict.filter(record_id=record)
    assert (conflict.kept_value, conflict.lost_value) == ("A", "B")


async def test_a_conflict_with_the_members_other_phone_says_so(village, user, login, push):
    """The kept change came from the same member's other phone: `kept_by` says `you`."""
    area = await village()
    member = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    [created] = await push(member, "phone-1", [mutation(record, household_data(area.code))])
    base = created["version"]
    await push(member, "phone-1", [mutation(record, {"address": "Xóm 3"}, "update", base)])
    [b] = await push(member, "phone-2", [mutation(record, {"address": "Xóm 4"}, "update", base)])
    assert b["status"] == "conflict"
    assert b["conflicts"] == [
        {"field": "address", "kept": "Xóm 3", "yours": "Xóm 4", "kept_by": {"you": True}}
    ]
    assert "điện thoại khác của bạn" in b["message"]


async def test_the_schema_gives_plain_fields_their_labels(client, village, user, login):
    """The phone names a field in a conflict note by the label the rule declares."""
    area = await village()
    member = await login(await user(roles.MEMBER, area.code))
    schema = (await client.get("/api/v1/sync/schema", headers=member)).json()
    [household] = [t for t in schema["types"] if t["name"] == "household"]
    labels = {rule["name"]: rule.get("label") for rule in household["fields"]}
    assert labels["address"] == {"vi": "Địa chỉ", "en": "Address"}
    assert labels["people_count"] == {"vi": "Số người trong hộ", "en": "People in the household"}
