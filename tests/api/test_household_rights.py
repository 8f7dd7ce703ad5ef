"""Correction and restriction of a household from the coordinator's household screen."""

from __future__ import annotations

import uuid

from server.accounts import roles
from server.households.models import Household
from server.syncable.models import ChangeLog
from tests.api.html import alert, csrf
from tests.data import COMMUNE_A, household_data, mutation


async def _household(village, user, login, push):
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    headers = await login(member)
    record = uuid.uuid4()
    await push(headers, "phone-r", [mutation(record, household_data(area.code))], ["applied"])
    return area, member, headers, record


async def test_a_coordinator_corrects_a_household_and_the_history_says_so(
    village, user, login, push, signed_in, pull_changes
):
    _area, _member, headers, record = await _household(village, user, login, push)
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await signed_in(coordinator)
    page = await browser.get(f"/review/households/{record}/edit")
    assert page.status_code == 200 and "Nguyễn Văn An" in page.text

    saved = await browser.post(
        f"/review/households/{record}/edit",
        data={
            "csrf_token": csrf(page),
            "action": "correct",
            "head_name": "Nguyễn Văn Ân",
            "address": "Xóm 3",
            "phone": "0912 345 678",
            "people_count": "5",
            "adult_count": "2",
            "notes": "",
            "indicator.vneid": "level2",
        },
    )

    assert saved.status_code == 303
    household = await Household.get(id=record)
    assert (household.head_name, household.address, household.people_count) == (
        "Nguyễn Văn Ân",
        "Xóm 3",
        5,
    )
    assert household.indicators["vneid"] == "level2"
    [log] = await ChangeLog.filter(record_id=record, device_id=f"web:{coordinator.id}")
    assert log.before["head_name"] == "Nguyễn Văn An" and log.after["head_name"] == "Nguyễn Văn Ân"
    history = await browser.get(f"/review/households/{record}")
    assert "Nguyễn Văn Ân" in history.text and coordinator.name in history.text
    # The member's phone receives the corrected value at its next sync.
    latest = await _latest(pull_changes, headers, record, lambda c: c["data"].get("head_name"))
    assert latest["data"]["head_name"] == "Nguyễn Văn Ân"


async def test_a_bad_correction_is_refused_in_words_and_nothing_changes(
    village, user, login, push, signed_in
):
    _area, _member, _headers, record = await _household(village, user, login, push)
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await browser.get(f"/review/households/{record}/edit")

    refused = await browser.post(
        f"/review/households/{record}/edit",
        data={
            "csrf_token": csrf(page),
            "action": "correct",
            "people_count": "2",
            "adult_count": "3",
        },
    )

    assert refused.status_code == 422
    assert "người lớn" in alert(refused)
    assert (await Household.get(id=record)).adult_count == 2


async def test_a_restricted_household_is_kept_but_not_processed(
    village, user, login, push, signed_in, pull_changes, client
):
    area, member, headers, record = await _household(village, user, login, push)
    commune_coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await signed_in(commune_coordinator)
    page = await browser.get(f"/review/households/{record}/edit")
    token = csrf(page)
    blank = await browser.post(
        f"/review/households/{record}/edit",
        data={"csrf_token": token, "action": "restrict", "reason": "  "},
    )
    assert blank.status_code == 422

    done = await browser.post(
        f"/review/households/{record}/edit",
        data={"csrf_token": token, "action": "restrict", "reason": "Hộ yêu cầu bằng văn bản"},
    )

    assert done.status_code == 303
    household = await Household.get(id=record)
    assert household.restricted["reason"] == "Hộ yêu cầu bằng văn bản"
    assert household.restricted["by"] == commune_coordinator.name
    # Not in exports.
    export = await browser.get(f"/coverage/{area.code}/export/households.csv")
    assert export.status_code == 200 and "Nguyễn Văn An" not in export.text
    # No new work.
    form = await browser.get(f"/manage/assignments?member={member.id}")
    assert str(record) not in form.text
    refused = await client.post(
        "/api/v1/assignments",
        json={"member_id": str(member.id), "household_id": str(record), "due_date": "2099-01-01"},
        headers=await login(commune_coordinator),
    )
    assert refused.status_code == 422, refused.text
    # The village team's phones still hold it, marked restricted; the commune's do not.
    latest = await _latest(pull_changes, headers, record, lambda c: c["data"].get("restricted"))
    assert latest["data"]["restricted"]["reason"] == "Hộ yêu cầu bằng văn bản"
    coordinator = await login(commune_coordinator)
    assert (await _latest(pull_changes, coordinator, record, lambda c: c["deleted"]))["deleted"]
    # A member cannot write the restriction.
    receipts = await push(
        headers,
        "phone-r",
        [mutation(record, {"restricted": None}, op="update", base_version=household.version)],
    )
    assert receipts[0]["status"] == "rejected"
    # Not even when it names itself after the server's screens.
    [spoofed] = await push(
        headers,
        f"web:{member.id}",
        [mutation(record, {"restricted": None}, op="update", base_version=household.version)],
    )
    assert spoofed["status"] == "rejected"
    assert (await Household.get(id=record)).restricted is not None

    lifted = await browser.post(
        f"/review/households/{record}/edit", data={"csrf_token": token, "action": "lift"}
    )

    assert lifted.status_code == 303
    assert (await Household.get(id=record)).restricted is None
    export = await browser.get(f"/coverage/{area.code}/export/households.csv")
    assert "Nguyễn Văn An" in export.text


async def _latest(pull_changes, headers, record, wanted):
    """The last pulled change of `record` once one satisfying `wanted` is there."""
    changes, _ = await pull_changes(
        headers, "", lambda c: c["record_id"] == str(record) and wanted(c)
    )
    return [c for c in changes if c["record_id"] == str(record)][-1]
