"""The coverage dashboard's numbers equal a direct count of the households, at every level."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from tortoise.expressions import Q

from server.accounts import roles
from server.areas.models import Area
from server.cli.upgrade import upgrade
from server.content import curriculum
from server.coverage import tally
from server.coverage.models import CoverageTotal, CoverageWeek
from server.households.models import Household
from server.settings import Settings
from tests.data import COMMUNE_A, COMMUNE_B, household_data, mutation

PROVINCE = "38"
ALL_SKILLS = {
    "skill_public_services": True,
    "skill_online_shopping": True,
    "skill_online_payment": True,
    "skill_cyber_safety": True,
    "skill_local_platforms": True,
}

TAKEN = {"applied", "merged"}


def _phone(headers: dict[str, str]) -> str:
    """One phone per signed-in member: its own successive edits never conflict."""
    return f"phone-{headers['Authorization'][-12:]}"


async def _direct(column: str, code: str) -> dict[str, int]:
    """Count straight from the household table with the indicator set's own rules."""
    indicator_set = curriculum.indicator_set()
    counts = {"households": 0, "target": 0}
    for indicator in indicator_set.indicators:
        counts[indicator.key] = 0
        counts[f"na:{indicator.key}"] = 0
    target = indicator_set.targets[0]
    skills = [i for i in indicator_set.indicators if i.group == target.group]
    # Live households, and erased ones: anonymous tombstones still counted (docs/coverage.md).
    counted = Q(deleted=False) | Q(erased_at__isnull=False)
    for household in await Household.filter(counted, **{column: code}):
        values = household.indicators
        counts["households"] += 1
        counts["target"] += all(i.meets_value(values.get(i.key)) for i in skills)
        for indicator in indicator_set.indicators:
            value = values.get(indicator.key)
            if not indicator.applies(value):
                counts[f"na:{indicator.key}"] += 1
            elif indicator.meets_value(value):
                counts[indicator.key] += 1
    return counts


async def _shown(client: httpx.AsyncClient, headers: dict[str, str], code: str) -> dict[str, int]:
    """The same numbers as the dashboard API reports them."""
    response = await client.get(f"/api/v1/coverage/{code}", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    counts = {"households": body["area"]["households"], "target": body["area"]["target"]}
    for line in body["indicators"]:
        if line["group"] == "target":
            assert line["meets"] == body["area"]["target"]
            continue
        counts[line["key"]] = line["meets"]
        counts[f"na:{line['key']}"] = body["area"]["households"] - line["base"]
    return counts


def _minus(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {key: after[key] - before.get(key, 0) for key in after}


async def test_counts_match_a_direct_count_after_creates_updates_deletes_and_moves(
    client, village, user, login, push
):
    home, other = await village(COMMUNE_A, 40), await village(COMMUNE_A, 30)
    member_headers = await login(await user(roles.MEMBER, home.code, other.code))
    headers = await login(await user(roles.COORDINATOR, PROVINCE))
    levels = [("commune_code", COMMUNE_A), ("province_code", PROVINCE)]
    before_shown = {code: await _shown(client, headers, code) for _, code in levels}
    before_direct = {code: await _direct(column, code) for column, code in levels}

    ids = [uuid.uuid4() for _ in range(6)]
    await push(
        member_headers,
        _phone(member_headers),
        [
            mutation(
                ids[0], household_data(home.code, indicators={**ALL_SKILLS, "vneid": "level2"})
            ),
            mutation(
                ids[1], household_data(home.code, indicators={"sells_online": "not_producer"})
            ),
            mutation(ids[2], household_data(home.code, indicators={"smartphone_count": 0})),
            mutation(ids[3], household_data(home.code)),
            mutation(ids[4], household_data(other.code, indicators=ALL_SKILLS)),
            # created and edited in one batch, as a phone does after a day offline
            mutation(ids[5], household_data(home.code)),
            mutation(ids[5], {"indicators": {"sells_online": "selling_online"}}, op="update"),
        ],
        expect=TAKEN,
    )
    await push(
        member_headers,
        _phone(member_headers),
        [
            mutation(ids[2], {"indicators": {**ALL_SKILLS, "smartphone_count": 2}}, op="update"),
            mutation(ids[0], {"indicators": {"skill_cyber_safety": False}}, op="update"),
            mutation(ids[3], {}, op="delete"),
            mutation(ids[4], {"village_code": home.code}, op="update"),  # moved village
            mutation(ids[1], {"indicators": {"sells_online": "producer_not_selling"}}, op="update"),
        ],
        expect=TAKEN,
    )

    assert await _shown(client, headers, home.code) == await _direct("village_code", home.code)
    assert await _shown(client, headers, other.code) == await _direct("village_code", other.code)
    home_counts = await _shown(client, headers, home.code)
    assert home_counts["households"] == 5 and home_counts["target"] == 2
    assert home_counts["na:sells_online"] == 0 and home_counts["sells_online"] == 1
    for column, code in levels:
        shown = _minus(await _shown(client, headers, code), before_shown[code])
        direct = _minus(await _direct(column, code), before_direct[code])
        assert shown == direct, code
        assert shown["households"] == 5


async def test_percentages_use_onboarded_and_estimated_households(
    client, village, user, login, push
):
    area = await village(COMMUNE_A, 10)
    member = await login(await user(roles.MEMBER, area.code))
    await push(
        member,
        _phone(member),
        [
            mutation(uuid.uuid4(), household_data(area.code, indicators=ALL_SKILLS)),
            mutation(
                uuid.uuid4(), household_data(area.code, indicators={"sells_online": "not_producer"})
            ),
            mutation(
                uuid.uuid4(),
                household_data(area.code, indicators={"sells_online": "selling_online"}),
            ),
            mutation(uuid.uuid4(), household_data(area.code)),
        ],
        expect=TAKEN,
    )
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))
    body = (await client.get(f"/api/v1/coverage/{area.code}", headers=headers)).json()
    lines = {line["key"]: line for line in body["indicators"]}
    assert body["area"] == {
        "code": area.code,
        "name": area.name,
        "kind": "village",
        "estimate": 10,
        "households": 4,
        "target": 1,
    }
    assert lines["target:national_05_skills"]["percent_of_onboarded"] == 25.0
    assert lines["target:national_05_skills"]["percent_of_estimate"] == 10.0
    assert lines["smartphone_count"]["meets"] == 1  # only the last one records a smartphone
    assert lines["sells_online"] == {
        "key": "sells_online",
        "group": "economy",
        "meets": 1,
        "base": 3,  # the household that does not produce for sale is left out
        "percent_of_onboarded": 33.3,
        "percent_of_estimate": None,
    }


async def test_trend_ends_with_the_current_totals(client, village, user, login, push):
    area = await village(COMMUNE_A, 20)
    member = await login(await user(roles.MEMBER, area.code))
    await push(
        member,
        _phone(member),
        [
            mutation(uuid.uuid4(), household_data(area.code, indicators=ALL_SKILLS))
            for _ in range(3)
        ],
        expect=TAKEN,
    )
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))
    trend = (await client.get(f"/api/v1/coverage/{area.code}", headers=headers)).json()["trend"]
    assert len(trend) == 12
    assert trend[-1]["households"] == 3 and trend[-1]["target"] == 3
    assert all(point["households"] == 0 for point in trend[:-1])


async def test_commune_lists_villages_lowest_first(client, village, user, login, push):
    behind, ahead = await village(COMMUNE_B, 50), await village(COMMUNE_B, 5)
    member = await login(await user(roles.MEMBER, behind.code, ahead.code))
    await push(
        member,
        _phone(member),
        [
            mutation(uuid.uuid4(), household_data(behind.code, indicators=ALL_SKILLS)),
            *(
                mutation(uuid.uuid4(), household_data(ahead.code, indicators=ALL_SKILLS))
                for _ in range(4)
            ),
        ],
        expect=TAKEN,
    )
    headers = await login(await user(roles.COORDINATOR, COMMUNE_B))
    body = (await client.get(f"/api/v1/coverage/{COMMUNE_B}", headers=headers)).json()
    ranked = [line["code"] for line in body["lowest"]]
    assert ranked.index(behind.code) < ranked.index(ahead.code)
    shares = [line["target"] / line["estimate"] for line in body["lowest"] if line["estimate"]]
    assert shares == sorted(shares)


async def test_rebuild_recounts_the_same_numbers(client, village, user, login, push):
    area = await village(COMMUNE_A, 20)
    member = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    await push(
        member,
        _phone(member),
        [mutation(record, household_data(area.code, indicators=ALL_SKILLS))],
        expect=TAKEN,
    )
    await push(
        member,
        _phone(member),
        [mutation(record, {"indicators": {"vneid": "level2"}}, op="update")],
        expect=TAKEN,
    )
    headers = await login(await user(roles.COORDINATOR, PROVINCE))
    before = {code: await _shown(client, headers, code) for code in (area.code, COMMUNE_A)}

    counted = await tally.rebuild()

    assert counted >= 1
    for code, numbers in before.items():
        assert await _shown(client, headers, code) == numbers
    assert await _shown(client, headers, area.code) == await _direct("village_code", area.code)


async def test_upgrade_counts_households_when_the_counts_are_empty(
    client, settings: Settings, village, user, login, push
):
    area = await village(COMMUNE_A, 20)
    member = await login(await user(roles.MEMBER, area.code))
    for _ in range(2):
        await push(
            member,
            _phone(member),
            [mutation(uuid.uuid4(), household_data(area.code, indicators=ALL_SKILLS))],
            expect=TAKEN,
        )
    headers = await login(await user(roles.COORDINATOR, PROVINCE))
    # As after migrating an older database to 0004: households, but no counts yet.
    await CoverageTotal.all().delete()
    await CoverageWeek.all().delete()
    assert (await _shown(client, headers, area.code))["households"] == 0

    counted = await upgrade(settings)

    assert counted is not None and counted >= 2
    assert await _shown(client, headers, area.code) == await _direct("village_code", area.code)
    assert await _shown(client, headers, COMMUNE_A) == await _direct("commune_code", COMMUNE_A)
    assert await upgrade(settings) is None  # counts exist now: nothing more to do


async def test_dashboard_page_drills_down_with_charts_and_tables(
    client, village, user, login, push
):
    area = await village(COMMUNE_A, 12)
    member = await login(await user(roles.MEMBER, area.code))
    await push(
        member,
        _phone(member),
        [mutation(uuid.uuid4(), household_data(area.code, indicators=ALL_SKILLS))],
        expect=TAKEN,
    )
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))

    start = await client.get("/coverage", headers=headers)
    assert start.status_code == 303 and start.headers["location"] == f"/coverage/{COMMUNE_A}"
    page = await client.get(f"/coverage/{COMMUNE_A}", headers=headers)
    assert page.status_code == 200
    assert f'href="/coverage/{area.code}"' in page.text
    assert page.text.count("<svg") == 3 and page.text.count("<table") >= 4
    fragment = await client.get(f"/coverage/{area.code}", headers={**headers, "HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'data-testid="households">1<' in fragment.text
    assert (await Area.get(code=COMMUNE_A)).name in fragment.text


async def test_province_ranks_its_villages_like_a_commune_does(client, village, user, login, push):
    """The province's SQL ranking agrees with ranking every village of its communes."""
    behind, ahead = await village(COMMUNE_A, 40), await village(COMMUNE_B, 4)
    member = await login(await user(roles.MEMBER, behind.code, ahead.code))
    await push(
        member,
        _phone(member),
        [
            mutation(uuid.uuid4(), household_data(behind.code)),
            *(
                mutation(uuid.uuid4(), household_data(ahead.code, indicators=ALL_SKILLS))
                for _ in range(3)
            ),
        ],
        expect=TAKEN,
    )
    headers = await login(await user(roles.COORDINATOR, PROVINCE))
    province = (await client.get(f"/api/v1/coverage/{PROVINCE}", headers=headers)).json()
    villages = []
    for commune in province["children"]:
        body = (await client.get(f"/api/v1/coverage/{commune['code']}", headers=headers)).json()
        villages += body["children"]

    def behind_first(line: dict[str, Any]) -> tuple[float, float, str]:
        base = line["estimate"] or line["households"]
        return (
            line["target"] / base if base else 0.0,
            line["households"] / line["estimate"] if line["estimate"] else 0.0,
            line["code"],
        )

    expected = sorted(villages, key=behind_first)[: len(province["lowest"])]
    assert [v["code"] for v in province["lowest"]] == [v["code"] for v in expected]
    assert len(province["lowest"]) == min(15, len(villages))
    assert sum(c["households"] for c in province["children"]) == province["area"]["households"]


@pytest.mark.postgres  # SQLite runs one write transaction at a time: no race to test
async def test_concurrent_pushes_in_one_commune_keep_exact_counts(
    client, village, user, login, push
):
    areas = [await village(COMMUNE_B, 30) for _ in range(4)]
    members = [await login(await user(roles.MEMBER, area.code)) for area in areas]
    headers = await login(await user(roles.COORDINATOR, COMMUNE_B))
    before = await _shown(client, headers, COMMUNE_B)
    before_direct = await _direct("commune_code", COMMUNE_B)

    async def work(area: Area, member: dict[str, str]) -> None:
        for n in range(3):
            await push(
                member,
                _phone(member),
                [
                    mutation(
                        uuid.uuid4(),
                        household_data(area.code, indicators=ALL_SKILLS if n % 2 else {}),
                    )
                    for _ in range(10)
                ],
                expect=TAKEN,
            )

    await asyncio.gather(*(work(a, m) for a, m in zip(areas, members, strict=True)))

    shown = _minus(await _shown(client, headers, COMMUNE_B), before)
    assert shown == _minus(await _direct("commune_code", COMMUNE_B), before_direct)
    assert shown["households"] == 120 and shown["target"] == 40


async def test_trend_carries_older_weeks_into_the_first_week_shown(
    client, village, user, login, push
):
    area = await village(COMMUNE_A, 20)
    member = await login(await user(roles.MEMBER, area.code))
    old, recent = uuid.uuid4(), uuid.uuid4()
    await push(
        member,
        _phone(member),
        [
            mutation(old, household_data(area.code, indicators=ALL_SKILLS)),
            mutation(recent, household_data(area.code)),
        ],
        expect=TAKEN,
    )
    long_ago = datetime.now(UTC) - timedelta(weeks=20)
    three_weeks_ago = datetime.now(UTC) - timedelta(weeks=3)
    await Household.filter(id=old).update(created_at=long_ago)
    await Household.filter(id=recent).update(created_at=three_weeks_ago)
    await tally.rebuild()  # counts each household in the week it was created
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))

    trend = (await client.get(f"/api/v1/coverage/{area.code}", headers=headers)).json()["trend"]

    assert [(p["households"], p["target"]) for p in trend] == [(1, 1)] * 8 + [(2, 1)] * 4


async def test_phones_count_into_their_own_stripes_and_every_view_adds_them_up(
    client, village, user, login
):
    area = await village(COMMUNE_B, 12)
    member = await login(await user(roles.MEMBER, area.code))
    names = (f"phone-{n}" for n in range(2, 40))
    phones = ["phone-1", next(p for p in names if tally.stripe_of(p) != tally.stripe_of("phone-1"))]
    for n, phone in enumerate(phones):
        response = await client.post(
            "/api/v1/sync/push",
            json={
                "device_id": phone,
                "mutations": [
                    mutation(uuid.uuid4(), household_data(area.code, indicators=ALL_SKILLS))
                    for _ in range(n + 1)
                ],
            },
            headers=member,
        )
        assert {r["status"] for r in response.json()["results"]} == {"applied"}

    rows = await CoverageTotal.filter(area_code=area.code, key=tally.HOUSEHOLDS)
    assert sorted((r.stripe, r.count) for r in rows) == sorted(
        (tally.stripe_of(p), n + 1) for n, p in enumerate(phones)
    )
    weeks = await CoverageWeek.filter(area_code=area.code, key=tally.HOUSEHOLDS)
    assert len({w.stripe for w in weeks}) == 2
    headers = await login(await user(roles.COORDINATOR, PROVINCE))
    assert await _shown(client, headers, area.code) == await _direct("village_code", area.code)
    village_body = (await client.get(f"/api/v1/coverage/{area.code}", headers=headers)).json()
    assert village_body["trend"][-1]["households"] == 3
    commune = (await client.get(f"/api/v1/coverage/{COMMUNE_B}", headers=headers)).json()
    line = next(c for c in commune["children"] if c["code"] == area.code)
    assert (line["households"], line["target"]) == (3, 3)
    export = await client.get(f"/coverage/{COMMUNE_B}/export/coverage.csv", headers=headers)
    assert export.status_code == 200
    (row,) = [r for r in csv.reader(io.StringIO(export.text.lstrip("\ufeff"))) if area.code in r]
    assert row[row.index(area.code) + 2] == "3"  # code, estimate, households

    await tally.rebuild()  # a recount folds the stripes into stripe 0
    rows = await CoverageTotal.filter(area_code=area.code, key=tally.HOUSEHOLDS)
    assert [(r.stripe, r.count) for r in rows] == [(0, 3)]
