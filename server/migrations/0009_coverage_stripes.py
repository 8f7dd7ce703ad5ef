"""Coverage counts split into stripes, so that pushes in one province stop queueing on its rows.

The counts are derived data: the tables are made anew with a `stripe` column (part of the unique
key) and `langso db upgrade` recounts them from the households when they are empty.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("langso", "0008_template_area_index")]

    initial = False

    operations = [
        ops.DeleteModel(name="CoverageTotal"),
        ops.DeleteModel(name="CoverageWeek"),
        ops.CreateModel(
            name="CoverageTotal",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("area_code", fields.CharField(max_length=20)),
                ("key", fields.CharField(max_length=80)),
                ("stripe", fields.SmallIntField(default=0)),
                ("count", fields.IntField(default=0)),
            ],
            options={
                "table": "coverage_total",
                "app": "langso",
                "unique_together": (("area_code", "key", "stripe"),),
                "pk_attr": "id",
                "table_description": "The current count of one key (e.g. households meeting `vneid`) in one area.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CoverageWeek",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("area_code", fields.CharField(max_length=20)),
                ("week", fields.DateField()),
                ("key", fields.CharField(max_length=80)),
                ("stripe", fields.SmallIntField(default=0)),
                ("count", fields.IntField(default=0)),
            ],
            options={
                "table": "coverage_week",
                "app": "langso",
                "unique_together": (("area_code", "week", "key", "stripe"),),
                "pk_attr": "id",
                "table_description": "How much one key changed in one area during one week (Monday, Vietnam time).",
            },
            bases=["Model"],
        ),
    ]
