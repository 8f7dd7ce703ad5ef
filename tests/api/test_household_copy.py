"""The copy for a household: one page with everything the database holds about it.

The test walks every model of the app: a table with a `household_id` column, or the change log
and conflicts (whose `record_id` is the household or one of its checklists), must show each of
its rows on the page. A new table that holds household data and is left off the copy fails here.
"""

from __future__ import annotations

import uuid

from tortoise import Tortoise

from server.accounts import roles
from server.content import curriculum
from server.households.models import Household
from server.syncable.models import ChangeLog, Conflict
from tests.data import COMMUNE_A, household_data, mutation

RECORD_ID_TABLES = (ChangeLog, Conflict)  # rows about a record of any synced type


async def _rows_about(household_id: uuid.UUID) -> dict[str, list[str]]:
    """Every row id of every table that refers to the household, by table name."""
    found: dict[str, list[str]] = {"household": [str(household_id)]}
    checklist_ids: list[uuid.UUID] = []
    models = Tortoise.apps["langso"].values()
    for model in models:
        if "household_id" in model._meta.fields_map:
            rows = await model.filter(household_id=household_id).values_list("id", flat=True)
            found[model._meta.db_table] = [str(r) for r in rows]
            if model._meta.db_table == "checklist":
                checklist_ids = list(rows)
    for model in RECORD_ID_TABLES:
        rows = await model.filter(record_id__in=[household_id, *checklist_ids]).values_list(
            "id", flat=True
        )
        found[model._meta.db_table] = [str(r) for r in rows]
    return found


async def test_the_copy_shows_every_row_the_database_holds_about_the_household(
    village, user, login, push, signed_in, make_conflict, client
):
    area = await village(COMMUNE_A)
    member, other = await user(roles.MEMBER, area.code), await user(roles.MEMBER, area.code)
    first, second = await login(member), await login(other)
    record = await make_conflict(
        first,
        second,
        area.code,
        kept={"notes": "Nhà có hai con nhỏ"},
        lost={"notes": "Nhà gần chợ"},
    )
    template = curriculum.checklist_templates()["vneid_account"]
    checklist = uuid.uuid4()
    start = {"household_id": str(record), "template_key": "vneid_account", "template_version": 1}
    [started] = await push(first, "dev-a", [mutation(checklist, start, type_="checklist")])
    step = template.items[0]
    tick = {"items": {step.key: {"done": True, "at": "2026-11-24T09:00:00+07:00"}}}
    await push(
        first, "dev-a", [mutation(checklist, tick, "update", started["version"], "checklist")]
    )
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await signed_in(coordinator)
    given = await client.post(
        "/api/v1/assignments",
        json={
            "member_id": str(member.id),
            "household_id": str(record),
            "due_date": "2099-01-01",
            "note": "Mang theo giấy hẹn",
        },
        headers=await login(coordinator),
    )
    assert given.status_code in (200, 201), given.text
    withdrawal = {"purposes": ["contact_phone"], "asked_by": "Chị Lan", "channel": "in_person"}
    withdrawn = await client.post(
        f"/api/v1/households/{record}/withdrawals",
        json=withdrawal,
        headers=await login(coordinator),
    )
    assert withdrawn.status_code == 201, withdrawn.text
    assert (await browser.get(f"/review/households/{record}")).status_code == 200
    export = await browser.get(f"/coverage/{area.code}/export/households.csv")
    assert export.status_code == 200

    page = await browser.get(f"/review/households/{record}/copy")

    assert page.status_code == 200
    rows = await _rows_about(record)
    assert {
        "household",
        "checklist",
        "assignment",
        "access_log",
        "change_log",
        "sync_conflict",
        "consent_withdrawal",
    } <= set(rows)
    assert all(rows[table] for table in ("checklist", "assignment", "change_log", "sync_conflict"))
    missing = [
        f"{table}:{row}"
        for table, ids in rows.items()
        for row in ids
        if f'data-row="{table}:{row}"' not in page.text
    ]
    assert missing == []
    text = page.text
    # The household's fields as people read them: labels, choice labels, names of who did what.
    household = await Household.get(id=record)
    for shown in ("Nguyễn Văn An", "Xóm 2", "Nhà có hai con nhỏ", "Nhà gần chợ", "Chị Lan"):
        assert shown in text
    assert household.phone is None  # withdrawn with contact_phone: gone from the copy too
    assert "0912 345 678" not in text and "0912345678" not in text
    assert "Đã kích hoạt mức 1" in text or "mức 1" in text  # vneid = level1, as its label
    assert member.name in text and other.name in text and coordinator.name in text
    purpose = curriculum.consent_purposes()[0]
    assert purpose.help["vi"] in text and "2026-01-01" not in text  # no versions recorded
    assert template.title["vi"] in text and step.label["vi"] in text
    assert "Mang theo giấy hẹn" in text
    assert 'data-row="export:' in text  # the household list it appeared in


async def test_another_communes_coordinator_cannot_open_the_copy(
    village, user, login, push, signed_in
):
    area = await village(COMMUNE_A)
    headers = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    await push(headers, "dev-c", [mutation(record, household_data(area.code))], ["applied"])
    browser = await signed_in(await user(roles.COORDINATOR, "16636"))

    page = await browser.get(f"/review/households/{record}/copy")

    assert page.status_code == 404
    assert "Nguyễn Văn An" not in page.text
