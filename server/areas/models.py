"""Provinces, communes and villages, with their ancestors' codes kept on every row."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Area(Model):
    """One administrative unit. `province_code`/`commune_code` make subtree queries equalities."""

    code = fields.CharField(max_length=20, primary_key=True)
    kind = fields.CharField(max_length=10, db_index=True)
    name = fields.CharField(max_length=120)
    # `name` without diacritics or case (`server.search.fold`), for the coordinators' search.
    search_name = fields.CharField(max_length=120, default="")
    division_type = fields.CharField(max_length=40, default="")
    parent_code = fields.CharField(max_length=20, null=True, db_index=True)
    province_code = fields.CharField(max_length=20, db_index=True)
    commune_code = fields.CharField(max_length=20, null=True, db_index=True)
    household_estimate = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "area"
