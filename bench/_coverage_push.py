"""`bench/coverage.py --push-overhead`: what keeping the coverage counts costs a sync push."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from _coverage_data import PASSWORD, PG_DATABASE, indicators, pg_url, recreate_pg


async def push_overhead(backend: str, batches: int) -> dict[str, Any]:
    """Median time of one 50-household push batch with the coverage counts kept, and without."""
    from server.accounts import roles
    from server.accounts.services import scope_of
    from server.app import create_app
    from server.areas.services import add_village, import_official_units
    from server.cli.upgrade import upgrade
    from server.settings import Settings
    from server.sync.push import PushRequest, push
    from server.sync.registry import get_type
    from server.teams.services import create_user
    from tests.data import household_data

    data_dir = Path(tempfile.mkdtemp(prefix="langso-coverage-push-"))
    if backend == "postgres":
        await recreate_pg()
        url = pg_url(PG_DATABASE)
    else:
        url = f"sqlite://{data_dir / 'bench.sqlite3'}"
    settings = Settings.from_env({"LANGSO_DATA_DIR": str(data_dir), "LANGSO_DATABASE_URL": url})
    await upgrade(settings)
    app = create_app(settings)
    household = get_type("household")
    assert household is not None
    keep = household.after_write

    timings: dict[str, list[float]] = {"with": [], "without": []}
    async with app.router.lifespan_context(app):
        await import_official_units()
        village = await add_village("16591", "Thôn Đo", 5000)
        member = await create_user(
            phone="0909000002",
            name="Tổ viên",
            role=roles.MEMBER,
            password=PASSWORD,
            area_codes=[village.code],
        )
        scope = await scope_of(member)
        rng = random.Random(3)
        for n in range(batches * 2):
            mode = "with" if n % 2 == 0 else "without"
            # The type is frozen: the benchmark swaps its hook in place, for this process only.
            object.__setattr__(household, "after_write", keep if mode == "with" else ())
            mutations = [
                {
                    "id": str(uuid.uuid4()),
                    "type": "household",
                    "record_id": str(uuid.uuid4()),
                    "op": "create",
                    "base_version": 0,
                    "data": household_data(village.code, indicators=indicators(rng, 0.6)),
                }
                for _ in range(50)
            ]
            t0 = time.perf_counter()
            await push(PushRequest(scope=scope, device_id="bench", mutations=mutations))
            timings[mode].append(time.perf_counter() - t0)
        object.__setattr__(household, "after_write", keep)
    return {
        "backend": backend,
        "batches": batches,
        **{f"{mode}_ms": round(statistics.median(t) * 1000, 1) for mode, t in timings.items()},
    }
