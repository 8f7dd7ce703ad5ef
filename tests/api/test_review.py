"""Conflict review and household history: a coordinator sees both values and picks one."""

from __future__ import annotations

import uuid

from server.accounts import roles
from server.households.models import Household
from server.syncable.models import ChangeLog, Conflict, Device
from tests.api.html import alert, csrf
from tests.data import COMMUNE_A, COMMUNE_B, mutation


async def _setup(village, user, login, make_conflict):
    area = await village(COMMUNE_A)
    first_member = await user(roles.MEMBER, area.code)
    second_member = await user(roles.MEMBER, area.code)
    record = await make_conflict(
        await login(first_member),
        await login(second_member),
        area.code,
        kept={"indicators": {"vneid": "none"}},
        lost={"indicators": {"vneid": "level2"}},
    )
    return area, record, first_member, second_member


async def test_the_coordinator_sees_both_values_in_words(
    village, user, login, signed_in, make_conflict
):
    _area, record, first_member, second_member = await _setup(village, user, login, make_conflict)
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))

    page = await browser.get("/review/conflicts")

    assert page.status_code == 200
    card = page.text[page.text.index(f"/review/households/{record}") - 600 :]
    assert "Tài khoản định danh điện tử VNeID" in card
    assert "Chưa có tài khoản" in card and "Đã kích hoạt mức 2" in card
    assert first_member.name in card and second_member.name in card


async def test_another_communes_coordinator_sees_nothing_and_changes_nothing(
    client, village, user, login, make_conflict
):
    _area, record, *_ = await _setup(village, user, login, make_conflict)
    [conflict] = await Conflict.filter(record_id=record)
    other = await login(await user(roles.COORDINATOR, COMMUNE_B))

    listed = await client.get("/api/v1/conflicts", headers=other)
    refused = await client.post(
        f"/api/v1/conflicts/{conflict.id}", json={"accept": "lost"}, headers=other
    )
    history = await client.get(f"/api/v1/households/{record}/history", headers=other)

    assert str(conflict.id) not in listed.text
    assert refused.status_code == 404
    assert history.status_code == 404
    assert (await Household.get(id=record)).indicators["vneid"] == "none"
    assert (await Conflict.get(id=conflict.id)).resolved_at is None


async def test_accepting_the_lost_value_writes_it_through_sync(
    client, village, user, login, pull_changes, make_conflict
):
    area, record, first_member, _ = await _setup(village, user, login, make_conflict)
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    headers = await login(coordinator)
    [conflict] = await Conflict.filter(record_id=record)
    before = await Household.get(id=record)
    member = await login(first_member)
    cursor = (await client.get("/api/v1/sync/pull", headers=member)).json()["cursor"]

    response = await client.post(
        f"/api/v1/conflicts/{conflict.id}", json={"accept": "lost"}, headers=headers
    )

    assert response.status_code == 200, response.text
    after = await Household.get(id=record)
    assert after.indicators["vneid"] == "level2"
    assert after.indicators["smartphone_count"] == 1  # the other keys are untouched
    assert after.version > before.version
    assert after.field_meta["indicators.vneid"] == [after.version, f"web:{coordinator.id}"]
    log = await ChangeLog.filter(record_id=record).order_by("-id").first()
    assert log is not None
    assert (log.user_id, log.before, log.after) == (
        coordinator.id,
        {"indicators.vneid": "none"},
        {"indicators.vneid": "level2"},
    )
    assert not await Device.filter(id=f"web:{coordinator.id}").exists()
    resolved = await Conflict.get(id=conflict.id)
    assert (resolved.resolution, resolved.resolved_by) == ("lost", coordinator.id)
    pulled, _ = await pull_changes(member, cursor, lambda c: c["record_id"] == str(record))
    [change] = [c for c in pulled if c["record_id"] == str(record)]
    assert change["data"]["indicators"]["vneid"] == "level2"
    assert change["version"] == after.version
    assert area.code == after.village_code

    again = await client.post(
        f"/api/v1/conflicts/{conflict.id}", json={"accept": "kept"}, headers=headers
    )
    assert again.status_code == 409
    assert "đã" in again.json()["error"]["message"]


async def test_keeping_the_kept_value_changes_no_record(
    village, user, login, signed_in, make_conflict
):
    _area, record, *_ = await _setup(village, user, login, make_conflict)
    [conflict] = await Conflict.filter(record_id=record)
    version = (await Household.get(id=record)).version
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await browser.get("/review/conflicts")

    forged = await browser.post(f"/review/conflicts/{conflict.id}", data={"accept": "kept"})
    done = await browser.post(
        f"/review/conflicts/{conflict.id}", data={"accept": "kept", "csrf_token": csrf(page)}
    )

    assert forged.status_code == 403
    assert done.status_code == 303
    assert (await Conflict.get(id=conflict.id)).resolution == "kept"
    household = await Household.get(id=record)
    assert (household.version, household.indicators["vneid"]) == (version, "none")
    resolved = await browser.get("/review/conflicts?show=resolved")
    assert f"/review/households/{record}" in resolved.text
    again = await browser.post(
        f"/review/conflicts/{conflict.id}", data={"accept": "lost", "csrf_token": csrf(page)}
    )
    assert again.status_code == 409
    assert "đã" in alert(again)


async def test_the_history_shows_who_changed_what_from_which_device(
    village, user, login, signed_in, push, make_conflict
):
    _area, record, first_member, _ = await _setup(village, user, login, make_conflict)
    checklist = {
        "household_id": str(record),
        "template_key": "vneid_account",
        "template_version": 1,
    }
    tick = {"items": {"install_app": {"done": True, "at": "2026-11-24T09:00:00+07:00"}}}
    await push(
        await login(first_member),
        "dev-a",
        [mutation(uuid.uuid4(), {**checklist, **tick}, type_="checklist")],
    )
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))

    page = await browser.get(f"/review/households/{record}")
    missing = await browser.get(f"/review/households/{uuid.uuid4()}")

    assert page.status_code == 200
    assert first_member.name in page.text
    assert "Chủ hộ: <strong>Nguyễn Văn An</strong>" in page.text
    assert "Tài khoản định danh điện tử VNeID: Đã có mức 1 → <strong>Chưa có tài khoản" in page.text
    assert "Đã kích hoạt mức 2" not in page.text  # the value that lost was never applied
    assert "Tài khoản định danh điện tử VNeID · đã tạo" in page.text  # the checklist's title
    assert "Cài ứng dụng VNeID từ CH Play hoặc App Store: <strong>Đã làm</strong>" in page.text
    assert missing.status_code == 404


async def test_htmx_gets_the_conflicts_card_back(village, user, login, signed_in, make_conflict):
    _area, record, *_ = await _setup(village, user, login, make_conflict)
    [conflict] = await Conflict.filter(record_id=record)
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    token = csrf(await browser.get("/review/conflicts"))
    htmx = {"HX-Request": "true"}

    done = await browser.post(
        f"/review/conflicts/{conflict.id}",
        data={"accept": "lost", "csrf_token": token},
        headers=htmx,
    )
    again = await browser.post(
        f"/review/conflicts/{conflict.id}",
        data={"accept": "kept", "csrf_token": token},
        headers=htmx,
    )

    assert done.status_code == 200
    assert done.text.strip().startswith(f'<li id="conflict-{conflict.id}">')
    assert "Đã xử lý: đã lưu giá trị kia." in done.text and "<html" not in done.text
    assert again.status_code == 200
    assert "Việc này đã có người xử lý rồi." in again.text
    assert (await Conflict.get(id=conflict.id)).resolution == "lost"
