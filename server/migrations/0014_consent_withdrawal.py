"""Consent withdrawals (synced, insert-only) and the erased households' mark (issue 13)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


async def _txid_trigger(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            "CREATE TRIGGER consent_withdrawal_txid BEFORE INSERT OR UPDATE ON consent_withdrawal "
            "FOR EACH ROW EXECUTE FUNCTION langso_stamp_txid()"
        )


async def _drop_txid_trigger(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            "DROP TRIGGER IF EXISTS consent_withdrawal_txid ON consent_withdrawal"
        )


class Migration(migrations.Migration):
    dependencies = [("langso", "0013_sign_in_throttle")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ConsentWithdrawal",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ("version", fields.BigIntField(default=0)),
                ("txid", fields.BigIntField(default=0)),
                ("deleted", fields.BooleanField(default=False)),
                ("field_meta", fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("village_code", fields.CharField(max_length=20)),
                ("commune_code", fields.CharField(max_length=20)),
                ("province_code", fields.CharField(max_length=20)),
                ("household_id", fields.UUIDField(db_index=True)),
                ("purposes", fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads)),
                ("asked_by", fields.CharField(default="", max_length=120)),
                ("channel", fields.CharField(default="", max_length=20)),
                ("asked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("recorded_by", fields.UUIDField(null=True)),
            ],
            options={"table": "consent_withdrawal", "app": "langso", "indexes": [Index(fields=["village_code", "txid", "version"]), Index(fields=["commune_code", "txid", "version"]), Index(fields=["province_code", "txid", "version"])], "pk_attr": "id", "table_description": "One withdrawal of consent purposes for a household: insert-only, applied when stored."},
            bases=["Synced"],
        ),
        ops.RunPython(_txid_trigger, _drop_txid_trigger),
        ops.AddField(model_name="Household", name="erased_at", field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
    ]
