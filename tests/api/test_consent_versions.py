"""Consent evidence: each consent records the version of the purposes' texts it was given to."""

from __future__ import annotations

import uuid

import pytest

from server.accounts import roles
from server.households.models import Household
from tests.data import COMMUNE_A, household_data, mutation

VERSION = "2026-01-01"  # content/consent.toml's version of every shipped purpose


def _consent(**extra):
    return {
        "given_by": "Nguyễn Văn An",
        "purposes": ["support_records", "contact_phone"],
        "given_at": "2026-11-23T08:00:00+07:00",
        **extra,
    }


async def test_the_schema_gives_each_purpose_its_version(client, user, login, village):
    area = await village(COMMUNE_A)
    headers = await login(await user(roles.MEMBER, area.code))

    schema = (await client.get("/api/v1/sync/schema", headers=headers)).json()

    assert {p["key"]: p["version"] for p in schema["consent_purposes"]} == {
        "support_records": VERSION,
        "contact_phone": VERSION,
        "aggregate_reporting": VERSION,
    }


async def test_a_consent_keeps_the_versions_it_was_given_against(village, user, login, push):
    area = await village(COMMUNE_A)
    headers = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    versions = {
        "support_records": VERSION,
        "contact_phone": VERSION,
        "aggregate_reporting": VERSION,
    }
    data = household_data(area.code, consent=_consent(versions=versions))

    [receipt] = await push(headers, "phone-v", [mutation(record, data)])

    assert receipt["status"] == "applied", receipt
    assert (await Household.get(id=record)).consent["versions"] == versions


@pytest.mark.parametrize(
    "versions",
    [
        {"support_records": "2019-01-01", "contact_phone": VERSION},  # unknown version
        {"support_records": VERSION, "contact_phone": VERSION, "no_such_purpose": VERSION},
        {"support_records": VERSION},  # a purpose agreed without its version
        {"support_records": 20260101, "contact_phone": VERSION},
        ["support_records"],
    ],
)
async def test_a_consent_with_unknown_versions_is_refused_on_the_field(
    village, user, login, push, versions
):
    area = await village(COMMUNE_A)
    headers = await login(await user(roles.MEMBER, area.code))
    data = household_data(area.code, consent=_consent(versions=versions))

    [receipt] = await push(headers, "phone-v", [mutation(uuid.uuid4(), data)])

    assert receipt["status"] == "rejected"
    assert [e["field"] for e in receipt["errors"]] == ["consent"]
    assert receipt["errors"][0]["message"]


async def test_an_old_phone_without_versions_is_still_accepted(village, user, login, push):
    area = await village(COMMUNE_A)
    headers = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()

    [receipt] = await push(headers, "phone-v", [mutation(record, household_data(area.code))])

    assert receipt["status"] == "applied"
    assert "versions" not in (await Household.get(id=record)).consent


async def test_the_copy_shows_the_version_each_purpose_was_given_against(
    village, user, login, push, signed_in
):
    area = await village(COMMUNE_A)
    headers = await login(await user(roles.MEMBER, area.code))
    given, old = uuid.uuid4(), uuid.uuid4()
    versions = {"support_records": VERSION, "contact_phone": VERSION}
    data = household_data(area.code, consent=_consent(versions=versions))
    await push(headers, "phone-v", [mutation(given, data)], ["applied"])
    await push(headers, "phone-v", [mutation(old, household_data(area.code))], ["applied"])
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))

    copy = await browser.get(f"/review/households/{given}/copy")
    before_versions = await browser.get(f"/review/households/{old}/copy")

    consent = _section(copy.text, "consent")
    assert consent.count(f"<dd>{VERSION}</dd>") == 2  # the two purposes agreed to
    assert "Phiên bản nội dung" in consent and "Không đồng ý" in consent
    assert "không ghi lại" in _section(before_versions.text, "consent")


def _section(page: str, key: str) -> str:
    start = page.index(f'data-section="{key}"')
    return page[start : page.index("</section>", start)]
