"""Checklist templates: coordinators make and version their own; started checklists keep working."""

from __future__ import annotations

import uuid

from server.accounts import roles
from server.checklists.models import ChecklistTemplate
from tests.api.html import alert, csrf
from tests.data import COMMUNE_A, COMMUNE_B, household_data, mutation

AT = "2026-11-24T09:00:00+07:00"


async def _schema(client, headers) -> dict:
    response = await client.get("/api/v1/sync/schema", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _create(client, headers, title: str, steps: list[str], area: str = COMMUNE_A):
    response = await client.post(
        "/api/v1/checklist-templates",
        json={"title": title, "steps": steps, "area_code": area, "description": "Thử"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_communes_checklist_reaches_only_that_communes_phones(
    client, village, user, login, signed_in
):
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await signed_in(coordinator)
    page = await browser.get("/manage/checklists")
    title = f"Đăng ký bảo hiểm y tế {uuid.uuid4().hex[:4]}"

    created = await browser.post(
        "/manage/checklists",
        data={
            "csrf_token": csrf(page),
            "area_code": COMMUNE_A,
            "title": title,
            "description": "Cho hộ chưa có thẻ",
            "steps": "Mở ứng dụng VssID\n\nKiểm tra thẻ bảo hiểm\n",
        },
    )

    assert created.status_code == 303
    key = created.headers["location"].split("/")[-1].split("?")[0]
    mine = await login(await user(roles.MEMBER, (await village(COMMUNE_A)).code))
    theirs = await login(await user(roles.MEMBER, (await village(COMMUNE_B)).code))
    [template] = [t for t in (await _schema(client, mine))["checklists"] if t["key"] == key]
    assert template["title"] == {"vi": title}
    assert [i["label"]["vi"] for i in template["items"]] == [
        "Mở ứng dụng VssID",
        "Kiểm tra thẻ bảo hiểm",
    ]
    assert key not in str(await _schema(client, theirs))
    other = await login(await user(roles.COORDINATOR, COMMUNE_B))
    assert key not in (await client.get("/api/v1/checklist-templates", headers=other)).text
    refused = await client.post(
        f"/api/v1/checklist-templates/{key}/versions",
        json={"title": "Chiếm", "steps": ["x"]},
        headers=other,
    )
    assert refused.status_code == 404


async def test_a_checklist_started_on_an_old_version_keeps_working(
    client, village, user, login, push
):
    area = await village(COMMUNE_A)
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))
    member = await login(await user(roles.MEMBER, area.code))
    first = await _create(client, coordinator, "Cài Zalo an toàn", ["Cài Zalo", "Bật xác thực"])
    key = first["key"]
    household = uuid.uuid4()
    old, new = uuid.uuid4(), uuid.uuid4()
    step_1, step_2 = (item["key"] for item in first["items"])
    await push(member, "dev-c", [mutation(household, household_data(area.code))])
    [started] = await push(
        member,
        "dev-c",
        [
            mutation(
                old,
                {"household_id": str(household), "template_key": key, "template_version": 1},
                type_="checklist",
            )
        ],
    )
    assert started["status"] == "applied", started

    second = await client.post(
        f"/api/v1/checklist-templates/{key}/versions",
        json={"title": "Cài Zalo an toàn", "steps": ["Cài Zalo", "Ẩn số điện thoại"]},
        headers=coordinator,
    )

    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2
    kept, added = (item["key"] for item in second.json()["items"])
    assert kept == step_1 and added not in (step_1, step_2)
    schema = await _schema(client, member)
    assert [t["version"] for t in schema["checklists"] if t["key"] == key] == [2]
    assert [t["version"] for t in schema["checklist_versions"] if t["key"] == key] == [1]
    tick = {"done": True, "at": AT}
    results = await push(
        member,
        "dev-c",
        [
            mutation(old, {"items": {step_2: tick}}, "update", started["version"], "checklist"),
            mutation(old, {"items": {added: tick}}, "update", started["version"], "checklist"),
            mutation(
                new,
                {
                    "household_id": str(household),
                    "template_key": key,
                    "template_version": 2,
                    "items": {added: tick},
                },
                type_="checklist",
            ),
        ],
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"], results
    assert await ChecklistTemplate.filter(key=key, is_current=True).count() == 1


async def test_national_checklists_are_changed_by_administrators_only(client, user, login):
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))
    body = {"title": "An toàn trên mạng", "steps": ["Nhận biết cuộc gọi lừa đảo"]}

    refused = await client.post(
        "/api/v1/checklist-templates/scam_safety/versions", json=body, headers=coordinator
    )
    national = await client.post(
        "/api/v1/checklist-templates", json={**body, "area_code": None}, headers=coordinator
    )

    assert refused.status_code == 403 and national.status_code == 403
    assert "quản trị" in refused.json()["error"]["message"]
    assert await ChecklistTemplate.filter(key="scam_safety").count() == 1


async def test_a_checklist_without_steps_is_refused_and_the_form_kept(user, signed_in):
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await browser.get("/manage/checklists")

    response = await browser.post(
        "/manage/checklists",
        data={
            "csrf_token": csrf(page),
            "area_code": COMMUNE_A,
            "title": "Chưa có bước",
            "steps": " \n",
        },
    )

    assert response.status_code == 422
    assert alert(response) == "Hãy viết ít nhất một bước, mỗi bước một dòng."
    assert 'value="Chưa có bước"' in response.text
