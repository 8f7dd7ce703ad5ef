"""The access log: record who opened or exported personal data, read it, prune it.

An entry names the action and its subject (a household, an export's area and size, a device),
never the personal values. Who may read it and why: docs/coordinators.md, `/manage/access-log`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise.expressions import Q

from server.accounts import roles
from server.accounts.models import User
from server.areas.models import Area
from server.areas.scope import Scope
from server.errors import Forbidden
from server.households.models import Household
from server.i18n import N_
from server.web.paging import Page, Window, fetch

from .models import AccessEntry

# What was done: the entry's `action`.
HOUSEHOLD = "household"  # opened a household's personal details (or corrected them)
HISTORY = "history"  # opened a household's history
COPY = "copy"  # opened the copy of everything held about a household
EXPORT = "export"  # exported personal data (the household list of an area)
CONFLICTS = "conflicts"  # opened a page of conflicts (households' values side by side)
SYNC = "sync"  # a phone pulled households (one entry per pull page that held any)
VILLAGE_LIST = "village_list"  # a village's households listed to choose from (assignments)
RETENTION = "retention"  # the retention sweep erased a household or emptied a purpose's fields
ACTIONS = (HOUSEHOLD, HISTORY, COPY, EXPORT, CONFLICTS, SYNC, VILLAGE_LIST, RETENTION)
# Who did what the server did by itself (the retention sweep): no user.
SYSTEM_USER_ID = uuid.UUID(int=0)
ACTION_LABELS = {
    HOUSEHOLD: N_("Opened a household's details"),
    HISTORY: N_("Opened a household's history"),
    COPY: N_("Opened a household's copy"),
    EXPORT: N_("Exported a household list"),
    CONFLICTS: N_("Opened the conflicts to review"),
    SYNC: N_("Synced households to a phone"),
    VILLAGE_LIST: N_("Listed a village's households to give work"),
    RETENTION: N_("Past its retention period: erased or emptied by the server"),
}


@dataclass(frozen=True)
class Subject:
    """Where the accessed data lives: a household (if one), an area and its province."""

    household_id: uuid.UUID | None = None
    area_code: str | None = None
    province_code: str | None = None


async def record(
    user: User, action: str, subject: Subject, detail: dict[str, Any] | None = None
) -> None:
    """Write one entry: `user` did `action` to `subject` now."""
    await AccessEntry.create(
        at=datetime.now(UTC),
        user_id=user.id,
        user_name=user.name[:120],
        action=action,
        household_id=subject.household_id,
        area_code=subject.area_code,
        province_code=subject.province_code,
        detail=detail or {},
    )


async def record_by_server(
    action: str, subjects: list[Subject], detail: dict[str, Any] | None = None
) -> None:
    """Entries for what the server did by itself (no user), one per subject."""
    now = datetime.now(UTC)
    await AccessEntry.bulk_create(
        [
            AccessEntry(
                at=now,
                user_id=SYSTEM_USER_ID,
                user_name="Làng Số",
                action=action,
                household_id=subject.household_id,
                area_code=subject.area_code,
                province_code=subject.province_code,
                detail=detail or {},
            )
            for subject in subjects
        ]
    )


def household_subject(household: Household) -> Subject:
    """The subject for one household: its id, village and province."""
    return Subject(household.id, household.village_code, household.province_code)


async def area_subject(code: str) -> Subject:
    """The subject for an area (a village, commune or province), with its province."""
    province: list[Any] = await Area.filter(code=code).values_list("province_code", flat=True)
    return Subject(area_code=code, province_code=str(province[0]) if province else None)


async def scope_subject(scope: Scope) -> Subject:
    """The subject for a list over the scope's areas: its first area, with its province."""
    if scope.provinces:
        code = min(scope.provinces)
        return Subject(area_code=code, province_code=code)
    codes = sorted(scope.communes) or sorted(scope.villages)
    return await area_subject(codes[0]) if codes else Subject()


def readable_provinces(scope: Scope) -> frozenset[str] | None:
    """The provinces whose entries the scope may read (None: every one, for an administrator).

    Least privilege: the log watches the coordinators' own work, so it is for the province
    (and the operator), never for a commune or village coordinator.
    """
    if scope.everywhere or scope.role == roles.ADMIN:
        return None
    if scope.role != roles.COORDINATOR or not scope.provinces:
        raise Forbidden(N_("The access log is for province coordinators."))
    return scope.provinces


@dataclass(frozen=True)
class Filters:
    """What the reader asked for: a person's name (part of it) and a range of days."""

    who: str = ""
    since: date | None = None
    until: date | None = None


def _query(provinces: frozenset[str] | None, filters: Filters) -> Any:
    query = AccessEntry.all()
    if provinces is not None:
        query = query.filter(province_code__in=sorted(provinces))
    if filters.who:
        query = query.filter(user_name__icontains=filters.who)
    if filters.since:
        query = query.filter(at__gte=datetime.combine(filters.since, time(), UTC))
    if filters.until:
        query = query.filter(
            at__lt=datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        )
    return query


async def entries(scope: Scope, filters: Filters, window: Window) -> Page[AccessEntry]:
    """One page of the entries the scope may read, newest first."""
    page: Page[AccessEntry] = await fetch(
        _query(readable_provinces(scope), filters).order_by("-at", "-id"), window
    )
    return page


async def of_household(household_id: uuid.UUID) -> list[AccessEntry]:
    """The entries about one household (opened, copied), oldest first."""
    return await AccessEntry.filter(household_id=household_id).order_by("at", "id")


async def exports_of(area_codes: list[str], since: datetime) -> list[AccessEntry]:
    """The household-list exports of any of these areas made at or after `since`, oldest first."""
    return (
        await AccessEntry.filter(action=EXPORT, area_code__in=area_codes, at__gte=since)
        .order_by("at", "id")
        .all()
    )


async def prune(before: datetime) -> int:
    """Delete the entries older than `before` (past the retention period); how many."""
    return int(await AccessEntry.filter(Q(at__lt=before)).delete())


def retention_cutoff(days: int, now: datetime | None = None) -> datetime:
    """The instant before which entries are past a retention of `days` days."""
    return (now or datetime.now(UTC)) - timedelta(days=days)
