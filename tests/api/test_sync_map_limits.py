"""Map fields are bounded by their rule: keys, key length, value size, nesting (issue 11, #2).

An over-limit map is a `rejected` receipt with a field error; the rest of the batch goes on.
Run with `-s` to see how long a push of a map at the limit, and one far over it, take.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from server.accounts import roles
from server.lessons.models import LessonProgress
from server.sync.registry import sync_types
from server.syncable.fields import MAX_DEPTH
from server.syncable.models import Conflict
from tests.data import COMMUNE_A, household_data, mutation

ANSWERS = next(r for t in sync_types() if t.name == "lesson_progress" for r in t.rules if r.is_map)


def _progress(answers: Any, **extra: Any) -> dict[str, Any]:
    return {"lesson_slug": "bai-thu", "status": "started", "answers": answers, **extra}


def _answers(n: int, prefix: str = "q") -> dict[str, int]:
    return {f"{prefix}{i}": i % 4 for i in range(n)}


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


async def _member(village, user, login) -> dict[str, str]:
    area = await village(COMMUNE_A)
    return await login(await user(roles.MEMBER, area.code))


async def test_a_map_at_the_limit_is_applied_and_one_over_is_refused_alone(
    village, user, login, push
):
    headers = await _member(village, user, login)
    at_limit = mutation(
        uuid.uuid4(), _progress(_answers(ANSWERS.max_keys)), type_="lesson_progress"
    )
    over = mutation(
        uuid.uuid4(), _progress(_answers(ANSWERS.max_keys + 1)), type_="lesson_progress"
    )
    started = time.perf_counter()
    receipts = await push(headers, "dev-limit", [over, at_limit])
    print(f"\npush of {ANSWERS.max_keys} answers: {time.perf_counter() - started:.3f} s")
    assert [r["status"] for r in receipts] == ["rejected", "applied"], receipts
    assert receipts[0]["errors"][0]["field"] == "answers"


async def test_forty_thousand_keys_are_refused_at_once(village, user, login, push):
    """The review's 40,000 keys took ~5 s and held every other request (a quadratic merge)."""
    headers = await _member(village, user, login)
    huge = mutation(uuid.uuid4(), _progress(_answers(40_000)), type_="lesson_progress")
    started = time.perf_counter()
    [receipt] = await push(headers, "dev-huge", [huge])
    print(f"\npush of 40,000 answers: {time.perf_counter() - started:.3f} s")
    assert receipt["status"] == "rejected", receipt


@pytest.mark.parametrize(
    "answers",
    [
        {"": "x"},
        {"q" * (ANSWERS.max_key_length + 1): 1},
        {"q1": "x" * (ANSWERS.max_value_size + 1)},
        {"q\n1": 1},
        {"q1": _nested(MAX_DEPTH)},
        {"q1": _nested(300)},
        ["q1"],
        "q1",
    ],
    ids=[
        "empty key",
        "long key",
        "large value",
        "control key",
        "deep",
        "very deep",
        "list",
        "text",
    ],
)
async def test_a_badly_shaped_map_is_a_field_error(village, user, login, push, answers):
    headers = await _member(village, user, login)
    bad = mutation(uuid.uuid4(), _progress(answers), type_="lesson_progress")
    good = mutation(uuid.uuid4(), _progress({"q1": 2}), type_="lesson_progress")
    receipts = await push(headers, "dev-shape", [bad, good])
    assert [r["status"] for r in receipts] == ["rejected", "applied"], receipts
    assert receipts[0]["errors"][0]["field"].startswith("answers"), receipts


async def test_the_merged_map_is_bounded_too(village, user, login, push):
    """Keys added a few at a time cannot grow a map past its limit."""
    headers = await _member(village, user, login)
    record = uuid.uuid4()
    half = ANSWERS.max_keys // 2 + 1
    first = mutation(record, _progress(_answers(half, "a")), type_="lesson_progress")
    await push(headers, "dev-grow", [first], expect={"applied"})
    more = mutation(record, {"answers": _answers(half, "b")}, "update", type_="lesson_progress")
    [receipt] = await push(headers, "dev-grow", [more])
    assert receipt["status"] == "rejected", receipt
    assert receipt["errors"][0]["field"] == "answers"


async def test_a_household_with_too_many_indicators_is_refused(village, user, login, push):
    area = await village(COMMUNE_A)
    headers = await login(await user(roles.MEMBER, area.code))
    indicators = {f"k{i}": 1 for i in range(1000)}
    [receipt] = await push(
        headers,
        "dev-ind",
        [mutation(uuid.uuid4(), household_data(area.code, indicators=indicators))],
    )
    assert receipt["status"] == "rejected", receipt
    assert receipt["errors"][0]["field"] == "indicators"


async def test_the_schema_tells_the_phone_every_map_bound(client, village, user, login):
    headers = await _member(village, user, login)
    schema = (await client.get("/api/v1/sync/schema", headers=headers)).json()
    maps = [f for t in schema["types"] for f in t["fields"] if f["kind"] == "map"]
    assert {f["name"] for f in maps} == {"indicators", "items", "answers"}
    for described in maps:
        assert described["max_keys"] > 0 and described["max_key_length"] > 0, described
        assert described["max_value_size"] > 0 and described["max_depth"] == MAX_DEPTH


def test_every_map_key_fits_the_conflict_table():
    """A conflict is kept under `<field>.<key>`: the longest key must fit its column."""
    column = Conflict._meta.fields_map["field"].max_length
    for sync_type in sync_types():
        for rule in sync_type.rules:
            if rule.is_map:
                assert len(rule.name) + 1 + rule.max_key_length <= column, rule


async def test_a_map_stored_over_the_limit_can_change_but_not_grow(village, user, login, push):
    """One stored too large by an older server stays usable: existing keys change, none add."""
    headers = await _member(village, user, login)
    record = uuid.uuid4()
    made = mutation(record, _progress({"q0": 0}), type_="lesson_progress")
    await push(headers, "dev-old", [made], {"applied"})
    await LessonProgress.filter(id=record).update(answers=_answers(ANSWERS.max_keys + 10))
    change = mutation(record, {"answers": {"q0": 3}}, "update", type_="lesson_progress")
    grow = mutation(record, {"answers": {"new": 1}}, "update", type_="lesson_progress")
    receipts = await push(headers, "dev-old", [change, grow])
    assert [r["status"] for r in receipts] == ["applied", "rejected"], receipts
    assert (await LessonProgress.get(id=record)).answers["q0"] == 3
