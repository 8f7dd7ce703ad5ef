"""Malformed sync input is a 400 or a field error, never a 500 (issue 11, #12, the sync parts)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server.accounts import roles
from server.syncable.models import Conflict, Device
from tests.data import COMMUNE_A, mutation


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw",
    ['{"household":[1e400,0]}', f'{{"household":[{2**70},0]}}', '{"household":[0,-1e400]}'],
    ids=["1e400", "2^70", "-1e400"],
)
async def test_a_cursor_with_numbers_no_cursor_of_ours_holds_is_a_400(
    client, village, user, login, raw
):
    headers = await login(await user(roles.MEMBER, (await village(COMMUNE_A)).code))
    response = await client.get(
        "/api/v1/sync/pull", params={"cursor": _cursor(raw)}, headers=headers
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"]


async def test_a_nul_in_the_pulls_device_id_or_app_version_is_no_500(client, village, user, login):
    headers = await login(await user(roles.MEMBER, (await village(COMMUNE_A)).code))
    refused = await client.get(
        "/api/v1/sync/pull", params={"device_id": "dev\x00nul"}, headers=headers
    )
    assert refused.status_code == 400, refused.text
    device = f"dev-{uuid.uuid4().hex[:8]}"
    kept = await client.get(
        "/api/v1/sync/pull",
        params={"device_id": device, "app_version": "1.0\x00x"},
        headers=headers,
    )
    assert kept.status_code == 200, kept.text
    assert (await Device.get(id=device)).app_version == "1.0x"


async def _assignment(client, village, user, login) -> tuple[dict[str, str], str, int]:
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))
    due = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    made = await client.post(
        "/api/v1/assignments",
        json={"member_id": str(member.id), "template_key": "scam_safety", "due_date": due},
        headers=coordinator,
    )
    assert made.status_code == 201, made.text
    return await login(member), made.json()["id"], made.json()["version"]


@pytest.mark.parametrize(
    "done_at",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1970-01-01T00:00:00Z"],
)
async def test_an_instant_out_of_range_is_a_field_error_not_a_failed_batch(
    client, village, user, login, push, done_at
):
    headers, assignment, version = await _assignment(client, village, user, login)
    bad = mutation(assignment, {"done_at": done_at}, "update", version, "assignment")
    progress = {"lesson_slug": "bai-thu", "status": "started"}
    good = mutation(uuid.uuid4(), progress, type_="lesson_progress")
    receipts = await push(headers, "dev-when", [bad, good])
    assert [r["status"] for r in receipts] == ["rejected", "applied"], receipts
    assert receipts[0]["errors"][0]["field"] == "done_at"


async def test_answers_nested_a_thousand_levels_are_refused_cleanly(client, village, user, login):
    headers = await login(await user(roles.MEMBER, (await village(COMMUNE_A)).code))
    deep = "1"
    for _ in range(1000):
        deep = '{"a":' + deep + "}"
    progress = {"lesson_slug": "bai-thu", "status": "started", "answers": {"q1": "DEEP"}}
    batch = {"device_id": "dev-deep", "mutations": [mutation(uuid.uuid4(), progress)]}
    batch["mutations"][0]["type"] = "lesson_progress"
    body = json.dumps(batch).replace('"DEEP"', deep)  # json.dumps itself stops at ~1,000 levels
    response = await client.post(
        "/api/v1/sync/push",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code in (200, 400), response.text[:300]
    if response.status_code == 200:
        assert response.json()["results"][0]["status"] == "rejected"


async def test_a_conflict_on_the_longest_answers_key_is_kept(village, user, login, push):
    """The conflict table's field column holds `answers.` and the longest key a rule allows."""
    headers = await login(await user(roles.MEMBER, (await village(COMMUNE_A)).code))
    key = "q" * 60
    record = uuid.uuid4()
    start = {"lesson_slug": "bai-thu", "status": "started", "answers": {key: 0}}
    [made] = await push(headers, "dev-one", [mutation(record, start, type_="lesson_progress")])
    base = made["version"]
    first = mutation(record, {"answers": {key: 1}}, "update", base, "lesson_progress")
    await push(headers, "dev-one", [first], {"applied"})
    second = mutation(record, {"answers": {key: 2}}, "update", base, "lesson_progress")
    [receipt] = await push(headers, "dev-two", [second])
    assert receipt["status"] == "conflict", receipt
    assert await Conflict.filter(record_id=record, field=f"answers.{key}").exists()
    longer = mutation(record, {"answers": {key + "q" * 21: 1}}, "update", base, "lesson_progress")
    [refused] = await push(headers, "dev-two", [longer])
    assert refused["status"] == "rejected", json.dumps(refused)
