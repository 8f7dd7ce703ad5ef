"""Teams and their members, managed by coordinators: every query of the team screens."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.accounts import roles, throttle
from server.accounts import services as accounts
from server.accounts.models import ApiToken, User, UserArea
from server.accounts.passwords import hash_password
from server.areas import kinds
from server.areas import services as areas
from server.areas.models import Area
from server.areas.scope import Scope
from server.errors import UserError
from server.i18n import N_
from server.search import fold, phone_digits
from server.teams.models import Team, TeamMember
from server.web.paging import Page, Window, fetch

# No 0/O, 1/l/I: a temporary password is read aloud or copied from a screen by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TEMPORARY_LENGTH = 10


class TeamError(UserError):
    """A problem with a team member the coordinator can fix."""


@dataclass(frozen=True)
class MemberRow:
    """A team member as the team screen lists them."""

    id: uuid.UUID
    name: str
    phone: str
    village_code: str
    village_name: str
    is_active: bool
    is_leader: bool


def temporary_password() -> str:
    """A new random password for a member to sign in with once and then change."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(TEMPORARY_LENGTH))


def _links(scope: Scope) -> QuerySet[UserArea]:
    """Every member's link to a village of the scope (one row per member and village)."""
    return UserArea.filter(areas.in_scope(scope, "area__"), area__kind=kinds.VILLAGE).filter(
        user__role=roles.MEMBER
    )


def _matching(search: str) -> Q:
    """Members whose name (with or without diacritics) or mobile number contains `search`."""
    if not search:
        return Q()
    query = Q(user__search_name__contains=fold(search)) | Q(user__name__icontains=search)
    digits = phone_digits(search)
    return query | Q(user__phone__contains=digits) if digits else query


async def _rows(links: list[UserArea]) -> list[MemberRow]:
    """The links (user and area loaded) as list rows, with who leads their village's team."""
    leaders = set(
        await Team.filter(
            village_id__in=sorted({link.area.code for link in links}),
            leader_id__in=sorted({link.user.id for link in links}) or [uuid.UUID(int=0)],
        ).values_list("leader_id", flat=True)
    )
    return [
        MemberRow(
            id=link.user.id,
            name=link.user.name,
            phone=link.user.phone,
            village_code=link.area.code,
            village_name=link.area.name,
            is_active=link.user.is_active,
            is_leader=link.user.id in leaders,
        )
        for link in links
    ]


_ORDER = ("area__name", "area__code", "user__name", "user__id")


async def member_page(
    scope: Scope,
    search: str,
    window: Window,
    village_code: str = "",
    *,
    active_only: bool = False,
) -> Page[MemberRow]:
    """One page of the scope's members, by village then name, matching `search` (name or
    mobile number), only those of one village when `village_code` is given and only those who
    may sign in with `active_only`."""
    query = _links(scope).filter(_matching(search))
    if village_code:
        query = query.filter(area_id=village_code)
    if active_only:
        query = query.filter(user__is_active=True)
    page = await fetch(query.select_related("user", "area").order_by(*_ORDER), window)
    return page.map(await _rows(page.items))


async def member_rows(scope: Scope, user_id: uuid.UUID) -> list[MemberRow]:
    """One member's rows (one per village of the scope they work in)."""
    links = _links(scope).filter(user_id=user_id).select_related("user", "area")
    return await _rows(await links.order_by(*_ORDER))


async def member_for(scope: Scope, user_id: uuid.UUID) -> tuple[User, Area] | None:
    """A member and their (first) village, if every village of theirs is inside the scope.

    A member who also works in another commune is managed by whoever covers both, so that a
    commune's coordinator never changes (or moves away) someone of another commune.
    """
    user = await User.get_or_none(id=user_id, role=roles.MEMBER)
    if user is None:
        return None
    links = (
        await UserArea.filter(user=user, area__kind=kinds.VILLAGE)
        .select_related("area")
        .order_by("area_id")
    )
    villages: list[Area] = [link.area for link in links]
    if not villages or not all(
        scope.covers(v.code, v.commune_code, v.province_code) for v in villages
    ):
        return None
    return user, villages[0]


async def _village(scope: Scope, code: str) -> Area:
    village = await areas.village_for(scope, code)
    if village is None:
        raise TeamError(N_("Choose a village of your area."), "village_code")
    return village


async def create_user(
    phone: str,
    name: str,
    role: str,
    password: str,
    area_codes: list[str],
    language: str = "vi",
) -> User:
    """Create an account (see `accounts.create_user`); a member joins each village's team."""
    user = await accounts.create_user(
        phone=phone,
        name=name,
        role=role,
        password=password,
        area_codes=area_codes,
        language=language,
    )
    if role == roles.MEMBER:
        for area in await Area.filter(code__in=area_codes):
            team, _ = await Team.get_or_create(village=area, defaults={"name": area.name})
            await TeamMember.get_or_create(team=team, user=user)
    return user


async def add_member(scope: Scope, name: str, phone: str, village_code: str) -> tuple[User, str]:
    """Create a member account in a village; returns it with its temporary password."""
    village = await _village(scope, village_code)
    password = temporary_password()
    try:
        user = await create_user(
            phone=phone, name=name, role=roles.MEMBER, password=password, area_codes=[village.code]
        )
    except accounts.AccountError as error:
        raise TeamError(error.msgid, error.field) from None
    return user, password


async def _sign_out_everywhere(user: User) -> None:
    user.session_epoch += 1
    await user.save(update_fields=["session_epoch", "is_active", "password_hash"])
    await ApiToken.filter(user=user).delete()


async def reset_password(user: User) -> str:
    """Give the member a new temporary password; their phones and sessions are signed out.

    Failed sign-ins counted against their number are forgotten: the new password works at once.
    """
    password = temporary_password()
    user.password_hash = await accounts.hashed(hash_password, password)
    await _sign_out_everywhere(user)
    await throttle.forget_phone(user.phone)
    return password


async def set_active(user: User, active: bool) -> None:
    """Deactivate a member (signed out everywhere, cannot sign in) or bring them back."""
    if user.is_active == active:
        return
    user.is_active = active
    await _sign_out_everywhere(user)


async def move(scope: Scope, user: User, village_code: str) -> Area:
    """Move a member to another village of the scope (and to that village's team)."""
    village = await _village(scope, village_code)
    async with in_transaction() as conn:
        old = await UserArea.filter(user=user).using_db(conn).values_list("area_id", flat=True)
        await (
            Team.filter(village_id__in=list(old), leader=user).using_db(conn).update(leader_id=None)
        )
        await TeamMember.filter(user=user).using_db(conn).delete()
        await UserArea.filter(user=user).using_db(conn).delete()
        await UserArea.create(user=user, area=village, using_db=conn)
        team, _ = await Team.get_or_create(
            village=village, defaults={"name": village.name}, using_db=conn
        )
        await TeamMember.create(team=team, user=user, using_db=conn)
    return village


async def make_leader(user: User, village: Area) -> None:
    """Make the member the leader of their village's team."""
    if not user.is_active:
        raise TeamError(N_("This account is switched off. Switch it on first."))
    team, _ = await Team.get_or_create(village=village, defaults={"name": village.name})
    team.leader = user
    await team.save(update_fields=["leader_id"])
