"""Coverage counts kept up to date on every household write, so dashboards never scan households.

Each household contributes to a few keys (see `server/coverage/tally.py`); the counts are kept for
its village, its commune and its province, as current totals and (for households and targets)
as weekly changes.

A count is split over up to `tally.STRIPES` rows (`stripe`), one per group of devices, and read
as their sum: pushes from phones in different stripes never wait for each other's row locks,
although every push in a province changes that province's counts.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class CoverageTotal(Model):
    """The current count of one key (e.g. households meeting `vneid`) in one area."""

    id = fields.BigIntField(primary_key=True)
    area_code = fields.CharField(max_length=20)
    key = fields.CharField(max_length=80)
    stripe = fields.SmallIntField(default=0)
    count = fields.IntField(default=0)

    class Meta:
        table = "coverage_total"
        unique_together = (("area_code", "key", "stripe"),)


class CoverageWeek(Model):
    """How much one key changed in one area during one week (Monday, Vietnam time)."""

    id = fields.BigIntField(primary_key=True)
    area_code = fields.CharField(max_length=20)
    week = fields.DateField()
    key = fields.CharField(max_length=80)
    stripe = fields.SmallIntField(default=0)
    count = fields.IntField(default=0)

    class Meta:
        table = "coverage_week"
        unique_together = (("area_code", "week", "key", "stripe"),)
