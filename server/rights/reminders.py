"""Push the coordinators once when a data request becomes due soon, and once when it is overdue.

`remind` is idempotent: each request remembers the state it was last pushed about
(`notified_state`), claimed with one conditional UPDATE so that two workers never push the same
request twice. The app runs it every few minutes (`keep_reminding`, started in the lifespan).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from tortoise.expressions import Q

from server.accounts import roles
from server.accounts.models import UserArea
from server.notifications import messages
from server.notifications import services as notifications
from server.rights import clocks
from server.rights import services as requests
from server.rights.models import DataRequest

log = logging.getLogger("langso.rights")

INTERVAL = 600.0  # seconds between two looks at the clocks
PUSHED_STATES = (clocks.DUE_SOON, clocks.OVERDUE)


async def _coordinators(found: DataRequest) -> list[object]:
    """The active coordinators whose area covers the request (its village, commune, province)."""
    codes = [code for code in (found.village_code, found.commune_code, found.province_code) if code]
    return list(
        await UserArea.filter(
            area_id__in=codes, user__role=roles.COORDINATOR, user__is_active=True
        ).values_list("user_id", flat=True)
    )


async def remind(today: date | None = None) -> int:
    """Push each open request that reached a new state (due soon, overdue); how many were pushed."""
    today = today or clocks.local_date()
    pushed = 0
    for row in await requests.open_rows(Q(), today):
        if row.state not in PUSHED_STATES:
            continue
        claimed = (
            await DataRequest.filter(id=row.id)
            .exclude(notified_state=row.state)
            .update(notified_state=row.state)
        )
        if not claimed:
            continue  # pushed already, by this worker or another
        found = await DataRequest.get(id=row.id)
        due = row.clock.next_due or today
        message = messages.data_request_due(
            str(row.id),
            row.state == clocks.OVERDUE,
            row.received_on.strftime("%d/%m/%Y"),
            due.strftime("%d/%m/%Y"),
        )
        await notifications.notify_users(await _coordinators(found), message)
        pushed += 1
    return pushed


async def keep_reminding(interval: float = INTERVAL) -> None:
    """Run `remind` every `interval` seconds until cancelled (the app's lifespan cancels it)."""
    while True:
        await asyncio.sleep(interval)
        try:
            await remind()
        except Exception:  # a failed look must not stop the next one
            log.exception("data request reminders failed")
