"""Assignments as the devices sync them: written by the server, pulled by the assignee only."""

from __future__ import annotations

from server.assignments.models import Assignment
from server.sync.registry import SCOPE_OWNER, SyncType

ASSIGNMENT = SyncType(
    name="assignment",
    model=Assignment,
    scope=SCOPE_OWNER,
    read_only=True,
    rules=(),
    extra_pull_fields=(
        *("user_id", "village_code", "household_id", "household_name"),
        *("template_key", "note", "due_date"),
    ),
)
