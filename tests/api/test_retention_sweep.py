"""Retention (issue 13, item 7): `langso privacy sweep` anonymises what is kept past its purpose's
`retention_days` through the erasure code, and `serve` runs it by itself."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta

from server.access.models import AccessEntry
from server.accounts import roles
from server.households.models import Household
from server.privacy import sweep as retention
from server.syncable.models import ChangeLog
from tests.data import COMMUNE_A, household_data, mutation

CONSENT = {
    "given_by": "Lê Văn Cũ",
    "purposes": ["support_records", "contact_phone"],
    "given_at": "2022-01-10T08:00:00+07:00",
}


async def _households(village, user, login, push, count: int):
    area = await village(COMMUNE_A)
    headers = await login(await user(roles.MEMBER, area.code))
    ids = [uuid.uuid4() for _ in range(count)]
    data = household_data(area.code, head_name="Lê Văn Cũ", consent=CONSENT, phone="0933 222 111")
    await push(headers, "dev-old", [mutation(i, data) for i in ids], expect={"applied"})
    return area, headers, ids


async def _age(household: uuid.UUID, days: int) -> None:
    then = datetime.now(UTC) - timedelta(days=days)
    await Household.filter(id=household).update(updated_at=then)


async def test_the_sweep_erases_or_empties_what_is_past_its_retention(
    client, village, user, login, push, pull_changes
):
    area, member, (old, quiet, fresh) = await _households(village, user, login, push, 3)
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))
    await _age(old, 1100)  # past support_records' 1,095 days: erased
    await _age(quiet, 400)  # past contact_phone's 365 days: the phone goes, the rest stays
    before = (await client.get(f"/api/v1/coverage/{area.code}", headers=coordinator)).json()
    _, cursor = await pull_changes(member, "", lambda c: c["record_id"] == str(fresh))

    stale = await AccessEntry.create(
        at=datetime.now(UTC) - timedelta(days=800), user_id=uuid.uuid4(), action="history"
    )

    done = await retention.sweep(access_log_days=730)
    again = await retention.sweep()

    assert done.erased >= 1 and done.emptied.get("contact_phone", 0) >= 1
    assert (again.erased, again.emptied) == (0, {})
    # Reported in the access log, per household and purpose; the log keeps its own period.
    logged = await AccessEntry.filter(action="retention").values_list("household_id", "detail")
    assert (old, {"purpose": "support_records"}) in logged
    assert (quiet, {"purpose": "contact_phone"}) in logged
    assert done.access_pruned >= 1 and not await AccessEntry.filter(id=stale.id).exists()
    erased, emptied, kept = [await Household.get(id=i) for i in (old, quiet, fresh)]
    assert erased.deleted and erased.erased_at and erased.head_name == "" and erased.phone is None
    assert emptied.phone is None and emptied.head_name == "Lê Văn Cũ" and not emptied.deleted
    assert kept.phone == "0933222111"
    [entry] = await ChangeLog.filter(record_id=old, op="erase")
    assert (entry.before, entry.after, entry.device_id) == (None, None, retention.SWEEP_DEVICE)
    old_history = await ChangeLog.filter(record_id=old).values("before", "after")
    quiet_history = await ChangeLog.filter(record_id=quiet).values("before", "after")
    assert "Lê Văn Cũ" not in str(old_history) and "0933222111" not in str(old_history)
    assert "0933222111" not in str(quiet_history) and "Lê Văn Cũ" in str(quiet_history)
    after = (await client.get(f"/api/v1/coverage/{area.code}", headers=coordinator)).json()
    assert after == before
    changes, _ = await pull_changes(member, cursor, lambda c: c["record_id"] == str(old))
    pulled = {c["record_id"]: c for c in changes}
    assert pulled[str(old)]["deleted"] and pulled[str(quiet)]["data"]["phone"] is None


async def test_serve_sweeps_by_itself(village, user, login, push):
    _area, _member, (old,) = await _households(village, user, login, push, 1)
    await _age(old, 1100)

    task = asyncio.create_task(retention.daily(730, interval=3600, first_after=0))
    for _ in range(100):
        await asyncio.sleep(0.05)
        if (await Household.get(id=old)).erased_at is not None:
            break
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

    assert (await Household.get(id=old)).erased_at is not None
