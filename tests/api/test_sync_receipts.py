"""Receipts belong to the device and user that pushed the mutation (issue 11, #10).

Member B pushing member A's mutation id got `duplicate` with A's record from another commune,
and B's own change was dropped without a word.
"""

from __future__ import annotations

import json
import uuid

from server.accounts import roles
from server.households.models import Household
from tests.data import COMMUNE_A, COMMUNE_B, household_data, mutation


async def test_a_mutation_id_answers_only_its_device_and_user(village, user, login, push):
    here, there = await village(COMMUNE_A), await village(COMMUNE_B)
    member_a = await user(roles.MEMBER, here.code)
    headers_a = await login(member_a)
    headers_b = await login(await user(roles.MEMBER, there.code))
    record = uuid.uuid4()
    secret = f"Bí Mật {uuid.uuid4().hex[:6]}"
    [made] = await push(headers_a, "dev-a", [mutation(record, household_data(here.code))])
    base = made["version"]
    # Another device's edit since A's base: A's next edit is `merged`, its receipt has the record.
    edit = mutation(record, {"notes": "khác"}, "update", base)
    await push(headers_a, "dev-a2", [edit], {"applied"})
    mine = mutation(record, {"head_name": secret}, "update", base)
    [first] = await push(headers_a, "dev-a", [mine])
    assert first["status"] == "merged" and first["record"]["head_name"] == secret, first

    [replay] = await push(headers_a, "dev-a", [mine])
    assert replay["status"] == "duplicate" and replay["original_status"] == "merged", replay

    theirs = {**mine, "record_id": str(uuid.uuid4()), "op": "create", "base_version": 0}
    theirs["data"] = household_data(there.code)
    for headers, device in ((headers_b, "dev-b"), (headers_b, "dev-a"), (headers_a, "dev-a3")):
        [receipt] = await push(headers, device, [theirs])
        assert receipt["status"] == "rejected", receipt
        assert receipt["errors"][0]["field"] == "id"
        assert secret not in json.dumps(receipt, ensure_ascii=False)
    assert not await Household.filter(id=theirs["record_id"]).exists()
