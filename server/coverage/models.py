"""Coverage counts kept up to date on every household write, so dashboards never scan households.

Each household contributes to a few keys (see `server/coverage/tally.py`); the counts are kept for
its village, its commune and its province, as current totals and (for households and targets)
as weekly changes.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class CoverageTotal(Model):
    """The current count of one key (e.g. households meeting `vneid`) in one area."""

    id = fields.BigIntField(primary_key=True)
    area_code = fields.CharField(max_length=20)
    key = fields.CharField(max_length=80)
    count = fields.IntField(default=0)

    class Meta:
        table = "coverage_total"
        unique_together = (("area_code", "key"),)


class CoverageWeek(Model):
    """How much one key changed in one area during one week (Monday, Vietnam time)."""

    id = fields.BigIntField(primary_key=True)
    area_code = fields.CharField(max_length=20)
    week = fields.DateField()
    key = fields.CharField(max_length=80)
    count = fields.IntField(default=0)

    class Meta:
        table = "coverage_week"
        unique_together = (("area_code", "week", "key"),)
