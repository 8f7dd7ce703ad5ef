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
            "CREATE TRIGGER published_lesson_txid BEFORE INSERT OR UPDATE ON published_lesson "
            "FOR EACH ROW EXECUTE FUNCTION langso_stamp_txid()"
        )


async def _drop_txid_trigger(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("DROP TRIGGER IF EXISTS published_lesson_txid ON published_lesson")


class Migration(migrations.Migration):
    dependencies = [('langso', '0002_sync_clock')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PublishedLesson',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('version', fields.BigIntField(default=0)),
                ('txid', fields.BigIntField(default=0)),
                ('deleted', fields.BooleanField(default=False)),
                ('field_meta', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('slug', fields.CharField(unique=True, max_length=80)),
                ('number', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('language', fields.CharField(max_length=5)),
                ('summary', fields.TextField(default='', unique=False)),
                ('order', fields.IntField(default=0)),
                ('objectives', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('html', fields.TextField(unique=False)),
                ('quiz', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('images', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('audience_roles', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'published_lesson', 'app': 'langso', 'indexes': [Index(fields=['txid', 'version'])], 'pk_attr': 'id', 'table_description': "What members' devices hold: the published version of a lesson, rendered and ready offline."},
            bases=['Synced'],
        ),
        ops.RunPython(_txid_trigger, _drop_txid_trigger),
    ]

