"""`assignment.done_at`: when the assignee marked the assignment done on the phone (null: open).

A nullable column needs no default and no trigger change: the txid trigger of 0005 stamps
every row written, whatever its columns.
"""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('langso', '0009_coverage_stripes')]

    initial = False

    operations = [
        ops.AddField(model_name='Assignment', name='done_at', field=fields.DatetimeField(null=True)),
        ops.AlterModelOptions(
            name='Assignment',
            options={'table': 'assignment', 'app': 'langso', 'indexes': [Index(fields=['user_id', 'txid', 'version']), Index(fields=['commune_code', 'due_date'])], 'pk_attr': 'id', 'table_description': "One assignment, synced to the assignee's phone (`deleted` when withdrawn)."},
        ),
    ]
