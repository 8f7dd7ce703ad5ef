"""Conflict review and household history: every query of the coordinator's review screens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q, Subquery

from server.accounts.models import User
from server.areas import kinds
from server.areas.models import Area
from server.areas.scope import Scope
from server.areas.services import named
from server.checklists import services as checklists_services
from server.checklists.models import Checklist
from server.errors import UserError
from server.households import services as households
from server.households.models import Household
from server.i18n import N_, localized
from server.review.readable import field_label, is_empty, value_text
from server.syncable import statuses
from server.syncable.models import ChangeLog, Conflict, Device
from server.syncable.writes import WEB_DEVICE_PREFIX, server_write
from server.web.paging import Page, Window, fetch

KEPT, LOST = "kept", "lost"
# A checklist's own fields, shown as its title on each history line rather than as changes.
_SHOWN_AS_TITLE = ("household_id", "template_key", "template_version")
CHOICES = (KEPT, LOST)


class ReviewError(UserError):
    """A problem with a conflict the coordinator can understand."""


@dataclass(frozen=True)
class ConflictView:
    """One conflict as the review screen shows it: both values side by side, in words."""

    id: uuid.UUID
    household_id: uuid.UUID | None
    household_name: str
    village_name: str
    field: str
    field_label: str
    kept: str
    kept_by: str
    lost: str
    lost_by: str
    created_at: datetime
    resolution: str | None


@dataclass(frozen=True)
class Change:
    """One field of a logged change: its label, the value before and after."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a household's history: who, when, from which device, what changed."""

    at: datetime
    who: str
    device: str
    on_web: bool
    what: str
    op: str
    changes: list[Change] = field(default_factory=list)
    id: int = 0  # the change log's row
    phone: str = ""  # the phone's model and browser, when known ("SM-A155F · Chrome 120")


async def _communes_of(scope: Scope) -> list[str]:
    """Every commune code inside the scope (its communes and its provinces' communes)."""
    codes = set(scope.communes)
    if scope.provinces:
        rows: list[Any] = await Area.filter(
            kind=kinds.COMMUNE, province_code__in=sorted(scope.provinces)
        ).values_list("code", flat=True)
        codes |= {str(code) for code in rows}
    return sorted(str(code) for code in codes)


async def _conflict_filter(scope: Scope) -> Q:
    if scope.everywhere:
        return Q()
    communes = await _communes_of(scope)
    return Q(commune_code__in=communes or ["-"]) | Q(
        village_code__in=sorted(scope.villages) or ["-"]
    )


async def conflicts(scope: Scope, language: str, resolved: bool = False) -> list[ConflictView]:
    """The scope's conflicts (open ones, or resolved ones when asked), newest first."""
    query = Conflict.filter(await _conflict_filter(scope), resolved_at__isnull=not resolved)
    rows = await query.order_by("-created_at").limit(200)
    return await _views(rows, language)


async def conflict_page(
    scope: Scope, language: str, resolved: bool, search: str, window: Window
) -> Page[ConflictView]:
    """One page of the scope's conflicts, newest first; `search` finds the village's name
    (without diacritics too) or the household's."""
    query = Conflict.filter(await _conflict_filter(scope), resolved_at__isnull=not resolved)
    if search:
        villages = Area.filter(named(search), kind=kinds.VILLAGE).values("code")
        named_households = households.named_in_scope(scope, search)
        checklists = Checklist.filter(household_id__in=Subquery(named_households.values("id")))
        query = query.filter(
            Q(village_code__in=Subquery(villages))
            | Q(record_id__in=Subquery(named_households.values("id")))
            | Q(record_id__in=Subquery(checklists.values("id")))
        )
    page = await fetch(query.order_by("-created_at", "id"), window)
    return page.map(await _views(page.items, language))


async def conflict(scope: Scope, conflict_id: uuid.UUID, language: str) -> ConflictView | None:
    """One conflict of the scope, resolved or not."""
    row = await Conflict.filter(await _conflict_filter(scope), id=conflict_id).first()
    return (await _views([row], language))[0] if row else None


async def _views(rows: list[Conflict], language: str) -> list[ConflictView]:
    checklists = {
        c.id: c
        for c in await Checklist.filter(
            id__in=[r.record_id for r in rows if r.record_type == "checklist"]
        )
    }
    household_ids = {r.record_id for r in rows if r.record_type == "household"}
    household_ids |= {c.household_id for c in checklists.values()}
    by_id = await households.by_ids(household_ids)
    villages = dict(
        await Area.filter(code__in=sorted({r.village_code or "" for r in rows})).values_list(
            "code", "name"
        )
    )
    names = await _people([r.lost_user_id for r in rows], [r.kept_device_id for r in rows])
    templates = await checklists_services.versions_of({_version(c) for c in checklists.values()})
    views = []
    for row in rows:
        checklist = checklists.get(row.record_id)
        household_id = checklist.household_id if checklist else row.record_id
        household = by_id.get(household_id)
        template = templates.get(_version(checklist))
        views.append(
            ConflictView(
                id=row.id,
                household_id=household.id if household else None,
                household_name=household.head_name if household else "",
                village_name=str(villages.get(row.village_code or "", "")),
                field=row.field,
                field_label=field_label(row.record_type, row.field, language, template),
                kept=value_text(row.field, row.kept_value, language),
                kept_by=names.get(row.kept_device_id or "", ""),
                lost=value_text(row.field, row.lost_value, language),
                lost_by=names.get(str(row.lost_user_id), ""),
                created_at=row.created_at,
                resolution=row.resolution,
            )
        )
    return views


async def _people(user_ids: list[uuid.UUID], device_ids: list[str | None]) -> dict[str, str]:
    """Names by user id and by device id (a device is named after the user who used it)."""
    devices = dict(
        await Device.filter(id__in=sorted({d for d in device_ids if d})).values_list(
            "id", "user_id"
        )
    )
    web = {d: d.removeprefix(WEB_DEVICE_PREFIX) for d in device_ids if d and d.startswith("web:")}
    wanted = {str(u) for u in user_ids} | {str(u) for u in devices.values()} | set(web.values())
    users = dict(await User.filter(id__in=sorted(wanted)).values_list("id", "name"))
    names = {str(k): str(v) for k, v in users.items()}
    names.update({d: names.get(str(u), "") for d, u in devices.items()})
    names.update({d: names.get(u, "") for d, u in web.items()})
    return names


async def resolve(scope: Scope, conflict_id: uuid.UUID, choice: str, language: str) -> None:
    """Accept the kept value (nothing to write) or the lost one (written through sync)."""
    if choice not in CHOICES:
        raise ReviewError(N_("Choose which value to keep."))
    conflict = await Conflict.filter(await _conflict_filter(scope), id=conflict_id).first()
    if conflict is None:
        raise ReviewError(N_("This conflict is not in your area."), status=404)
    # Claim the conflict first: two coordinators resolving it at once write it only once.
    claimed = await Conflict.filter(id=conflict_id, resolved_at__isnull=True).update(
        resolved_at=datetime.now(UTC), resolved_by=scope.user_id, resolution=choice
    )
    if not claimed:
        raise ReviewError(N_("Someone has already resolved this conflict."), status=409)
    if choice == KEPT:
        return
    name, _, key = conflict.field.partition(".")
    data = {name: {key: conflict.lost_value}} if key else {name: conflict.lost_value}
    try:
        receipt = await server_write(
            scope, conflict.record_type, conflict.record_id, data, language
        )
    except BaseException:
        await _unclaim(conflict_id)  # nothing was written: the conflict waits for review again
        raise
    if receipt["status"] == statuses.REJECTED:
        await _unclaim(conflict_id)
        reason = "; ".join(str(e["message"]) for e in receipt.get("errors", []))
        raise ReviewError(N_("The value could not be saved: %(reason)s"), params={"reason": reason})


async def _unclaim(conflict_id: uuid.UUID) -> None:
    await Conflict.filter(id=conflict_id).update(
        resolved_at=None, resolved_by=None, resolution=None
    )


async def household_history(household: Household, language: str) -> list[HistoryEntry]:
    """Every logged change to the household and its checklists, oldest first, as a person says it.

    One "created" per record (an edit made offline before the first sync arrives as a second
    create), no line for a field left empty, villages by name, phones by model and browser.
    """
    checklists = {c.id: c for c in await Checklist.filter(household_id=household.id)}
    query = Q(record_type="household", record_id=household.id)
    if checklists:
        query |= Q(record_type="checklist", record_id__in=sorted(checklists))
    rows = await ChangeLog.filter(query).order_by("at", "id")
    names = await _people([r.user_id for r in rows if r.user_id], [])
    phones = await _phones([r.device_id for r in rows if r.device_id])
    places = await _places(rows)
    templates = await checklists_services.versions_of({_version(c) for c in checklists.values()})
    entries = []
    created: set[uuid.UUID] = set()
    for row in rows:
        checklist = checklists.get(row.record_id)
        template = templates.get(_version(checklist)) if checklist else None
        before, after = row.before or {}, row.after or {}
        op = "update" if row.op == "create" and row.record_id in created else row.op
        created.add(row.record_id)
        shown = [
            path
            for path in sorted(set(before) | set(after))
            if not (checklist and path in _SHOWN_AS_TITLE)
            and (not is_empty(after.get(path)) or (op != "create" and not _blank(before, path)))
        ]
        entries.append(
            HistoryEntry(
                at=row.at,
                who=names.get(str(row.user_id), ""),
                device=row.device_id or "",
                on_web=(row.device_id or "").startswith(WEB_DEVICE_PREFIX),
                what=localized(template["title"], language) if template else "",
                op=op,
                id=row.id,
                changes=[
                    Change(
                        label=field_label(row.record_type, path, language, template),
                        before=value_text(path, before.get(path), language, places),
                        after=value_text(path, after.get(path), language, places),
                    )
                    for path in shown
                ],
                phone=phones.get(row.device_id or "", ""),
            )
        )
    return entries


def _blank(values: dict[str, Any], path: str) -> bool:
    return is_empty(values.get(path))


async def _phones(device_ids: list[str]) -> dict[str, str]:
    """Each phone's model and browser ("SM-A155F · Chrome 120"), where known."""
    rows = await Device.filter(id__in=sorted(set(device_ids))).values_list("id", "model", "browser")
    return {str(i): " · ".join(p for p in (m, b) if p) for i, m, b in rows if m or b}


async def _places(rows: list[ChangeLog]) -> dict[str, str]:
    """The names of the villages the rows mention, by code."""
    codes = {
        str(values["village_code"])
        for row in rows
        for values in (row.before or {}, row.after or {})
        if isinstance(values.get("village_code"), str)
    }
    found = await Area.filter(code__in=sorted(codes)).values_list("code", "name")
    return {str(code): str(name) for code, name in found}


def _version(checklist: Checklist | None) -> tuple[str, int]:
    return (checklist.template_key, checklist.template_version) if checklist else ("", 0)
