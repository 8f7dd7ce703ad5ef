"""Checklist templates (content) and the checklists started for households (synced)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from server.syncable.models import AREA_PULL_INDEXES, AreaSynced


class ChecklistTemplate(Model):
    """One version of a support checklist: items and indicator effects as JSON.

    Versions never change once saved (a checklist started on one keeps working); an edit saves
    the next version. `area_code` is empty for national templates (from content/), else the
    commune or province whose coordinator made it.
    """

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=60)
    version = fields.IntField()
    title: fields.Field[dict[str, str]] = fields.JSONField()
    description: fields.Field[dict[str, str] | None] = fields.JSONField(null=True)
    items: fields.Field[list[dict[str, Any]]] = fields.JSONField()
    is_current = fields.BooleanField(default=True)
    area_code = fields.CharField(max_length=20, null=True, db_index=True)
    created_by = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "checklist_template"
        unique_together = (("key", "version"),)


class Checklist(AreaSynced):
    """A household's checklist: `items` maps item key to `{"done", "by", "at"}`."""

    household_id = fields.UUIDField(db_index=True)
    template_key = fields.CharField(max_length=60)
    template_version = fields.IntField()
    items: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    started_by = fields.UUIDField(null=True)

    class Meta:
        table = "checklist"
        indexes = AREA_PULL_INDEXES
