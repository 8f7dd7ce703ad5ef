"""Assignments as the devices sync them: made and withdrawn by the server, pulled by the assignee.

The assignee's phone may only mark one done or not done yet (`done_at`); every other field,
and creating or deleting one, stays with the server.
"""

from __future__ import annotations

from server.assignments.models import Assignment
from server.syncable.fields import Rule
from server.syncable.types import SCOPE_OWNER, SyncType

ASSIGNMENT = SyncType(
    name="assignment",
    model=Assignment,
    scope=SCOPE_OWNER,
    device_ops=frozenset({"update"}),
    rules=(Rule("done_at", "datetime"),),
    extra_pull_fields=(
        *("user_id", "village_code", "household_id", "household_name"),
        *("template_key", "note", "due_date"),
    ),
)
