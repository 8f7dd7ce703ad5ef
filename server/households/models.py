"""Households: the unit a team onboards and whose digital readiness it records."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from server.syncable.models import AREA_PULL_INDEXES, AreaSynced


class Household(AreaSynced):
    """One household in a village, with the consent given and its indicator values."""

    head_name = fields.CharField(max_length=120, default="")
    address = fields.CharField(max_length=200, default="")
    phone = fields.CharField(max_length=15, null=True)
    people_count = fields.IntField(null=True)
    adult_count = fields.IntField(null=True)
    consent: fields.Field[Any] = fields.JSONField(null=True)
    indicators: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    notes = fields.TextField(default="")
    created_by = fields.UUIDField(null=True)
    # Set when the household's consent to keep records was withdrawn: the row is then an
    # anonymous tombstone (deleted, no personal field) still counted in coverage.
    erased_at = fields.DatetimeField(null=True)
    # Set and lifted by a coordinator (`{"reason", "since", "by"}`): kept but not processed.
    restricted: fields.Field[Any] = fields.JSONField(null=True)

    class Meta:
        table = "household"
        indexes = AREA_PULL_INDEXES
