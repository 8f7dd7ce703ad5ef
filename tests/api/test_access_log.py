"""The access log: who opened or exported households' personal data, read by the province."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from server.access import services as access
from server.access.models import AccessEntry
from server.accounts import roles
from tests.data import COMMUNE_A, household_data, mutation

PROVINCE = "38"


async def _household(village, user, login, push):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    headers = await login(member)
    record = uuid.uuid4()
    await push(headers, "phone-a", [mutation(record, household_data(area.code))], ["applied"])
    return area, member, headers, record


async def test_opening_history_copy_and_exports_are_logged_without_the_values(
    village, user, login, push, signed_in, client, pull_changes
):
    area, member, headers, record = await _household(village, user, login, push)
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await signed_in(coordinator)

    assert (await browser.get(f"/review/households/{record}")).status_code == 200
    assert (await browser.get(f"/review/households/{record}/copy")).status_code == 200
    assert (await browser.get(f"/review/households/{record}/edit")).status_code == 200
    api = await client.get(f"/api/v1/households/{record}/history", headers=await login(coordinator))
    assert api.status_code == 200
    export = await browser.get(f"/coverage/{area.code}/export/households.xlsx")
    assert export.status_code == 200
    picker = await browser.get("/manage/assignments", params={"member": str(member.id)})
    assert picker.status_code == 200 and "Nguyễn Văn An" in picker.text
    await pull_changes(headers, "", lambda c: c["record_id"] == str(record))

    mine = await AccessEntry.filter(user_id=coordinator.id).order_by("id")
    assert [e.action for e in mine] == [
        *("history", "copy", "household", "history", "export", "village_list")
    ]
    assert all(e.province_code == PROVINCE for e in mine)
    assert {e.household_id for e in mine[:4]} == {record}
    assert mine[4].area_code == area.code and mine[4].detail["households"] == 1
    assert mine[5].area_code == area.code and mine[5].detail == {"households": 1}
    [synced] = await AccessEntry.filter(user_id=member.id, action="sync")
    assert synced.detail == {"device": "", "records": {"household": 1}}
    stored = " ".join(str(e.detail) + (e.area_code or "") for e in [*mine, synced])
    assert "Nguyễn" not in stored and "0912" not in stored and "Xóm" not in stored


async def test_the_province_coordinator_reads_the_log_and_filters_it(
    village, user, login, push, signed_in
):
    _area, _member, _headers, record = await _household(village, user, login, push)
    commune_coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    commune = await signed_in(commune_coordinator)
    await commune.get(f"/review/households/{record}")
    province = await signed_in(await user(roles.COORDINATOR, PROVINCE))

    page = await province.get("/manage/access-log", params={"who": commune_coordinator.name})
    nobody = await province.get("/manage/access-log", params={"who": "không có ai tên này"})
    later = await province.get("/manage/access-log", params={"since": "2099-01-01"})
    bad = await province.get("/manage/access-log", params={"since": "hôm qua"})
    refused = await commune.get("/manage/access-log")

    assert page.status_code == 200
    assert commune_coordinator.name in page.text and "Đã mở lịch sử" in page.text
    assert commune_coordinator.name not in nobody.text
    assert commune_coordinator.name not in later.text
    assert bad.status_code == 400
    assert refused.status_code == 403
    other_province = await signed_in(await user(roles.COORDINATOR, "01"))
    assert commune_coordinator.name not in (await other_province.get("/manage/access-log")).text


async def test_prune_deletes_entries_past_the_retention_period(user):
    who = await user(roles.COORDINATOR, COMMUNE_A)
    subject = access.Subject(area_code=COMMUNE_A, province_code=PROVINCE)
    await access.record(who, access.HISTORY, subject)
    old = await AccessEntry.create(
        at=datetime.now(UTC) - timedelta(days=800), user_id=who.id, action=access.HISTORY
    )

    pruned = await access.prune(access.retention_cutoff(730))

    assert pruned >= 1
    assert not await AccessEntry.filter(id=old.id).exists()
    assert await AccessEntry.filter(user_id=who.id).count() == 1
