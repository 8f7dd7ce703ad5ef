"""The copy for a household: everything held about it, one section per table that holds it.

Each section builder reads one source table and returns rows of (label, value) lines in words a
household reads. A new table that holds household data adds its builder to `SECTIONS` (the test
`tests/api/test_household_copy.py` fails while one is left out).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.access import services as access
from server.accounts.models import User
from server.areas.models import Area
from server.assignments.models import Assignment
from server.checklists import services as checklists_services
from server.checklists.models import Checklist
from server.content import curriculum
from server.households.models import Household
from server.i18n import N_, format_datetime, gettext, localized
from server.privacy.models import ConsentWithdrawal
from server.review import services as review
from server.review.readable import field_label, value_text
from server.syncable.models import Conflict


@dataclass(frozen=True)
class Line:
    """One fact: what it is and its value, both as a person reads them."""

    label: str
    value: str


@dataclass(frozen=True)
class Row:
    """One row of a source table (`marker` is `table:id`), as a heading and its lines."""

    marker: str
    heading: str
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    """What one table holds about the household."""

    key: str
    title: str
    rows: list[Row]
    empty: str = ""


@dataclass
class Context:
    """What the builders share: the household, the language and names looked up once."""

    household: Household
    language: str
    names: dict[str, str] = field(default_factory=dict)
    checklists: list[Checklist] = field(default_factory=list)
    templates: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)

    def _(self, msgid: str, **params: Any) -> str:
        return gettext(self.language, msgid, params or None)

    def when(self, value: datetime | None) -> str:
        return format_datetime(self.language, value) if value else ""

    def who(self, user_id: Any) -> str:
        return self.names.get(str(user_id), "") or self._(N_("Unknown person"))

    def title_of(self, checklist: Checklist) -> str:
        template = self.templates.get((checklist.template_key, checklist.template_version))
        return localized(template["title"], self.language) if template else checklist.template_key


Builder = Callable[[Context], Awaitable[Section]]


async def _household(c: Context) -> Section:
    h = c.household
    village = await Area.get_or_none(code=h.village_code)
    lines = [Line(c._(N_("Village")), village.name if village else h.village_code)]
    for name in ("head_name", "address", "phone", "people_count", "adult_count", "notes"):
        label = field_label("household", name, c.language)
        lines.append(Line(label, value_text(name, getattr(h, name), c.language)))
    for indicator in curriculum.indicator_set().indicators:
        path = f"indicators.{indicator.key}"
        value = (h.indicators or {}).get(indicator.key)
        lines.append(
            Line(localized(indicator.label, c.language), value_text(path, value, c.language))
        )
    lines += [
        Line(c._(N_("Recorded by")), c.who(h.created_by)),
        Line(c._(N_("Recorded on")), c.when(h.created_at)),
        Line(c._(N_("Last changed")), c.when(h.updated_at)),
    ]
    if h.restricted:
        lines.append(
            Line(c._(N_("Restricted")), value_text("restricted", h.restricted, c.language))
        )
    if h.deleted:
        lines.append(Line(c._(N_("Deleted")), c._(N_("Yes"))))
    rows = [Row(f"household:{h.id}", h.head_name, lines)]
    return Section("household", c._(N_("The household's details")), rows)


async def _consent(c: Context) -> Section:
    consent = c.household.consent or {}
    given = set(consent.get("purposes") or [])
    versions = consent.get("versions") or {}
    lines = [
        Line(c._(N_("Consent given by")), str(consent.get("given_by", ""))),
        Line(c._(N_("Given on")), value_text("at", consent.get("given_at"), c.language)[:10]),
    ]
    for purpose in curriculum.consent_purposes():
        agreed = c._(N_("Agreed")) if purpose.key in given else c._(N_("Not agreed"))
        version = versions.get(purpose.key)
        lines += [
            Line(localized(purpose.label, c.language), agreed),
            Line(c._(N_("What was read to the household")), localized(purpose.help, c.language)),
            Line(
                c._(N_("Version of the text")),
                version or c._(N_("not recorded (before versions were kept)")),
            ),
        ]
        if version and version != purpose.version:
            lines.append(Line(c._(N_("Ask again")), c._(N_("The text has changed since."))))
    rows = [Row(f"household:{c.household.id}:consent", c._(N_("Consent")), lines)]
    return Section("consent", c._(N_("Consent")), rows if consent else [], c._(N_("None.")))


_CHANNELS = {
    "in_person": N_("In person"),
    "phone": N_("By phone"),
    "writing": N_("In writing"),
}


_ERASED = N_("(erased at the household's request)")


async def _withdrawals(c: Context) -> Section:
    purposes = {p.key: p for p in curriculum.consent_purposes()}
    rows = []
    for row in await ConsentWithdrawal.filter(household_id=c.household.id).order_by("created_at"):
        withdrawn = [
            localized(purposes[key].label, c.language) if key in purposes else key
            for key in row.purposes or []
        ]
        lines = [
            Line(c._(N_("Withdrawn")), "; ".join(withdrawn)),
            Line(
                c._(N_("Asked by")), row.asked_by or c._(N_("(erased at the household's request)"))
            ),
            Line(c._(N_("How")), c._(_CHANNELS.get(row.channel, row.channel))),
            Line(c._(N_("Recorded by")), c.who(row.recorded_by)),
        ]
        heading = f"{c.when(row.asked_at or row.created_at)} · {c._(N_('Consent withdrawn'))}"
        rows.append(Row(f"consent_withdrawal:{row.id}", heading, lines))
    return Section("withdrawals", c._(N_("Consent withdrawn")), rows, c._(N_("None.")))


async def _checklists(c: Context) -> Section:
    rows = []
    for checklist in c.checklists:
        template = c.templates.get((checklist.template_key, checklist.template_version)) or {}
        items = checklist.items or {}
        lines = [Line(c._(N_("Started by")), c.who(checklist.started_by))]
        for item in template.get("items", []):
            state = items.get(item["key"]) or {}
            done = c._(N_("Done")) if state.get("done") else c._(N_("Not done"))
            if state.get("by"):
                done += " · " + c.who(state["by"])
            lines.append(Line(localized(item["label"], c.language), done))
        rows.append(Row(f"checklist:{checklist.id}", c.title_of(checklist), lines))
    return Section("checklists", c._(N_("Checklists")), rows, c._(N_("None.")))


async def _assignments(c: Context) -> Section:
    rows = []
    titles = {
        key: localized(t.title, c.language) for key, t in curriculum.checklist_templates().items()
    }
    for a in await Assignment.filter(household_id=c.household.id).order_by("created_at"):
        status = (
            c._(N_("Withdrawn")) if a.deleted else c._(N_("Done")) if a.done_at else c._(N_("Open"))
        )
        lines = [
            Line(c._(N_("Member")), c.who(a.user_id)),
            Line(c._(N_("Given by")), c.who(a.assigned_by)),
            Line(c._(N_("Due date")), a.due_date),
            Line(c._(N_("Status")), status),
        ]
        if a.template_key:
            lines.append(Line(c._(N_("Checklist")), titles.get(a.template_key, a.template_key)))
        if a.note:
            lines.append(Line(c._(N_("Notes")), a.note))
        rows.append(Row(f"assignment:{a.id}", c.when(a.created_at), lines))
    return Section("assignments", c._(N_("Work given to the team")), rows, c._(N_("None.")))


async def _history(c: Context) -> Section:
    rows = []
    for e in await review.household_history(c.household, c.language):
        what = {"create": N_("created"), "delete": N_("deleted")}.get(e.op, N_("changed"))
        heading = f"{c.when(e.at)} · {e.who or c._(N_('Unknown person'))} · {c._(what)}"
        if e.what:
            heading += f" · {e.what}"
        lines = [
            Line(ch.label, ch.after if e.op == "create" else f"{ch.before} → {ch.after}")
            for ch in e.changes
        ]
        rows.append(Row(f"change_log:{e.id}", heading, lines))
    return Section("history", c._(N_("Who recorded what, and when")), rows, c._(N_("None.")))


async def _conflicts(c: Context) -> Section:
    ids = [c.household.id, *(checklist.id for checklist in c.checklists)]
    rows = []
    for row in await Conflict.filter(record_id__in=ids).order_by("created_at"):
        label = field_label(row.record_type, row.field, c.language)
        lines = [
            Line(c._(N_("Kept")), value_text(row.field, row.kept_value, c.language)),
            Line(c._(N_("Not kept")), value_text(row.field, row.lost_value, c.language)),
            Line(c._(N_("Entered by")), c.who(row.lost_user_id)),
        ]
        rows.append(Row(f"sync_conflict:{row.id}", f"{c.when(row.created_at)} · {label}", lines))
    return Section("conflicts", c._(N_("Two changes at once")), rows, c._(N_("None.")))


async def _access(c: Context) -> Section:
    h = c.household
    rows = []
    for entry in await access.of_household(h.id):
        label = c._(access.ACTION_LABELS.get(entry.action, entry.action))
        rows.append(
            Row(
                f"access_log:{entry.id}",
                f"{c.when(entry.at)} · {label}",
                [Line(c._(N_("By")), entry.user_name or c.who(entry.user_id))],
            )
        )
    areas = [h.village_code, h.commune_code, h.province_code]
    for entry in await access.exports_of(areas, h.created_at):
        count = entry.detail.get("households", "")
        rows.append(
            Row(
                f"export:{entry.id}",
                f"{c.when(entry.at)} · {c._(N_('Exported a household list'))}",
                [
                    Line(c._(N_("By")), entry.user_name),
                    Line(c._(N_("Households in the file")), str(count)),
                ],
            )
        )
    return Section(
        "access", c._(N_("Who looked at it, and which exports it was in")), rows, c._(N_("None."))
    )


# One builder per table that holds household data, in the order the page shows them.
SECTIONS: list[Builder] = [
    _household,
    _consent,
    _withdrawals,
    _checklists,
    _assignments,
    _history,
    _conflicts,
    _access,
]


async def build(household: Household, language: str) -> list[Section]:
    """Every section of the household's copy, in `language`."""
    checklists = await Checklist.filter(household_id=household.id).order_by("created_at")
    templates = await checklists_services.versions_of(
        {(ch.template_key, ch.template_version) for ch in checklists}
    )
    names = dict(
        await User.all()
        .filter(id__in=await _people(household, checklists))
        .values_list("id", "name")
    )
    context = Context(
        household, language, {str(k): str(v) for k, v in names.items()}, checklists, templates
    )
    return [await builder(context) for builder in SECTIONS]


async def _people(household: Household, checklists: list[Checklist]) -> list[uuid.UUID]:
    """Everyone the copy names: who recorded, started, ticked, was given or gave work."""
    ids: set[Any] = {household.created_by}
    ids |= set(
        await ConsentWithdrawal.filter(household_id=household.id).values_list(
            "recorded_by", flat=True
        )
    )
    for checklist in checklists:
        ids.add(checklist.started_by)
        ids |= {(state or {}).get("by") for state in (checklist.items or {}).values()}
    for row in await Assignment.filter(household_id=household.id).values("user_id", "assigned_by"):
        ids |= {row["user_id"], row["assigned_by"]}
    records = [household.id, *(checklist.id for checklist in checklists)]
    lost_by = await Conflict.filter(record_id__in=records).values_list("lost_user_id", flat=True)
    ids |= set(lost_by)
    out = []
    for value in ids:
        try:
            out.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return out
