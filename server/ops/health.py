"""What /readyz and `langso doctor` check: the database answers, migrations, disk space."""

from __future__ import annotations

import pkgutil
import shutil
from pathlib import Path

from tortoise import connections

from server import migrations

MIGRATIONS_TABLE = "tortoise_migrations"
APP_LABEL = "langso"


async def database_answers() -> bool:
    """True when the default database answers a trivial query."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any failure means "not reachable"
        return False
    return True


def committed_migrations() -> list[str]:
    """The migrations shipped with this version, in order."""
    return sorted(
        name
        for _, name, is_package in pkgutil.iter_modules(migrations.__path__)
        if not is_package and name[0] not in "_~"
    )


async def pending_migrations() -> list[str]:
    """The committed migrations the database has not applied (all of them on an empty one)."""
    try:
        _, rows = await connections.get("default").execute_query(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE app = '{APP_LABEL}'"
        )
    except Exception:  # no table yet: nothing applied
        rows = []
    applied = {row["name"] for row in rows}
    return [name for name in committed_migrations() if name not in applied]


def free_megabytes(folder: Path) -> int:
    """Free space for an unprivileged writer on the file system holding `folder`, in MB."""
    return shutil.disk_usage(folder).free // (1024 * 1024)
