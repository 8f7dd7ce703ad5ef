"""The requests register (data subjects' requests on the legal clocks) and the incidents register."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('langso', '0014_consent_withdrawal')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DataRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=20)),
                ('household_id', fields.UUIDField(null=True)),
                ('village_code', fields.CharField(default='', max_length=20)),
                ('commune_code', fields.CharField(max_length=10)),
                ('province_code', fields.CharField(max_length=10)),
                ('requester', fields.CharField(max_length=120)),
                ('channel', fields.CharField(max_length=12)),
                ('details', fields.TextField(default='', unique=False)),
                ('received_on', fields.DateField()),
                ('received_by', fields.UUIDField()),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('other_party', fields.BooleanField(default=False)),
                ('extension_days', fields.IntField(default=0)),
                ('extension_reason', fields.CharField(default='', max_length=500)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('refused_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('refusal_reason', fields.CharField(default='', max_length=500)),
                ('notified_state', fields.CharField(default='', max_length=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'data_request', 'app': 'langso', 'indexes': [Index(fields=['commune_code', 'received_on']), Index(fields=['province_code', 'received_on'])], 'pk_attr': 'id', 'table_description': 'One request from a data subject, from its receipt to done or refused.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Incident',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('village_code', fields.CharField(default='', max_length=20)),
                ('commune_code', fields.CharField(max_length=10)),
                ('province_code', fields.CharField(max_length=10)),
                ('what', fields.TextField(unique=False)),
                ('discovered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('severity', fields.CharField(max_length=10)),
                ('household_count', fields.IntField(default=0)),
                ('household_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('authority_notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('households_notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('recorded_by', fields.UUIDField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'incident', 'app': 'langso', 'indexes': [Index(fields=['commune_code', 'discovered_at']), Index(fields=['province_code', 'discovered_at'])], 'pk_attr': 'id', 'table_description': 'A personal data incident: what happened, which households, who was told and when.'},
            bases=['Model'],
        ),
    ]
