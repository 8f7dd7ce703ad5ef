"""Reading content/holidays.toml: the public holidays and swapped working days of state offices.

The legal clocks of personal data requests count working days (`server/rights/clocks.py`); this
file says which weekdays are days off and which Saturdays are worked. Format: docs/content.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from server.content.toml import Source, _read_toml, _Table

FILE_NAME = "holidays.toml"


@dataclass(frozen=True)
class Holiday:
    """One listed day: a day off (a holiday, a compensatory day) or a worked weekend day."""

    date: dt.date
    name: dict[str, str]
    source: str


@dataclass(frozen=True)
class Calendar:
    """The working calendar: days off on weekdays, and weekend days that are worked."""

    days_off: tuple[Holiday, ...] = ()
    working_days: tuple[Holiday, ...] = ()
    sources: tuple[Source, ...] = ()
    checked: dt.date | None = None

    @property
    def off(self) -> frozenset[dt.date]:
        """The dates of every day off."""
        return frozenset(day.date for day in self.days_off)

    @property
    def worked(self) -> frozenset[dt.date]:
        """The dates of every swapped-in working day."""
        return frozenset(day.date for day in self.working_days)

    @property
    def years(self) -> tuple[int, ...]:
        """The years the file lists days for."""
        return tuple(sorted({day.date.year for day in (*self.days_off, *self.working_days)}))


def _days(top: _Table, field: str, seen: dict[dt.date, str]) -> tuple[Holiday, ...]:
    if field not in top.data:
        return ()
    days: list[Holiday] = []
    for t in top.tables(field, "holidays.day"):
        day = t.day("date")
        if day in seen:
            raise t.error("date", f"{day.isoformat()} is listed twice (also at {seen[day]})")
        seen[day] = t.where
        weekend = day.weekday() >= 5
        if field == "day_off" and weekend:
            raise t.error(
                "date",
                f"{day.isoformat()} is a Saturday or Sunday: list the weekday taken in its place",
            )
        if field == "working_day" and not weekend:
            raise t.error(
                "date", f"{day.isoformat()} is a weekday: a working day here swaps a weekend day in"
            )
        days.append(Holiday(date=day, name=t.translated("name"), source=t.url("source")))
    return tuple(sorted(days, key=lambda h: h.date))


def load_holidays(content_dir: Path) -> Calendar:
    """Read content/holidays.toml; every entry needs a date, a name in both languages, a source."""
    path = content_dir / FILE_NAME
    top = _Table(_read_toml(path), path, "", "holidays")
    seen: dict[dt.date, str] = {}
    return Calendar(
        days_off=_days(top, "day_off", seen),
        working_days=_days(top, "working_day", seen),
        sources=top.sources(),
        checked=top.checked(),
    )
