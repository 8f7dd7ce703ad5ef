"""Team activity this week and the sync health of the team's phones, for a commune or village."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.functions import Count

from server.accounts import roles
from server.accounts.models import User, UserArea
from server.areas import kinds
from server.areas.models import Area
from server.areas.scope import Scope
from server.checklists.models import Checklist
from server.content import curriculum
from server.coverage import services, tally
from server.households import services as households
from server.lessons.models import LessonProgress
from server.syncable.models import Device
from server.teams.models import Team, TeamMember

SILENT_AFTER = timedelta(days=3)


@dataclass
class MemberWeek:
    """One member's work this week."""

    user_id: uuid.UUID
    name: str
    is_active: bool
    households: int = 0
    checklists: int = 0
    lessons: int = 0


@dataclass
class TeamWeek:
    """One village team's work this week, member by member."""

    village: Area
    name: str
    members: list[MemberWeek] = field(default_factory=list)

    @property
    def households(self) -> int:
        return sum(m.households for m in self.members)

    @property
    def checklists(self) -> int:
        return sum(m.checklists for m in self.members)

    @property
    def lessons(self) -> int:
        return sum(m.lessons for m in self.members)


@dataclass(frozen=True)
class DeviceHealth:
    """One phone's last contact with the server."""

    device_id: str
    member: str
    village: str
    last_sync: datetime | None
    last_push: datetime | None
    last_pull: datetime | None
    pending_changes: int | None
    app_version: str | None
    silent: bool
    model: str = ""  # what the phone is, from its User-Agent ("" when not known yet)
    browser: str = ""
    first_seen: datetime | None = None


@dataclass(frozen=True)
class Activity:
    """The activity page of one commune or village."""

    area: Area
    week_start: datetime
    teams: list[TeamWeek]
    devices: list[DeviceHealth]
    communes: list[Area]  # for a province: the communes to choose from

    @property
    def monday(self) -> str:
        """The week's first day as Vietnamese write dates (dd/mm/yyyy)."""
        return self.week_start.astimezone(tally.VIETNAM).strftime("%d/%m/%Y")


def week_start(now: datetime) -> datetime:
    """Monday 00:00 (Vietnam time) of the week `now` is in, as a UTC instant."""
    monday = tally.week_of(now)
    return datetime(monday.year, monday.month, monday.day, tzinfo=tally.VIETNAM).astimezone(UTC)


async def activity(scope: Scope, code: str, now: datetime | None = None) -> Activity:
    """Teams, members and devices of area `code` (a province lists its communes instead)."""
    now = now or datetime.now(UTC)
    area = await services.area_in_scope(scope, code)
    since = week_start(now)
    if area.kind == kinds.PROVINCE:
        communes = await Area.filter(kind=kinds.COMMUNE, parent_code=area.code).order_by("name")
        visible = [c for c in communes if services.may_see(scope, c)]
        return Activity(area, since, [], [], visible)
    if area.kind == kinds.COMMUNE:
        villages = await Area.filter(kind=kinds.VILLAGE, commune_code=area.code).order_by("name")
    else:
        villages = [area]
    teams, people = await _teams(villages)
    user_ids = list(people)
    await _count_work(area, user_ids, people, since)
    devices = await _devices(user_ids, people, villages, now)
    return Activity(area, since, teams, devices, [])


async def _teams(villages: list[Area]) -> tuple[list[TeamWeek], dict[uuid.UUID, MemberWeek]]:
    """Each village's team with its members: team members, the leader and the village's members."""
    codes = [v.code for v in villages]
    names = {t["village_id"]: t["name"] for t in await Team.filter(village_id__in=codes).values()}
    memberships: dict[str, set[uuid.UUID]] = {code: set() for code in codes}
    for village_id, user_id in await TeamMember.filter(team__village_id__in=codes).values_list(
        "team__village_id", "user_id"
    ):
        memberships[str(village_id)].add(uuid.UUID(str(user_id)))
    for village_id, user_id in await Team.filter(
        village_id__in=codes, leader_id__isnull=False
    ).values_list("village_id", "leader_id"):
        memberships[str(village_id)].add(uuid.UUID(str(user_id)))
    for area_id, user_id in await UserArea.filter(
        area_id__in=codes, user__role=roles.MEMBER
    ).values_list("area_id", "user_id"):
        memberships[str(area_id)].add(uuid.UUID(str(user_id)))
    all_ids = sorted({u for ids in memberships.values() for u in ids}, key=str)
    users = {u.id: u for u in await User.filter(id__in=all_ids)}
    people = {
        u.id: MemberWeek(user_id=u.id, name=u.name, is_active=u.is_active) for u in users.values()
    }
    teams = []
    for village in villages:
        members = sorted(
            (people[u] for u in memberships[village.code] if u in people), key=lambda m: m.name
        )
        teams.append(TeamWeek(village, str(names.get(village.code, village.name)), members))
    return teams, people


async def _count_work(
    area: Area, user_ids: list[uuid.UUID], people: dict[uuid.UUID, MemberWeek], since: datetime
) -> None:
    if not user_ids:
        return
    for user_id, count in (await households.created_by(user_ids, since)).items():
        people[uuid.UUID(user_id)].households = count
    rows: list[dict[str, Any]] = (
        await LessonProgress.filter(user_id__in=user_ids, status="completed", updated_at__gte=since)
        .annotate(n=Count("id"))
        .group_by("user_id")
        .values("user_id", "n")
    )
    for row in rows:
        people[uuid.UUID(str(row["user_id"]))].lessons = int(row["n"])
    column = "commune_code" if area.kind == kinds.COMMUNE else "village_code"
    templates = curriculum.checklist_templates()
    checklists = await Checklist.filter(
        **{column: area.code}, updated_at__gte=since, deleted=False
    ).values("template_key", "items")
    for checklist in checklists:
        template = templates.get(checklist["template_key"])
        items = checklist["items"] or {}
        if template is None or not all(
            (items.get(item.key) or {}).get("done") for item in template.items
        ):
            continue
        last = max(items.values(), key=lambda item: str(item.get("at") or ""))
        finished = datetime.fromisoformat(str(last.get("at")))
        if finished.tzinfo is None:
            finished = finished.replace(tzinfo=UTC)
        who = _as_uuid(last.get("by"))
        if finished >= since and who in people:
            people[who].checklists += 1


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def _devices(
    user_ids: list[uuid.UUID],
    people: dict[uuid.UUID, MemberWeek],
    villages: list[Area],
    now: datetime,
) -> list[DeviceHealth]:
    if not user_ids:
        return []
    homes: dict[uuid.UUID, str] = {}
    names = {v.code: v.name for v in villages}
    for area_id, user_id in await UserArea.filter(
        user_id__in=user_ids, area_id__in=list(names)
    ).values_list("area_id", "user_id"):
        homes[uuid.UUID(str(user_id))] = names[str(area_id)]
    out = []
    for rows in _same_phones(await Device.filter(user_id__in=user_ids)):
        device = rows[0]  # the phone's latest id
        last = _last_contact(device)
        owner = people.get(device.user_id)
        seen = [r.first_seen_at or _last_contact(r) for r in rows]
        out.append(
            DeviceHealth(
                device_id=device.id,
                member=owner.name if owner else "",
                village=homes.get(device.user_id, ""),
                last_sync=last,
                last_push=device.last_push_at,
                last_pull=device.last_pull_at,
                pending_changes=device.pending_changes,
                app_version=device.app_version,
                silent=last is None or now - last > SILENT_AFTER,
                model=device.model or "",
                browser=device.browser or "",
                first_seen=min((t for t in seen if t is not None), default=None),
            )
        )
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(out, key=lambda d: (not d.silent, d.last_sync or epoch, d.device_id))


def _last_contact(device: Device) -> datetime | None:
    times = [t for t in (device.last_push_at, device.last_pull_at) if t is not None]
    return max(times) if times else None


def _same_phones(devices: list[Device]) -> list[list[Device]]:
    """Rows of one phone together, latest contact first.

    A phone's id lives in its browser's storage: clearing the app's data or installing it again
    gives the same phone a new id, and the old one's row stayed as a silent phone. Rows of one
    member with the same model and browser are one phone; rows whose phone is not known yet stay
    apart.
    """
    epoch = datetime.min.replace(tzinfo=UTC)
    groups: dict[tuple[str, ...], list[Device]] = {}
    for device in sorted(devices, key=lambda d: _last_contact(d) or epoch, reverse=True):
        if device.model and device.browser:  # the browser's name: an update changes its version
            browser = device.browser.rstrip("0123456789 ")
            key: tuple[str, ...] = (str(device.user_id), device.model, browser)
        else:
            key = (device.id,)
        groups.setdefault(key, []).append(device)
    return list(groups.values())
