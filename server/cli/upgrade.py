"""`langso db upgrade`: apply the migrations, then fill empty coverage counts."""

from __future__ import annotations

from tortoise.context import TortoiseContext

from server.content import curriculum
from server.coverage import tally
from server.db.config import migrate
from server.settings import Settings


async def upgrade(settings: Settings) -> int | None:
    """Apply the committed migrations not yet applied, then fill empty coverage counts.

    Returns how many households were counted when the coverage counts were empty while
    households exist (a database upgraded past `0004_coverage`), else None.
    """
    async with TortoiseContext():
        await migrate(settings)
        if not await tally.counts_missing():
            return None
        curriculum.configure(settings.content_dir)
        return await tally.rebuild()
