from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('langso', '0006_lesson_authoring')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PushSubscription',
            fields=[
                ('id', fields.IntField(primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('langso.User', source_field='user_id', db_constraint=True, to_field='id', related_name='push_subscriptions', on_delete=OnDelete.CASCADE)),
                ('endpoint', fields.CharField(unique=True, max_length=2048)),
                ('p256dh', fields.CharField(max_length=100)),
                ('auth', fields.CharField(max_length=40)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('retry_after', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failures', fields.IntField(default=0)),
                ('last_error', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'push_subscription', 'app': 'langso', 'pk_attr': 'id', 'table_description': "A browser's PushSubscription (endpoint and keys) and what the last sends to it gave."},
            bases=['Model'],
        ),
    ]
