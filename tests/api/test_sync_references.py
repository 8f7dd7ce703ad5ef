"""A record's parent is set when it is made and never moves (issue 11, #8).

An `update` of a checklist's `household_id` skipped the area check: a member of one commune
could move a checklist under another commune's household. Moving one has no use, so it is
refused for every household, near or far; the engine refuses a parent that is not fixed.
"""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from server.accounts import roles
from server.checklists.models import Checklist
from server.checklists.records import CHECKLIST
from tests.data import COMMUNE_A, COMMUNE_B, household_data, mutation

START = {"template_key": "vneid_account", "template_version": 1}


@pytest.mark.parametrize("where", ["other commune", "same village"])
async def test_a_checklist_cannot_move_to_another_household(village, user, login, push, where):
    here = await village(COMMUNE_A)
    member = await login(await user(roles.MEMBER, here.code))
    household, checklist = uuid.uuid4(), uuid.uuid4()
    start = {**START, "household_id": str(household)}
    made = await push(
        member,
        "dev-ref",
        [
            mutation(household, household_data(here.code)),
            mutation(checklist, start, type_="checklist"),
        ],
        {"applied"},
    )
    target = uuid.uuid4()
    if where == "other commune":
        there = await village(COMMUNE_B)
        stranger = await login(await user(roles.MEMBER, there.code))
        await push(stranger, "dev-far", [mutation(target, household_data(there.code))], {"applied"})
    else:
        await push(member, "dev-ref", [mutation(target, household_data(here.code))], {"applied"})

    move = {"household_id": str(target)}
    [receipt] = await push(
        member, "dev-ref", [mutation(checklist, move, "update", made[1]["version"], "checklist")]
    )
    assert receipt["status"] == "rejected", receipt
    assert receipt["errors"][0]["field"] == "household_id"
    stored = await Checklist.get(id=checklist)
    assert stored.household_id == household and stored.commune_code == COMMUNE_A

    same = {"household_id": str(household), "template_version": 1}
    [unchanged] = await push(
        member, "dev-ref", [mutation(checklist, same, "update", made[1]["version"], "checklist")]
    )
    assert unchanged["status"] == "applied", unchanged


def test_a_type_whose_parent_could_change_is_refused():
    household_id = next(rule for rule in CHECKLIST.rules if rule.name == "household_id")
    movable = dataclasses.replace(household_id, fixed=False)
    rules = tuple(movable if rule is household_id else rule for rule in CHECKLIST.rules)
    with pytest.raises(ValueError, match="fixed"):
        dataclasses.replace(CHECKLIST, rules=rules)
