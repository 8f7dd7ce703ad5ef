"""A phone's model, browser and first contact, so coordinators recognise it (issue 12, item 6).

The model and browser of a phone known before stay NULL until its next sync; its first contact is
the earliest change it sent, else its last contact.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

_FIRST_SEEN = (
    "UPDATE device SET first_seen_at = COALESCE("
    "(SELECT MIN(c.at) FROM change_log c WHERE c.device_id = device.id), last_push_at, last_pull_at)"
)


async def forward(apps, schema_editor):
    await schema_editor.client.execute_script(_FIRST_SEEN)


async def backward(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("langso", "0016_access_log")]

    initial = False

    operations = [
        ops.AddField(model_name="Device", name="model", field=fields.CharField(null=True, max_length=60)),
        ops.AddField(model_name="Device", name="browser", field=fields.CharField(null=True, max_length=40)),
        ops.AddField(model_name="Device", name="first_seen_at", field=fields.DatetimeField(null=True)),
        ops.RunPython(forward, backward),
    ]
