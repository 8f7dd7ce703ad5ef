"""Assigning households and checklists to members: every assignments query lives here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.areas.scope import Scope
from server.assignments.models import Assignment
from server.assignments.records import ASSIGNMENT
from server.checklists import services as checklists
from server.errors import UserError
from server.households import services as households
from server.i18n import N_, localized
from server.notifications import messages
from server.notifications import services as notifications
from server.search import fold
from server.syncable.clock import allocate_versions
from server.syncable.models import ChangeLog
from server.syncable.writes import WEB_DEVICE_PREFIX
from server.teams import services as teams
from server.web.paging import EVERYTHING, Page, PagingError, Window, fetch, fetch_in_turn

# Where an assignment stands, as the coordinator's list shows it.
OPEN = "open"
OVERDUE = "overdue"
DONE = "done"
STATUSES = (OPEN, OVERDUE, DONE)


class AssignmentError(UserError):
    """A problem with an assignment the coordinator can fix."""


@dataclass(frozen=True)
class AssignmentRow:
    """An assignment as the coordinator's list shows it."""

    id: uuid.UUID
    member_name: str
    household_id: uuid.UUID | None
    household_name: str
    checklist_title: str
    note: str
    due_date: str
    overdue: bool
    status: str  # OPEN, OVERDUE or DONE
    done_at: datetime | None  # when the member marked it done on the phone


def _due(raw: str, today: date) -> str:
    try:
        due = date.fromisoformat(raw.strip())
    except ValueError:
        raise AssignmentError(N_("Choose a due date."), "due_date") from None
    if due < today:
        raise AssignmentError(N_("The due date has already passed."), "due_date")
    return due.isoformat()


async def assign(
    scope: Scope,
    *,
    member_id: uuid.UUID,
    due_date: str,
    household_id: uuid.UUID | None = None,
    template_key: str | None = None,
    note: str = "",
    today: date | None = None,
) -> Assignment:
    """Give a member of the scope a household and/or a checklist to do by `due_date`."""
    found = await teams.member_for(scope, member_id)
    if found is None:
        raise AssignmentError(N_("Choose a member of your area."), "member_id")
    member, village = found
    if not member.is_active:
        raise AssignmentError(N_("This account is switched off. Switch it on first."), "member_id")
    due = _due(due_date, today or datetime.now(UTC).date())
    if template_key and await checklists.current(scope, template_key) is None:
        raise AssignmentError(N_("Unknown checklist."), "template_key")
    household = None
    if household_id is not None:
        household = await households.live(household_id)
        if household is None or household.village_code != village.code:
            raise AssignmentError(N_("Choose a household of the member's village."), "household_id")
        if household.restricted:
            raise AssignmentError(
                N_("This household's data is restricted: no new work until it is lifted."),
                "household_id",
            )
    if household is None and not template_key:
        raise AssignmentError(N_("Choose a household or a checklist."), "household_id")
    if len(note) > 500:
        raise AssignmentError(N_("Use at most 500 characters."), "note")
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        [version] = await allocate_versions(conn, 1)
        assignment = await Assignment.create(
            using_db=conn,
            id=uuid.uuid4(),
            version=version,
            created_at=now,
            updated_at=now,
            village_code=village.code,
            commune_code=village.commune_code or "",
            province_code=village.province_code,
            user_id=member.id,
            assigned_by=scope.user_id,
            household_id=household.id if household else None,
            household_name=household.head_name if household else "",
            template_key=template_key or None,
            note=note.strip(),
            due_date=due,
        )
    await _notify_assignment(assignment, member)
    return assignment


async def _notify_assignment(assignment: Assignment, member: User) -> None:
    """Tell the member about a new assignment by web push (sync brings it to the phone anyway)."""
    due = date.fromisoformat(assignment.due_date).strftime("%d/%m/%Y")
    message = messages.assignment_given(str(assignment.id), assignment.household_name, due)
    await notifications.notify_users([member.id], message)


async def withdraw(scope: Scope, assignment_id: uuid.UUID) -> None:
    """Withdraw an assignment: the member's phone drops it at the next sync."""
    assignment = await Assignment.filter(
        scope.area_filter(), id=assignment_id, deleted=False
    ).first()
    if assignment is None:
        raise AssignmentError(N_("This assignment is not in your area."), status=404)
    async with in_transaction() as conn:
        [version] = await allocate_versions(conn, 1)
        assignment.version, assignment.deleted = version, True
        assignment.updated_at = datetime.now(UTC)
        await assignment.save(using_db=conn, update_fields=["version", "deleted", "updated_at"])
        await ChangeLog.create(  # audited like every other server write
            using_db=conn,
            at=assignment.updated_at,
            user_id=scope.user_id,
            device_id=f"{WEB_DEVICE_PREFIX}{scope.user_id}",
            record_type=ASSIGNMENT.name,
            record_id=assignment.id,
            version=version,
            op="delete",
            before={"deleted": False},
            after={"deleted": True},
            village_code=assignment.village_code,
        )


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _matching(scope: Scope, search: str) -> QuerySet[Assignment]:
    """The scope's assignments not withdrawn, whose member's or household's name has `search`."""
    query = Assignment.filter(scope.area_filter(), deleted=False)
    if not search:
        return query
    people = User.filter(Q(search_name__contains=fold(search)) | Q(name__icontains=search))
    return query.filter(
        Q(user_id__in=Subquery(people.values("id"))) | Q(household_name__icontains=search)
    )


def _open(query: QuerySet[Assignment], overdue_only: bool = False) -> QuerySet[Assignment]:
    """Open assignments (overdue ones only, if asked), soonest due first."""
    query = query.filter(done_at__isnull=True)
    if overdue_only:
        query = query.filter(due_date__lt=_today())
    return query.order_by("due_date", "id")


def _done(query: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Assignments marked done, most recently done first."""
    return query.filter(done_at__isnull=False).order_by("-done_at", "id")


def check_status(status: str | None, *, blank: bool = True) -> str:
    """`status` if it is one of STATUSES, or absent (or blank, when `blank`: every status)."""
    if status is None or (blank and not status):
        return ""
    if status not in STATUSES:
        raise PagingError(N_("Choose a status: open, overdue or done."), "status", status=400)
    return status


async def assignments_for(
    scope: Scope, language: str, search: str = "", status: str = "", window: Window = EVERYTHING
) -> Page[AssignmentRow]:
    """The assignments of the scope not withdrawn, matching `search` and `status`: open ones
    soonest due first, then done ones most recently done first (overdue ones count as open)."""
    query = _matching(scope, search)
    if status == DONE:
        page = await fetch(_done(query), window)
    elif status:
        page = await fetch(_open(query, overdue_only=status == OVERDUE), window)
    else:
        page = await fetch_in_turn([_open(query), _done(query)], window)
    return page.map(await _rows(scope, page.items, language))


async def assignment_pages(
    scope: Scope, language: str, search: str, status: str, open_window: Window, done_window: Window
) -> tuple[Page[AssignmentRow] | None, Page[AssignmentRow] | None]:
    """The page's two lists, open work and done work, each paged on its own (None: not shown
    for this `status`)."""
    query = _matching(scope, search)
    open_page = done_page = None
    if status != DONE:
        page = await fetch(_open(query, overdue_only=status == OVERDUE), open_window)
        open_page = page.map(await _rows(scope, page.items, language))
    if status in ("", DONE):
        page = await fetch(_done(query), done_window)
        done_page = page.map(await _rows(scope, page.items, language))
    return open_page, done_page


async def _rows(scope: Scope, rows: list[Assignment], language: str) -> list[AssignmentRow]:
    names = dict(
        await User.filter(id__in=sorted({r.user_id for r in rows})).values_list("id", "name")
    )
    today = _today()
    templates = {t.key: t for t in await checklists.visible(scope, current_only=True)}
    return [
        AssignmentRow(
            id=r.id,
            member_name=str(names.get(r.user_id, "")),
            household_id=r.household_id,
            household_name=r.household_name,
            checklist_title=(
                localized(templates[r.template_key].title, language)
                if r.template_key in templates
                else ""
            ),
            note=r.note,
            due_date=r.due_date,
            overdue=not r.done_at and r.due_date < today,
            status=DONE if r.done_at else OVERDUE if r.due_date < today else OPEN,
            done_at=r.done_at,
        )
        for r in rows
    ]
