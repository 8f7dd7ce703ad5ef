"""Set-based batches: many mutations to one record, mixed types, statements per batch, races."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid

import pytest

from server.accounts import roles
from server.checklists.models import Checklist
from server.db.config import connection, is_postgres
from server.households.models import Household
from server.lessons.models import LessonProgress
from server.sync import push as push_module
from server.sync.merge import Batch
from server.sync.push import MAX_BATCH
from server.syncable.models import ChangeLog, Conflict, SyncMutation
from tests.data import household_data, mutation


async def test_a_new_record_created_and_edited_in_one_batch(village, user, login, push):
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    record, other = uuid.uuid4(), uuid.uuid4()
    batch = [
        mutation(record, household_data(area.code, notes="lần 1")),
        mutation(record, {"notes": "lần 2", "indicators": {"vneid": "level2"}}, "update"),
        mutation(other, household_data(area.code)),
        mutation(record, {"notes": "lần 3"}, "update"),
        mutation(record, household_data(area.code, head_name="Tạo lại"), "create"),
    ]
    results = await push(headers, "dev-one", batch)

    assert [r["status"] for r in results] == ["applied"] * 5
    mine = [r["version"] for r in results if r["record_id"] == str(record)]
    assert len(set(mine)) == 1 and mine[0] != results[2]["version"]
    saved = await Household.get(id=record)
    assert (saved.notes, saved.head_name) == ("lần 3", "Tạo lại")
    assert saved.indicators == {"vneid": "level1", "smartphone_count": 1}  # the last write
    log = await ChangeLog.filter(record_id=record).order_by("id")
    assert [entry.op for entry in log] == ["create", "update", "update", "create"]
    assert log[1].before == {"notes": "lần 1", "indicators.vneid": "level1"}
    assert log[2].before == {"notes": "lần 2"} and log[2].after == {"notes": "lần 3"}
    assert log[3].before == {"head_name": "Nguyễn Văn An", "indicators.vneid": "level2"}
    assert {entry.version for entry in log} == {saved.version}

    again = await push(headers, "dev-one", batch)
    assert [r["status"] for r in again] == ["duplicate"] * 5
    assert await ChangeLog.filter(record_id=record).count() == 4


async def test_a_batch_mixing_record_types(village, user, login, push):
    home, other = await village(), await village()
    member = await user(roles.MEMBER, home.code)
    headers = await login(member)
    neighbour = await login(await user(roles.MEMBER, other.code))
    theirs = uuid.uuid4()
    await push(neighbour, "dev-n", [mutation(theirs, household_data(other.code))])

    household, checklist, stray, progress = (uuid.uuid4() for _ in range(4))
    start = {"household_id": str(household), "template_key": "vneid_account", "template_version": 1}
    results = await push(
        headers,
        "dev-mix",
        [
            mutation(checklist, start, type_="checklist"),  # its household comes later
            mutation(household, household_data(home.code)),
            mutation(checklist, start, type_="checklist"),
            mutation(stray, {**start, "household_id": str(theirs)}, type_="checklist"),
            mutation(
                progress,
                {"lesson_slug": "vneid-muc-2", "status": "started", "answers": {"q1": "b"}},
                type_="lesson_progress",
            ),
            mutation(household, {"notes": "đã có danh sách việc"}, "update"),
        ],
    )

    assert [r["status"] for r in results] == [
        "rejected",
        "applied",
        "applied",
        "rejected",
        "applied",
        "applied",
    ], results
    assert [r["type"] for r in results][-2:] == ["lesson_progress", "household"]
    saved = await Checklist.get(id=checklist)
    assert (saved.village_code, str(saved.household_id)) == (home.code, str(household))
    assert not await Checklist.filter(id=stray).exists()
    assert (await LessonProgress.get(id=progress)).user_id == member.id
    assert (await Household.get(id=household)).notes == "đã có danh sách việc"
    assert await SyncMutation.filter(device_id="dev-mix").count() == 6


async def test_statements_per_batch_do_not_grow_with_its_size(
    village, user, login, caplog: pytest.LogCaptureFixture, push
):
    """Set-based: a batch of 100 takes as many statements as a batch of 10."""
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    records = [uuid.uuid4() for _ in range(100)]
    await push(headers, "dev-count", [mutation(records[0], household_data(area.code))])

    async def statements(batch: list) -> int:
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            results = await push(headers, "dev-count", batch)
        assert {r["status"] for r in results} == {"applied"}
        return sum(1 for r in caplog.records if r.name == "tortoise.db_client")

    small = await statements(
        [mutation(r, household_data(area.code)) for r in records[1:6]]
        + [mutation(r, {"notes": "sửa"}, "update") for r in records[:5]]
    )
    large = await statements(
        [mutation(r, household_data(area.code)) for r in records[6:]]
        + [mutation(r, {"notes": "sửa lại"}, "update") for r in records[:6]]
    )
    assert large == small, (small, large)
    # The token with its user and areas, device lock (PostgreSQL), earlier receipts, records,
    # villages, versions, then the writes, the coverage counts included: one statement on
    # PostgreSQL; on SQLite one per table (new and stored records apart, and the two coverage
    # count tables: server/coverage/tally.py), without reading the households again.
    assert small <= (7 if is_postgres(connection()) else 12), small


@pytest.mark.postgres
async def test_two_devices_racing_on_one_record(village, user, login, push):
    """Concurrent pushes to one record on PostgreSQL: every race has one winner, nothing lost."""
    area = await village()
    member_a = await login(await user(roles.MEMBER, area.code))
    member_b = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    [created] = await push(member_a, "race-a", [mutation(record, household_data(area.code))])
    base = created["version"]

    rounds = 8
    for n in range(rounds):
        a, b = await asyncio.gather(
            push(member_a, "race-a", [
                mutation(record, {"notes": f"a{n}", "address": f"Xóm a{n}"}, "update", base),
            ]),
            push(member_b, "race-b", [
                mutation(record, {"notes": f"b{n}", "people_count": 5 + n % 3}, "update", base),
            ]),
        )  # fmt: skip
        [a], [b] = a, b
        assert sorted([a["status"], b["status"]]) == ["applied", "conflict"], (a, b)
        loser, winner = (a, b) if a["status"] == "conflict" else (b, a)
        kept = f"a{n}" if winner is a else f"b{n}"
        assert [(c["field"], c["kept"]) for c in loser["conflicts"]] == [("notes", kept)]
        assert loser["record"]["notes"] == kept
        assert loser["version"] > winner["version"]
        saved = await Household.get(id=record)
        assert saved.notes == kept
        assert (saved.address, saved.people_count) == (f"Xóm a{n}", 5 + n % 3)
        base = saved.version

    conflicts = await Conflict.filter(record_id=record)
    assert len(conflicts) == rounds
    assert {c.field for c in conflicts} == {"notes"}
    assert await ChangeLog.filter(record_id=record).count() == 1 + 2 * rounds


@pytest.mark.postgres
async def test_two_devices_creating_one_record_at_once(village, user, login, push):
    """The second create becomes an update of the first: its differing fields are conflicts."""
    area = await village()
    member_a = await login(await user(roles.MEMBER, area.code))
    member_b = await login(await user(roles.MEMBER, area.code))
    for n in range(5):
        record = uuid.uuid4()
        [a], [b] = await asyncio.gather(
            push(member_a, "twin-a", [
                mutation(record, household_data(area.code, head_name=f"An {n}", people_count=4)),
            ]),
            push(member_b, "twin-b", [
                mutation(record, household_data(area.code, head_name=f"Bình {n}", people_count=5)),
            ]),
        )  # fmt: skip
        assert sorted([a["status"], b["status"]]) == ["applied", "conflict"], (a, b)
        loser, winner = (a, b) if a["status"] == "conflict" else (b, a)
        kept = (f"An {n}", 4) if winner is a else (f"Bình {n}", 5)
        saved = await Household.get(id=record)
        assert (saved.head_name, saved.people_count) == kept
        assert {c["field"] for c in loser["conflicts"]} == {"head_name", "people_count"}
        lost = await Conflict.filter(record_id=record)
        assert {(c.field, c.kept_value) for c in lost} == {
            ("head_name", kept[0]),
            ("people_count", kept[1]),
        }
        assert await ChangeLog.filter(record_id=record).count() == 1


async def test_a_large_batch_lets_other_requests_run_while_it_merges(
    village, user, login, push, monkeypatch
):
    """500 mutations at the map limits take ~100 ms of merging (issue 11: nobody else may wait a
    second); the push hands the event loop back every `YIELD_EVERY` mutations, so a request
    arriving meanwhile is not held until the whole batch is merged."""
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    applied = 0
    original = Batch.apply

    def counting(self, item):
        nonlocal applied
        applied += 1
        return original(self, item)

    monkeypatch.setattr(Batch, "apply", counting)
    seen: set[int] = set()
    done = asyncio.Event()

    async def other_request() -> None:
        while not done.is_set():
            seen.add(applied)
            await asyncio.sleep(0)

    async def big_push() -> None:
        batch = [mutation(uuid.uuid4(), household_data(area.code)) for _ in range(MAX_BATCH)]
        try:
            await push(headers, "dev-big", batch, expect={"applied"})
        finally:
            done.set()

    await asyncio.gather(big_push(), other_request())

    assert any(0 < count < MAX_BATCH for count in seen), sorted(seen)


async def test_batches_larger_than_the_app_sends_take_turns(
    village, user, login, push, monkeypatch
):
    """Four 500-mutation pushes at once would queue four long transactions ahead of everyone
    else's request (on SQLite every query waits for the one connection): they take turns, while
    batches of the app's size still run side by side."""
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    running, most = 0, 0
    original = push_module.in_transaction

    @contextlib.asynccontextmanager
    async def watched(*args):
        nonlocal running, most
        running += 1  # waiting for the database or inside the transaction
        most = max(most, running)
        try:
            async with original(*args) as conn:
                await asyncio.sleep(0.05)  # the transaction is open: others would start meanwhile
                yield conn
        finally:
            running -= 1

    monkeypatch.setattr(push_module, "in_transaction", watched)

    async def send(device: str, size: int) -> None:
        batch = [mutation(uuid.uuid4(), household_data(area.code)) for _ in range(size)]
        await push(headers, device, batch, expect={"applied"})

    await asyncio.gather(*(send(f"dev-large-{i}", push_module.LARGE + 1) for i in range(4)))
    assert most == 1
    most = 0
    await asyncio.gather(*(send(f"dev-app-{i}", push_module.LARGE) for i in range(3)))
    assert most > 1


async def test_a_large_batch_leaves_the_database_to_others_as_long_as_it_took(
    village, user, login, push, monkeypatch
):
    """Between two large batches others get the database for as long as one took: a request
    asking several questions no longer waits behind a whole batch for each (issue 11)."""
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(push_module, "_pause", pause)
    small = [mutation(uuid.uuid4(), household_data(area.code)) for _ in range(push_module.LARGE)]
    await push(headers, "dev-small", small, expect={"applied"})
    assert pauses == []

    started = time.monotonic()
    large = [mutation(uuid.uuid4(), household_data(area.code)) for _ in range(MAX_BATCH)]
    await push(headers, "dev-large", large, expect={"applied"})
    took = time.monotonic() - started

    assert len(pauses) == 1 and 0 < pauses[0] <= min(took, push_module.MAX_PAUSE)
