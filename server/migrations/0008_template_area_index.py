"""Index `checklist_template.area_code`: 0005 added the column with `db_index` but no index was made.

The model (and so the migration state) already declares the index; this only creates it, under
the name Tortoise gives a `db_index` column, and only where it is missing.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEX = "idx_checklist_t_area_co_e2aa4e"


class Migration(migrations.Migration):
    dependencies = [('langso', '0007_push_subscription')]

    initial = False

    operations = [
        ops.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "checklist_template" ("area_code")',
            reverse_sql=f'DROP INDEX IF EXISTS "{INDEX}"',
        ),
    ]
