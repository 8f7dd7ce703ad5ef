"""The requests register: receive a data subject's request and move it along its legal clock.

Every query and rule lives here; routes pass plain values. A request is seen and changed only by
a manager whose `Scope` covers its household's village (or the commune it concerns).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.expressions import Q

from server.accounts.models import User
from server.areas import kinds
from server.areas import services as areas
from server.areas.scope import Scope
from server.content import curriculum
from server.errors import UserError
from server.households import services as households
from server.i18n import N_
from server.rights import clocks
from server.rights.models import (
    CHANNELS,
    KINDS,
    REASON_MAX,
    REQUESTER_MAX,
    TEXT_MAX,
    DataRequest,
)
from server.web.paging import Page, Window

OPEN_STATES = (clocks.OPEN, clocks.DUE_SOON, clocks.OVERDUE)
CLOSED_STATES = (clocks.DONE, clocks.REFUSED)
# The register's filter: every request, the open ones, or one state.
STATUSES = ("open", *clocks.STATES)
MAX_OPEN = 5000  # open requests one list sorts by their clocks (a province has far fewer)
OLDEST_DAYS = 366  # a request received longer ago than this is refused as a typing mistake


class RequestError(UserError):
    """A problem with a data request the coordinator can fix."""


class AlreadyClosed(RequestError):
    """The request was already done or refused, or the step was already taken."""

    status = 409


@dataclass(frozen=True)
class RequestRow:
    """A request and its clock, as the register shows it."""

    id: uuid.UUID
    kind: str
    requester: str
    channel: str
    details: str
    household_id: uuid.UUID | None
    household_name: str
    village_code: str
    commune_code: str
    received_on: date
    received_by: uuid.UUID
    received_by_name: str
    acknowledged_at: datetime | None
    other_party: bool
    extension_days: int
    extension_reason: str
    done_at: datetime | None
    refused_at: datetime | None
    refusal_reason: str
    clock: clocks.Clock

    @property
    def state(self) -> str:
        """Where the request stands (`clocks.STATES`)."""
        return self.clock.state

    @property
    def can_extend(self) -> bool:
        """An open request not yet extended."""
        return self.state in OPEN_STATES and self.extension_days == 0


def _text(value: object, field: str, limit: int, *, required: bool = True) -> str:
    text = str(value or "").strip() if isinstance(value, str | None) else None
    if text is None:
        raise RequestError(N_("The request could not be read."), field, status=400)
    if required and not text:
        raise RequestError(N_("Please fill in this field."), field)
    if len(text) > limit:
        raise RequestError(N_("Use at most %(max)s characters."), field, params={"max": limit})
    return text


def _choice(value: object, choices: tuple[str, ...], field: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise RequestError(N_("Choose one of the listed options."), field)
    return value


def _received(value: object, today: date) -> date:
    try:
        day = date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        raise RequestError(N_("Enter the date the request was received."), "received_on") from None
    if day > today:
        raise RequestError(N_("This date is in the future."), "received_on")
    if day < today - timedelta(days=OLDEST_DAYS):
        raise RequestError(N_("This date is more than a year ago."), "received_on")
    return day


def check_status(raw: str | None) -> str:
    """The register's `status` filter ('' for every request), or a 400 error."""
    if not raw:
        return ""
    if raw not in STATUSES:
        raise RequestError(N_("Choose one of the listed options."), "status", status=400)
    return raw


async def _codes(
    scope: Scope, household_id: uuid.UUID | None, area_code: str
) -> tuple[uuid.UUID | None, str, str, str]:
    """The household (if any) and the village, commune and province codes the request concerns."""
    if household_id is not None:
        household = await households.in_scope(scope, household_id)
        if household is None or household.deleted:
            raise RequestError(N_("Choose a household of your area."), "household_id")
        return (
            household.id,
            household.village_code,
            household.commune_code or "",
            (household.province_code),
        )
    area = await areas.get_area(area_code) if area_code and len(area_code) <= 20 else None
    if area is None or area.kind == kinds.PROVINCE or area.commune_code is None:
        raise RequestError(N_("Choose a village or commune of your area."), "area_code")
    village = area.code if area.kind == kinds.VILLAGE else ""
    if not scope.covers(village or "-", area.commune_code, area.province_code):
        raise RequestError(N_("Choose a village or commune of your area."), "area_code")
    return None, village, area.commune_code, area.province_code


async def receive(
    scope: Scope,
    *,
    kind: object,
    requester: object,
    channel: object,
    received_on: object,
    household_id: uuid.UUID | None = None,
    area_code: str = "",
    details: object = "",
    other_party: bool = False,
    today: date | None = None,
) -> DataRequest:
    """Record a request received by the scope's user; its clocks start the day after."""
    today = today or clocks.local_date()
    checked_kind = _choice(kind, KINDS, "kind")
    who = _text(requester, "requester", REQUESTER_MAX)
    checked_channel = _choice(channel, CHANNELS, "channel")
    day = _received(received_on, today)
    text = _text(details, "details", TEXT_MAX, required=False)
    household, village, commune, province = await _codes(scope, household_id, area_code)
    return await DataRequest.create(
        id=uuid.uuid4(),
        kind=checked_kind,
        household_id=household,
        village_code=village,
        commune_code=commune,
        province_code=province,
        requester=who,
        channel=checked_channel,
        details=text,
        received_on=day,
        received_by=scope.user_id,
        other_party=other_party,
    )


async def _get(scope: Scope, request_id: uuid.UUID | None) -> DataRequest:
    found = None
    if request_id is not None:
        found = await DataRequest.filter(scope.area_filter(), id=request_id).first()
    if found is None:
        raise RequestError(N_("This request is not in your area."), status=404)
    return found


async def _open(scope: Scope, request_id: uuid.UUID | None) -> DataRequest:
    found = await _get(scope, request_id)
    if found.done_at is not None or found.refused_at is not None:
        raise AlreadyClosed(N_("This request is already closed."))
    return found


async def acknowledge(scope: Scope, request_id: uuid.UUID | None) -> None:
    """Record that the requester was answered (the 2-working-day step)."""
    found = await _open(scope, request_id)
    if found.acknowledged_at is not None:
        raise AlreadyClosed(N_("This request was already acknowledged."))
    found.acknowledged_at = datetime.now(UTC)
    await found.save(update_fields=["acknowledged_at", "updated_at"])


async def extend(scope: Scope, request_id: uuid.UUID | None, days: object, reason: object) -> None:
    """Extend the completion deadline once, by 1 to 15 working days, with a reason."""
    found = await _open(scope, request_id)
    if found.extension_days:
        raise AlreadyClosed(N_("A request can be extended only once."))
    try:
        count = int(str(days).strip()) if isinstance(days, int | str) else 0
    except ValueError:
        count = 0
    if not 1 <= count <= clocks.MAX_EXTENSION_DAYS:
        raise RequestError(
            N_("Enter a whole number between %(min)s and %(max)s."),
            "days",
            params={"min": 1, "max": clocks.MAX_EXTENSION_DAYS},
        )
    found.extension_days = count
    found.extension_reason = _text(reason, "reason", REASON_MAX)
    await found.save(update_fields=["extension_days", "extension_reason", "updated_at"])


async def complete(scope: Scope, request_id: uuid.UUID | None) -> None:
    """Record that the request was carried out (acknowledging it too, if it was not)."""
    found = await _open(scope, request_id)
    now = datetime.now(UTC)
    found.done_at, found.acknowledged_at = now, found.acknowledged_at or now
    await found.save(update_fields=["done_at", "acknowledged_at", "updated_at"])


async def refuse(scope: Scope, request_id: uuid.UUID | None, reason: object) -> None:
    """Refuse the request with the reason given to the requester."""
    found = await _open(scope, request_id)
    found.refusal_reason = _text(reason, "reason", REASON_MAX)
    now = datetime.now(UTC)
    found.refused_at, found.acknowledged_at = now, found.acknowledged_at or now
    await found.save(
        update_fields=["refused_at", "refusal_reason", "acknowledged_at", "updated_at"]
    )


def clock_of(found: DataRequest, today: date) -> clocks.Clock:
    """The request's clock on `today`."""
    return clocks.clock(
        found.received_on,
        today,
        curriculum.holidays(),
        acknowledged=clocks.local_date(found.acknowledged_at) if found.acknowledged_at else None,
        other_party=found.other_party,
        extension_days=found.extension_days,
        done=clocks.local_date(found.done_at) if found.done_at else None,
        refused=clocks.local_date(found.refused_at) if found.refused_at else None,
    )


async def rows(found: list[DataRequest], today: date) -> list[RequestRow]:
    """The requests as the register shows them, with their households' names."""
    names = await households.by_ids(r.household_id for r in found if r.household_id)
    people = dict(
        await User.filter(id__in=sorted({r.received_by for r in found})).values_list("id", "name")
    )
    return [
        RequestRow(
            id=r.id,
            kind=r.kind,
            requester=r.requester,
            channel=r.channel,
            details=r.details,
            household_id=r.household_id,
            household_name=names[r.household_id].head_name if r.household_id in names else "",
            village_code=r.village_code,
            commune_code=r.commune_code,
            received_on=r.received_on,
            received_by=r.received_by,
            received_by_name=str(people.get(r.received_by, "")),
            acknowledged_at=r.acknowledged_at,
            other_party=r.other_party,
            extension_days=r.extension_days,
            extension_reason=r.extension_reason,
            done_at=r.done_at,
            refused_at=r.refused_at,
            refusal_reason=r.refusal_reason,
            clock=clock_of(r, today),
        )
        for r in found
    ]


async def one(scope: Scope, request_id: uuid.UUID | None, today: date | None = None) -> RequestRow:
    """One request of the scope with its clock (404 outside it)."""
    [row] = await rows([await _get(scope, request_id)], today or clocks.local_date())
    return row


_STATE_ORDER = {clocks.OVERDUE: 0, clocks.DUE_SOON: 1, clocks.OPEN: 2}


async def open_rows(query: Q, today: date) -> list[RequestRow]:
    """Open requests matching `query`, overdue first, then by the deadline that matters now."""
    found = await DataRequest.filter(query, done_at=None, refused_at=None).limit(MAX_OPEN)
    listed = await rows(list(found), today)
    return sorted(
        listed, key=lambda r: (_STATE_ORDER[r.state], r.clock.next_due or today, r.received_on)
    )


async def register(
    scope: Scope, status: str, window: Window, today: date | None = None
) -> Page[RequestRow]:
    """One page of the scope's requests: open ones first (overdue first), then closed ones."""
    today = today or clocks.local_date()
    listed: list[RequestRow] = []
    if status in ("", "open", *OPEN_STATES):
        wanted = OPEN_STATES if status in ("", "open") else (status,)
        listed = [r for r in await open_rows(scope.area_filter(), today) if r.state in wanted]
    if status in ("", *CLOSED_STATES):
        closed = DataRequest.filter(scope.area_filter()).filter(
            Q(done_at__not_isnull=True) | Q(refused_at__not_isnull=True)
        )
        if status == clocks.DONE:
            closed = closed.filter(done_at__not_isnull=True)
        elif status == clocks.REFUSED:
            closed = closed.filter(refused_at__not_isnull=True)
        found = await closed.order_by("-received_on", "-created_at").limit(MAX_OPEN)
        listed += await rows(list(found), today)
    end = None if window.limit is None else window.offset + window.limit
    return Page(items=listed[window.offset : end], total=len(listed), window=window)


async def needing_attention(scope: Scope, today: date | None = None) -> list[RequestRow]:
    """The scope's overdue and due-soon requests, for the coordinator's home page."""
    today = today or clocks.local_date()
    found = await open_rows(scope.area_filter(), today)
    return [r for r in found if r.state in (clocks.OVERDUE, clocks.DUE_SOON)]
