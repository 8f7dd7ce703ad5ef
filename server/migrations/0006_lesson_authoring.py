from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields


def _json_list():
    return fields.JSONField(
        default=list, db_default='[]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads
    )


# db_default: existing rows get an empty list (SQLite cannot add a NOT NULL column without one).
class Migration(migrations.Migration):
    dependencies = [('langso', '0005_assignments')]

    initial = False

    operations = [
        ops.AddField(model_name='PublishedLesson', name='audience_areas', field=_json_list()),
        ops.AddField(model_name='PublishedLesson', name='audience_above', field=_json_list()),
    ]
