"""Work a coordinator gives a member: a household to visit or a checklist to do, by a date."""

from __future__ import annotations

from tortoise import fields

from server.syncable.models import AreaSynced


class Assignment(AreaSynced):
    """One assignment, synced to the assignee's phone (`deleted` when withdrawn).

    `household_id` and/or `template_key` say what to do; `due_date` is an ISO date (YYYY-MM-DD).
    `done_at` is when the assignee marked it done (None while open): the one field a phone writes.
    """

    user_id = fields.UUIDField()
    assigned_by = fields.UUIDField()
    household_id = fields.UUIDField(null=True)
    template_key = fields.CharField(max_length=60, null=True)
    household_name = fields.CharField(max_length=120, default="")
    note = fields.TextField(default="")
    due_date = fields.CharField(max_length=10)
    done_at = fields.DatetimeField(null=True)

    class Meta:
        table = "assignment"
        indexes = (("user_id", "txid", "version"), ("commune_code", "due_date"))
