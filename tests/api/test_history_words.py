"""Issue 12, item 4 (history): a household's history in words a coordinator recognises."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from server.accounts import roles
from server.syncable.models import WITHDRAWN_VALUE, ChangeLog
from tests.data import COMMUNE_A, household_data, mutation

SAMSUNG = (
    "Mozilla/5.0 (Linux; Android 13; SM-A155F Build/TP1A.220624.014) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.6099.230 Mobile Safari/537.36"
)


def _form(village: str, people: int) -> dict[str, object]:
    """Every field the app's form sends, the empty ones too."""
    return household_data(
        village,
        people_count=people,
        phone="",
        notes="",
        adult_count=None,
        indicators={"vneid": "level2", "smartphone_count": None},
    )


async def test_an_offline_edit_before_the_first_sync_reads_as_a_change(
    client, village, user, login
):
    area = await village(COMMUNE_A, 10)
    member = await user(roles.MEMBER, area.code)
    record = uuid.uuid4()
    pushed = await client.post(
        "/api/v1/sync/push",
        json={
            "device_id": "history-phone",
            "mutations": [
                mutation(record, _form(area.code, 4)),
                mutation(record, _form(area.code, 5)),
            ],
        },
        headers={**await login(member), "User-Agent": SAMSUNG},
    )
    assert pushed.status_code == 200, pushed.text
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))

    history = (
        await client.get(f"/api/v1/households/{record}/history", headers=coordinator)
    ).json()["history"]

    assert [e["op"] for e in history] == ["create", "update"]
    created, changed = history
    labels = {c["label"]: c["after"] for c in created["changes"]}
    assert "(trống)" not in labels.values() and "Số điện thoại" not in labels
    assert labels["Thôn"] == area.name  # not its code
    assert labels["Tài khoản định danh điện tử VNeID"] == "Đã kích hoạt mức 2"
    assert [(c["label"], c["before"], c["after"]) for c in changed["changes"]] == [
        ("Số người trong hộ", "4", "5")
    ]
    assert created["phone"] == "SM-A155F · Chrome 120"
    assert created["who"] == member.name


async def test_a_value_erased_at_the_households_request_is_said_so(client, village, user, login):
    area = await village(COMMUNE_A, 10)
    member = await user(roles.MEMBER, area.code)
    record = uuid.uuid4()
    await client.post(
        "/api/v1/sync/push",
        json={"device_id": "erase-phone", "mutations": [mutation(record, _form(area.code, 3))]},
        headers=await login(member),
    )
    # What the change log keeps once the household withdrew its consent: a marker, no value.
    await ChangeLog.filter(record_id=record).update(
        after={"head_name": WITHDRAWN_VALUE, "village_code": area.code}
    )
    await ChangeLog.create(
        at=datetime.now(UTC),
        user_id=member.id,
        device_id="erase-phone",
        record_type="household",
        record_id=record,
        version=9,
        op="update",
        before={"phone": WITHDRAWN_VALUE},
        after={"phone": None},
        village_code=area.code,
    )
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))

    page = await client.get(f"/review/households/{record}", headers=coordinator)

    assert page.status_code == 200
    assert "Chủ hộ: <strong>(đã xoá theo đề nghị của hộ)</strong>" in page.text
    assert "Số điện thoại: (đã xoá theo đề nghị của hộ) → <strong>(trống)</strong>" in page.text
