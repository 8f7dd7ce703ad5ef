"""The incidents register: what happened, which households, and who was told when.

The deadline to tell the data protection authority is `discovered_at` plus the hours of the
setting LANGSO_BREACH_NOTICE_HOURS (72 by default; docs/data-protection.md, "Incidents").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from server.areas import kinds
from server.areas import services as areas
from server.areas.scope import Scope
from server.errors import UserError
from server.households.models import Household
from server.i18n import N_
from server.rights.clocks import VIETNAM
from server.rights.models import SEVERITIES, TEXT_MAX, Incident
from server.web.paging import Page, Window, fetch

MAX_HOUSEHOLDS_LISTED = 500  # households named one by one; beyond that, give the count only
MAX_HOUSEHOLD_COUNT = 10_000_000


class IncidentError(UserError):
    """A problem with an incident record the coordinator can fix."""


@dataclass(frozen=True)
class IncidentRow:
    """An incident and its notification deadline, as the register shows it."""

    id: uuid.UUID
    what: str
    discovered_at: datetime
    severity: str
    household_count: int
    household_ids: list[str]
    commune_code: str
    authority_notified_at: datetime | None
    households_notified_at: datetime | None
    notify_by: datetime
    late: bool  # the authority was told after the deadline, or not yet and it has passed


def _moment(value: object, field: str, now: datetime) -> datetime:
    """A date and time typed as ISO 8601; without an offset it is Vietnam's time."""
    try:
        moment = datetime.fromisoformat(str(value or "").strip()[:40])
    except ValueError:
        raise IncidentError(N_("Enter a date and time."), field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    if moment > now + timedelta(minutes=5):
        raise IncidentError(N_("This date is in the future."), field)
    if moment < now - timedelta(days=3660):
        raise IncidentError(N_("This date is more than ten years ago."), field)
    return moment.astimezone(UTC)


def _count(value: object) -> int:
    try:
        count = int(str(value).strip()) if isinstance(value, int | str) and value != "" else 0
    except ValueError:
        count = -1
    if not 0 <= count <= MAX_HOUSEHOLD_COUNT:
        raise IncidentError(
            N_("Enter a whole number between %(min)s and %(max)s."),
            "household_count",
            params={"min": 0, "max": MAX_HOUSEHOLD_COUNT},
        )
    return count


async def _household_ids(scope: Scope, raw: object) -> list[str]:
    if raw in (None, "", []):
        return []
    items = raw.split() if isinstance(raw, str) else raw
    if not isinstance(items, list) or len(items) > MAX_HOUSEHOLDS_LISTED:
        raise IncidentError(
            N_("List at most %(max)s households."),
            "household_ids",
            params={"max": MAX_HOUSEHOLDS_LISTED},
        )
    try:
        ids = sorted({uuid.UUID(str(item).strip(" ,")) for item in items})
    except ValueError:
        raise IncidentError(N_("Choose households of your area."), "household_ids") from None
    found = await Household.filter(scope.area_filter(), id__in=ids).count()
    if found != len(ids):
        raise IncidentError(N_("Choose households of your area."), "household_ids")
    return [str(i) for i in ids]


async def record(
    scope: Scope,
    *,
    what: object,
    discovered_at: object,
    severity: object,
    area_code: str,
    household_count: object = 0,
    household_ids: object = None,
    now: datetime | None = None,
) -> Incident:
    """Record an incident in a commune (or a village) of the scope."""
    now = now or datetime.now(UTC)
    text = what.strip() if isinstance(what, str) else ""
    if not text:
        raise IncidentError(N_("Please fill in this field."), "what")
    if len(text) > TEXT_MAX:
        raise IncidentError(N_("Use at most %(max)s characters."), "what", params={"max": TEXT_MAX})
    if not isinstance(severity, str) or severity not in SEVERITIES:
        raise IncidentError(N_("Choose one of the listed options."), "severity")
    discovered = _moment(discovered_at, "discovered_at", now)
    area = await areas.get_area(area_code) if isinstance(area_code, str) and area_code else None
    village = area.code if area is not None and area.kind == kinds.VILLAGE else ""
    if (
        area is None
        or area.commune_code is None
        or not scope.covers(village or "-", area.commune_code, area.province_code)
    ):
        raise IncidentError(N_("Choose a village or commune of your area."), "area_code")
    listed = await _household_ids(scope, household_ids)
    return await Incident.create(
        id=uuid.uuid4(),
        village_code=village,
        commune_code=area.commune_code,
        province_code=area.province_code,
        what=text,
        discovered_at=discovered,
        severity=severity,
        household_count=max(_count(household_count), len(listed)),
        household_ids=listed,
        recorded_by=scope.user_id,
    )


async def notified(
    scope: Scope,
    incident_id: uuid.UUID | None,
    *,
    authority_at: object = None,
    households_at: object = None,
    now: datetime | None = None,
) -> None:
    """Record when the authority and/or the households were told."""
    now = now or datetime.now(UTC)
    found = await _get(scope, incident_id)
    if authority_at:
        found.authority_notified_at = _moment(authority_at, "authority_notified_at", now)
    if households_at:
        found.households_notified_at = _moment(households_at, "households_notified_at", now)
    if not authority_at and not households_at:
        raise IncidentError(N_("Enter a date and time."), "authority_notified_at")
    await found.save(update_fields=["authority_notified_at", "households_notified_at"])


async def _get(scope: Scope, incident_id: uuid.UUID | None) -> Incident:
    found = None
    if incident_id is not None:
        found = await Incident.filter(scope.area_filter(), id=incident_id).first()
    if found is None:
        raise IncidentError(N_("This incident is not in your area."), status=404)
    return found


def row(found: Incident, notice_hours: int, now: datetime | None = None) -> IncidentRow:
    """The incident with its deadline to tell the authority."""
    now = now or datetime.now(UTC)
    notify_by = found.discovered_at + timedelta(hours=notice_hours)
    told = found.authority_notified_at
    return IncidentRow(
        id=found.id,
        what=found.what,
        discovered_at=found.discovered_at,
        severity=found.severity,
        household_count=found.household_count,
        household_ids=list(found.household_ids or []),
        commune_code=found.commune_code,
        authority_notified_at=told,
        households_notified_at=found.households_notified_at,
        notify_by=notify_by,
        late=(told or now) > notify_by,
    )


async def one(scope: Scope, incident_id: uuid.UUID | None, notice_hours: int) -> IncidentRow:
    """One incident of the scope (404 outside it)."""
    return row(await _get(scope, incident_id), notice_hours)


async def page(scope: Scope, window: Window, notice_hours: int) -> Page[IncidentRow]:
    """The scope's incidents, newest first."""
    found = await fetch(
        Incident.filter(scope.area_filter()).order_by("-discovered_at", "-created_at"), window
    )
    now = datetime.now(UTC)
    return found.map([row(i, notice_hours, now) for i in found.items])
