"""Coverage screens and exports stay inside the coordinator's area; every export is logged."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from server.accounts import roles
from server.content import curriculum
from server.coverage import exports
from server.syncable.models import ChangeLog, Device
from server.teams.models import Team
from server.web import cells
from tests.data import COMMUNE_A, COMMUNE_B, household_data, mutation

PROVINCE = "38"
SKILLS = {
    key: True
    for key in (
        "skill_public_services",
        "skill_online_shopping",
        "skill_online_payment",
        "skill_cyber_safety",
        "skill_local_platforms",
    )
}


@pytest.fixture
async def two_communes(client, village, user, login, push):
    """A village with households in each commune, named so that a leak is easy to spot."""
    mine, theirs = await village(COMMUNE_A, 10), await village(COMMUNE_B, 10)
    for area, head in ((mine, "Hộ Xã A"), (theirs, "Hộ Xã B Bí Mật")):
        member = await login(await user(roles.MEMBER, area.code))
        await push(
            member,
            f"phone-{area.code}",
            [
                mutation(
                    uuid.uuid4(), household_data(area.code, head_name=head, indicators=SKILLS)
                ),
                mutation(uuid.uuid4(), household_data(area.code, head_name=head)),
            ],
            expect={"applied"},
        )
    return mine, theirs


def _urls(code: str) -> list[str]:
    return [
        f"/coverage/{code}",
        f"/coverage/{code}/activity",
        *(
            f"/coverage/{code}/export/{k}.{f}"
            for k in ("coverage", "households")
            for f in ("xlsx", "csv")
        ),
        f"/api/v1/coverage/{code}",
    ]


async def test_a_commune_coordinator_never_sees_another_commune(client, login, user, two_communes):
    mine, theirs = two_communes
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))
    for code in (COMMUNE_B, theirs.code, PROVINCE):
        for url in _urls(code):
            response = await client.get(url, headers=headers)
            assert response.status_code == 404, url
            assert theirs.name not in response.text and "Bí Mật" not in response.text
    for url in _urls(COMMUNE_A) + _urls(mine.code):
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, url
        if url.endswith(".xlsx"):
            text = " ".join(
                str(cell)
                for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(
                    values_only=True
                )
                for cell in row
            )
        else:
            text = response.text
        assert theirs.name not in text and "Bí Mật" not in text and theirs.code not in text, url
    start = await client.get("/coverage", headers=headers)
    assert start.headers["location"] == f"/coverage/{COMMUNE_A}"
    for odd in ("x" * 300, "%00", "16591-001%27%20OR%201=1"):
        assert (await client.get(f"/coverage/{odd}", headers=headers)).status_code == 404
        assert (await client.get(f"/api/v1/coverage/{odd}", headers=headers)).status_code == 404
    bad_kind = await client.get(f"/coverage/{COMMUNE_A}/export/phones.xlsx", headers=headers)
    assert bad_kind.status_code == 404


@pytest.mark.parametrize("role", [roles.MEMBER, roles.TRAINER])
async def test_members_and_trainers_cannot_open_coverage(client, login, user, two_communes, role):
    mine, _ = two_communes
    headers = await login(await user(role, mine.code if role == roles.MEMBER else PROVINCE))
    for url in ["/coverage", *_urls(mine.code)]:
        assert (await client.get(url, headers=headers)).status_code == 403, url


async def test_signed_out_visitors_are_sent_to_sign_in(client, two_communes):
    mine, _ = two_communes
    for url in ["/coverage", *_urls(mine.code)[:-1]]:
        response = await client.get(url)
        assert (response.status_code, response.headers["location"]) == (303, "/sign-in"), url
    assert (await client.get(f"/api/v1/coverage/{mine.code}")).status_code == 401


async def test_province_coordinator_and_admin_see_both_communes(client, login, user, two_communes):
    _mine, theirs = two_communes
    for who in (await user(roles.COORDINATOR, PROVINCE), await user(roles.ADMIN, PROVINCE)):
        headers = await login(who)
        body = (await client.get(f"/api/v1/coverage/{PROVINCE}", headers=headers)).json()
        communes = {line["code"] for line in body["children"]}
        assert {COMMUNE_A, COMMUNE_B} <= communes
        assert (await client.get(f"/coverage/{theirs.code}", headers=headers)).status_code == 200


async def test_coverage_export_has_the_dashboard_numbers_and_is_logged(
    client, login, user, two_communes
):
    mine, _ = two_communes
    coordinator = await user(roles.COORDINATOR, COMMUNE_A, language="en")
    headers = await login(coordinator)

    response = await client.get(f"/coverage/{COMMUNE_A}/export/coverage.xlsx", headers=headers)

    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, by_code = rows[1], {row[3]: row for row in rows[2:-1]}
    assert header[:7] == (
        "Province",
        "Commune",
        "Village",
        "Village code",
        "Estimated households",
        "Households onboarded",
        "Onboarded, percent of estimate",
    )
    row = dict(zip(header, by_code[mine.code], strict=True))
    assert row["Households onboarded"] == 2 and row["Estimated households"] == 10
    assert row["Onboarded, percent of estimate"] == 0.2  # a percent-formatted cell
    target = "National target: a household member proficient in the 05 basic digital skills"
    assert row[target] == 1
    api = (await client.get(f"/api/v1/coverage/{mine.code}", headers=headers)).json()
    assert row["Households onboarded"] == api["area"]["households"]
    assert set(by_code) >= {mine.code}
    assert all(code.startswith(COMMUNE_A) for code in by_code)

    log = await ChangeLog.filter(record_type="export", user_id=coordinator.id).order_by("-id")
    assert len(log) == 1
    assert log[0].after == {
        "what": "coverage",
        "format": "xlsx",
        "area": COMMUNE_A,
        "rows": len(rows) - 3,  # less the title, the header and the totals
    }


@pytest.mark.parametrize("kind", ["coverage", "households"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
async def test_exports_are_written_off_the_event_loop(
    client, login, user, two_communes, monkeypatch, kind, fmt
):
    """A province's export is seconds of CPU (openpyxl): on the event loop it would hold every
    other user's request meanwhile (bench/hostile.py, issue 11). Each row is turned into cells
    in a worker thread."""
    threads: set[int] = set()
    for name in ("csv_row", "xlsx_row"):
        original = getattr(cells, name)

        def spy(*args, _original=original, **options):
            threads.add(threading.get_ident())
            return _original(*args, **options)

        monkeypatch.setattr(cells, name, spy)
    headers = await login(await user(roles.COORDINATOR, PROVINCE))

    response = await client.get(f"/coverage/{PROVINCE}/export/{kind}.{fmt}", headers=headers)

    assert response.status_code == 200
    assert threads and threading.get_ident() not in threads


async def test_one_export_is_built_at_a_time(client, login, user, two_communes, monkeypatch):
    """Each export computing in its own thread would take the GIL from the event loop four
    times over: coordinators downloading at once wait their turn instead."""
    running, most = 0, 0
    lock = threading.Lock()
    original = cells.csv_row

    def slow_row(values):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return original(values)

    monkeypatch.setattr(cells, "csv_row", slow_row)
    headers = await login(await user(roles.COORDINATOR, PROVINCE))

    async def download() -> int:
        url = f"/coverage/{PROVINCE}/export/households.csv"
        return (await client.get(url, headers=headers)).status_code

    assert await asyncio.gather(*(download() for _ in range(4))) == [200] * 4
    assert most == exports.BUILDING_AT_ONCE == 1


async def test_household_list_leaves_out_phones_and_notes(client, login, user, two_communes):
    mine, _ = two_communes
    coordinator = await user(roles.COORDINATOR, COMMUNE_A, language="en")
    headers = await login(coordinator)

    response = await client.get(f"/coverage/{mine.code}/export/households.csv", headers=headers)

    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert {r["Head of household"] for r in rows} == {"Hộ Xã A"}
    assert not any(name.lower() in ("phone", "phone number", "notes") for name in rows[0])
    assert "0912345678" not in response.text and "Notes" not in rows[0]
    target = "National target: a household member proficient in the 05 basic digital skills"
    assert sorted(r[target] for r in rows) == ["No", "Yes"]
    assert await ChangeLog.filter(record_type="export", user_id=coordinator.id).count() == 1


async def test_activity_counts_this_weeks_work_and_flags_silent_phones(
    client, village, user, login, push
):
    area = await village(COMMUNE_B, 10)
    await Team.create(village=area, name="Tổ Thử Hoạt Động")
    worker, idle = await user(roles.MEMBER, area.code), await user(roles.MEMBER, area.code)
    headers = await login(worker)
    households = [uuid.uuid4() for _ in range(3)]
    template = curriculum.checklist_templates()["mobile_money"]
    now = datetime.now(UTC).isoformat()
    done = {item.key: {"done": True, "at": now} for item in template.items}
    half = dict(list(done.items())[:2])
    await push(
        headers,
        "phone-worker",
        [
            *(mutation(h, household_data(area.code)) for h in households),
            *(
                mutation(
                    uuid.uuid4(),
                    {
                        "household_id": str(h),
                        "template_key": template.key,
                        "template_version": template.version,
                        "items": items,
                    },
                    type_="checklist",
                )
                for h, items in zip(households, (done, done, half), strict=True)
            ),
            mutation(
                uuid.uuid4(),
                {"lesson_slug": "an-toan-tren-mang", "status": "completed", "score": 100},
                type_="lesson_progress",
            ),
            mutation(
                uuid.uuid4(),
                {"lesson_slug": "vneid-muc-2", "status": "started"},
                type_="lesson_progress",
            ),
        ],
        expect={"applied"},
    )
    pull = await client.get(
        "/api/v1/sync/pull",
        params={"device_id": "phone-worker", "pending_changes": "4", "app_version": "9.9.9"},
        headers=headers,
    )
    assert pull.status_code == 200
    await Device.create(
        id="phone-idle",
        user_id=idle.id,
        last_pull_at=datetime.now(UTC) - timedelta(days=4),
        app_version="0.0.1",
    )
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_B))

    page = await client.get(f"/coverage/{area.code}/activity", headers=coordinator)

    assert page.status_code == 200
    assert "Tổ Thử Hoạt Động" in page.text
    worker_row = page.text.split(f'data-user="{worker.id}"')[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in worker_row.split("<td>")[1:]] == ["3", "2", "1"]
    busy = page.text.split('data-device="phone-worker"')[1].split("</tr>")[0]
    assert "9.9.9" in busy and "<td>4</td>" in busy and "tag bad" not in busy
    silent = page.text.split('data-device="phone-idle"')[1].split("</tr>")[0]
    assert page.text.split('data-device="phone-idle"')[1].startswith(' class="silent"')
    assert "tag bad" in silent
