"""The access log (who opened or exported households' personal data) and a household's restriction.

`access_log` is read by province coordinators and administrators and pruned past the retention
period; `household.restricted` holds a coordinator's restriction (reason, since, by) or null.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("langso", "0015_rights_requests")]

    initial = False

    operations = [
        ops.AddField(model_name="Household", name="restricted", field=fields.JSONField(null=True)),
        ops.CreateModel(
            name="AccessEntry",
            fields=[
                ("id", fields.BigIntField(primary_key=True, unique=True, db_index=True)),
                ("at", fields.DatetimeField(db_index=True)),
                ("user_id", fields.UUIDField(db_index=True)),
                ("user_name", fields.CharField(default="", max_length=120)),
                ("action", fields.CharField(max_length=20)),
                ("household_id", fields.UUIDField(null=True, db_index=True)),
                ("area_code", fields.CharField(null=True, max_length=20)),
                ("province_code", fields.CharField(null=True, db_index=True, max_length=20)),
                ("detail", fields.JSONField(default=dict)),
            ],
            options={
                "table": "access_log",
                "app": "langso",
                "pk_attr": "id",
                "table_description": "One access to personal data: the action and its subject, never the personal values.",
            },
            bases=["Model"],
        ),
    ]
