"""Households: the unit a team onboards and whose digital readiness it records."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from server.sync.models import Synced


class Household(Synced):
    """One household in a village, with the consent given and its indicator values."""

    village_code = fields.CharField(max_length=20)
    commune_code = fields.CharField(max_length=20)
    province_code = fields.CharField(max_length=20)
    head_name = fields.CharField(max_length=120, default="")
    address = fields.CharField(max_length=200, default="")
    phone = fields.CharField(max_length=15, null=True)
    people_count = fields.IntField(null=True)
    adult_count = fields.IntField(null=True)
    consent: fields.Field[Any] = fields.JSONField(null=True)
    indicators: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    notes = fields.TextField(default="")
    created_by = fields.UUIDField(null=True)

    class Meta:
        table = "household"
        indexes = (
            ("village_code", "txid", "version"),
            ("commune_code", "txid", "version"),
            ("province_code", "txid", "version"),
        )
