"""The sync clock: a version sequence and txid triggers on PostgreSQL, a counter row on SQLite."""

from tortoise import migrations
from tortoise.migrations import operations as ops

SYNCED_TABLES = ("household", "checklist", "lesson_progress")


async def forward(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("CREATE SEQUENCE IF NOT EXISTS sync_version")
        await client.execute_script(
            """
            CREATE OR REPLACE FUNCTION langso_stamp_txid() RETURNS trigger AS $$
            BEGIN
                NEW.txid := pg_current_xact_id()::text::bigint;
                RETURN NEW;
            END
            $$ LANGUAGE plpgsql
            """
        )
        for table in SYNCED_TABLES:
            await client.execute_script(
                f"CREATE TRIGGER {table}_txid BEFORE INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION langso_stamp_txid()"
            )
    else:
        await client.execute_script("INSERT INTO sync_clock (id, value) VALUES (1, 0)")


async def backward(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        for table in SYNCED_TABLES:
            await client.execute_script(f"DROP TRIGGER IF EXISTS {table}_txid ON {table}")
        await client.execute_script("DROP FUNCTION IF EXISTS langso_stamp_txid()")
        await client.execute_script("DROP SEQUENCE IF EXISTS sync_version")
    else:
        await client.execute_script("DELETE FROM sync_clock WHERE id = 1")


class Migration(migrations.Migration):
    dependencies = [("langso", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]
