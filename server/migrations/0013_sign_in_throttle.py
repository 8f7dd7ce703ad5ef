"""The sign-in throttle counts checks in one row per key, updated by one atomic statement.

`login_failure` (one row per failure, counted before the next check: it raced) is dropped; its
rows only ever mattered for 15 minutes.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("langso", "0012_official_codes")]

    initial = False

    operations = [
        ops.DeleteModel(name="LoginFailure"),
        ops.CreateModel(
            name="SignInThrottle",
            fields=[
                ("key", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=120)),
                ("checks", fields.IntField()),
                ("window_start", fields.FloatField()),
                ("next_at", fields.FloatField()),
                ("ticket", fields.CharField(max_length=16)),
            ],
            options={
                "table": "sign_in_throttle",
                "app": "langso",
                "pk_attr": "key",
                "table_description": "Password checks counted per key (phone and address, phone, address): `accounts.throttle`.",
            },
            bases=["Model"],
        ),
    ]
