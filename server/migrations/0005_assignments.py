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
            "CREATE TRIGGER assignment_txid BEFORE INSERT OR UPDATE ON assignment "
            "FOR EACH ROW EXECUTE FUNCTION langso_stamp_txid()"
        )


async def _drop_txid_trigger(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("DROP TRIGGER IF EXISTS assignment_txid ON assignment")


class Migration(migrations.Migration):
    dependencies = [('langso', '0004_coverage')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Assignment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('version', fields.BigIntField(default=0)),
                ('txid', fields.BigIntField(default=0)),
                ('deleted', fields.BooleanField(default=False)),
                ('field_meta', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('village_code', fields.CharField(max_length=20)),
                ('commune_code', fields.CharField(max_length=20)),
                ('province_code', fields.CharField(max_length=20)),
                ('user_id', fields.UUIDField()),
                ('assigned_by', fields.UUIDField()),
                ('household_id', fields.UUIDField(null=True)),
                ('template_key', fields.CharField(null=True, max_length=60)),
                ('household_name', fields.CharField(default='', max_length=120)),
                ('note', fields.TextField(default='', unique=False)),
                ('due_date', fields.CharField(max_length=10)),
            ],
            options={'table': 'assignment', 'app': 'langso', 'indexes': [Index(fields=['user_id', 'txid', 'version']), Index(fields=['commune_code', 'due_date'])], 'pk_attr': 'id', 'table_description': 'One assignment, synced read-only to the assignee\'s phone (`deleted` when withdrawn).'},
            bases=['Synced'],
        ),
        ops.RunPython(_txid_trigger, _drop_txid_trigger),
        ops.AddField(model_name='ChecklistTemplate', name='description', field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
        ops.AddField(model_name='ChecklistTemplate', name='area_code', field=fields.CharField(null=True, max_length=20, db_index=True)),
        ops.AddField(model_name='ChecklistTemplate', name='created_by', field=fields.UUIDField(null=True)),
        ops.AlterModelOptions(
            name='ChecklistTemplate',
            options={'table': 'checklist_template', 'app': 'langso', 'unique_together': (('key', 'version'),), 'pk_attr': 'id', 'table_description': 'One version of a support checklist: items and indicator effects as JSON.'},
        ),
    ]
