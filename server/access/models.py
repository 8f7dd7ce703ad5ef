"""The access log: who opened or exported households' personal data, when, and what."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AccessEntry(Model):
    """One access to personal data: the action and its subject, never the personal values."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    user_id = fields.UUIDField(db_index=True)
    user_name = fields.CharField(max_length=120, default="")
    action = fields.CharField(max_length=20)
    household_id = fields.UUIDField(null=True, db_index=True)
    # Where the data lives (a village, commune or province): who may read the entry.
    area_code = fields.CharField(max_length=20, null=True)
    province_code = fields.CharField(max_length=20, null=True, db_index=True)
    # What else says what happened: an export's kind and format, a row count, a device.
    detail: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "access_log"
