"""The legal clocks of a personal data request, counted in working days (pure functions).

Decree 356/2025/NĐ-CP as docs/data-protection.md reads it: answer (acknowledge) a request within
2 working days of receiving it; complete it within 15 days, 20 when another party must act; one
extension of at most 15 days. Every period starts the day after the request was received, and
counts Monday to Friday except the days off in content/holidays.toml, plus the Saturdays it lists
as worked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from server.content.holidays import Calendar

ACKNOWLEDGE_DAYS = 2
COMPLETE_DAYS = 15
COMPLETE_DAYS_OTHER_PARTY = 20
MAX_EXTENSION_DAYS = 15
DUE_SOON_DAYS = 2  # working days left at which a request shows (and is pushed) as due soon

# Vietnam keeps one offset all year (no summer time): the clocks' "today" is the date in Hanoi.
VIETNAM = timezone(timedelta(hours=7), "ICT")

# Where a request stands.
OPEN = "open"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
DONE = "done"
REFUSED = "refused"
STATES = (OPEN, DUE_SOON, OVERDUE, DONE, REFUSED)


def local_date(moment: datetime | None = None) -> date:
    """The date in Vietnam at `moment` (default: now)."""
    return (moment or datetime.now(UTC)).astimezone(VIETNAM).date()


def is_working_day(day: date, calendar: Calendar) -> bool:
    """True on a weekday that is no day off, and on a weekend day listed as worked."""
    if day in calendar.worked:
        return True
    return day.weekday() < 5 and day not in calendar.off


def add_working_days(start: date, days: int, calendar: Calendar) -> date:
    """The `days`-th working day after `start` (`start` itself never counts)."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            counted += 1
    return day


def working_days_left(today: date, due: date, calendar: Calendar) -> int:
    """Working days from `today` to `due`: 0 on the due day, negative once it has passed."""
    if today <= due:
        return _working_days_after(today, due, calendar)
    # Past the due day: overdue by at least one, even if the days since were all days off.
    return -max(_working_days_after(due, today, calendar), 1)


def _working_days_after(first: date, last: date, calendar: Calendar) -> int:
    """How many working days fall after `first`, up to and including `last`."""
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += is_working_day(day, calendar)
    return count


@dataclass(frozen=True)
class Clock:
    """A request's due dates and where it stands on `today`."""

    acknowledge_by: date
    complete_by: date
    state: str  # one of STATES
    next_due: date | None  # the deadline that matters now (None once closed)
    days_left: int | None  # working days to `next_due`, negative when overdue
    on_time: bool | None  # for a closed request: closed by `complete_by`; None while open


def clock(
    received: date,
    today: date,
    calendar: Calendar,
    *,
    acknowledged: date | None = None,
    other_party: bool = False,
    extension_days: int = 0,
    done: date | None = None,
    refused: date | None = None,
) -> Clock:
    """The clock of a request received on `received`, as it stands on `today`."""
    acknowledge_by = add_working_days(received, ACKNOWLEDGE_DAYS, calendar)
    base = COMPLETE_DAYS_OTHER_PARTY if other_party else COMPLETE_DAYS
    complete_by = add_working_days(received, base + extension_days, calendar)
    closed = done or refused
    if closed is not None:
        return Clock(
            acknowledge_by=acknowledge_by,
            complete_by=complete_by,
            state=DONE if done else REFUSED,
            next_due=None,
            days_left=None,
            on_time=closed <= complete_by,
        )
    next_due = acknowledge_by if acknowledged is None else complete_by
    left = working_days_left(today, next_due, calendar)
    state = OVERDUE if left < 0 else DUE_SOON if left <= DUE_SOON_DAYS else OPEN
    return Clock(
        acknowledge_by=acknowledge_by,
        complete_by=complete_by,
        state=state,
        next_due=next_due,
        days_left=left,
        on_time=None,
    )
