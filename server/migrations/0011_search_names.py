"""`area.search_name` and `app_user.search_name`: names without diacritics, for searching lists.

The columns are added with `DEFAULT ''` (Tortoise's own `AddField` leaves the default out, which
SQLite refuses and PostgreSQL refuses on a table with rows), then filled from `name` with
`server.search.fold`, so that villages and members made before this migration are found too.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from server.search import fold

TABLES = {"Area": ("area", "code"), "User": ("app_user", "id")}


class _AddSearchName(ops.AddField):
    """`AddField` whose column has its default in the database too."""

    def __init__(self, model_name):
        super().__init__(model_name, "search_name", fields.CharField(default="", max_length=120))

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if not state_editor:
            return
        table, _ = TABLES[self.model_name]
        await state_editor.client.execute_script(
            f"ALTER TABLE \"{table}\" ADD COLUMN \"search_name\" VARCHAR(120) NOT NULL DEFAULT ''"
        )


async def _fill(apps, schema_editor):
    client = schema_editor.client
    marker = "$1" if client.capabilities.dialect == "postgres" else "?"
    second = "$2" if client.capabilities.dialect == "postgres" else "?"
    for table, key in TABLES.values():
        rows = await client.execute_query_dict(f'SELECT "{key}" AS k, "name" AS n FROM "{table}"')
        values = [[fold(row["n"] or ""), row["k"]] for row in rows]
        if values:
            await client.execute_many(
                f'UPDATE "{table}" SET "search_name" = {marker} WHERE "{key}" = {second}', values
            )


async def _nothing(apps, schema_editor):
    return None


class Migration(migrations.Migration):
    dependencies = [("langso", "0010_assignment_done")]

    initial = False

    operations = [
        _AddSearchName("Area"),
        _AddSearchName("User"),
        ops.RunPython(_fill, _nothing),
    ]
