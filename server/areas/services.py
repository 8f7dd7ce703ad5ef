"""Importing the official units and managing villages: every areas query lives here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server.areas import kinds
from server.areas.codes import official, padded, readings
from server.areas.models import Area
from server.areas.scope import Scope
from server.errors import UserError
from server.i18n import N_
from server.search import fold
from server.web.paging import Page, Window, fetch


class AreaError(UserError):
    """A problem with an area the user can fix."""


@dataclass(frozen=True)
class ImportResult:
    """How many provinces and communes are stored after the import."""

    provinces: int
    communes: int


async def import_official_units() -> ImportResult:
    """Load the 34 provinces and 3,321 communes from `vietnam-provinces`; safe to re-run."""
    from vietnam_provinces import Province, Ward

    provinces = [
        _unit(official(p.code, kinds.PROVINCE), kinds.PROVINCE, p.name, p.division_type.value)
        for p in Province.iter_all()
    ]
    communes = [
        _unit(
            official(w.code, kinds.COMMUNE),
            kinds.COMMUNE,
            w.name,
            w.division_type.value,
            official(w.province_code, kinds.PROVINCE),
        )
        for w in Ward.iter_all()
    ]
    async with in_transaction() as conn:
        for rows in (provinces, communes):
            await Area.bulk_create(
                rows,
                batch_size=500,
                on_conflict=["code"],
                update_fields=[
                    "kind",
                    "name",
                    "search_name",
                    "division_type",
                    "parent_code",
                    "province_code",
                    "commune_code",
                ],
                using_db=conn,
            )
        # What is stored, not what was sent: the two differed when codes were read as numbers.
        stored = [await Area.filter(kind=kind).using_db(conn).count() for kind in _OFFICIAL]
    return ImportResult(provinces=stored[0], communes=stored[1])


_OFFICIAL = (kinds.PROVINCE, kinds.COMMUNE)


def _unit(code: str, kind: str, name: str, division: str, province: str = "") -> Area:
    """A province (no `province`) or a commune of `province`, as the import saves it."""
    return Area(
        code=code,
        kind=kind,
        name=name,
        search_name=fold(name),
        division_type=division,
        parent_code=province or None,
        province_code=province or code,
        commune_code=code if province else None,
    )


def _check_village(name: str, households: int | None) -> str:
    name = name.strip()
    if not name:
        raise AreaError(N_("Write the village's name."))
    if len(name) > 120:
        raise AreaError(N_("Use at most 120 characters for the name."))
    if households is not None and not 0 <= households <= 100_000:
        raise AreaError(N_("Enter a number of households from 0 to 100000."))
    return name


async def add_village(
    commune_code: str, name: str, households: int | None = None, division_type: str = "thôn"
) -> Area:
    """Create a village under a commune; its code is the commune's code and a number;
    `division_type` says what it is called (thôn, bản, tổ dân phố…).

    A commune code without its leading zeros (`4`) is read as the commune's (`00004`).
    """
    name = _check_village(name, households)
    commune_code = padded(commune_code, kinds.COMMUNE)
    async with in_transaction() as conn:
        # Lock the commune row: villages added at the same moment get their numbers in turn.
        query = Area.filter(code=commune_code, kind=kinds.COMMUNE).using_db(conn)
        if conn.capabilities.support_for_update:
            query = query.select_for_update()
        commune = await query.first()
        if commune is None:
            raise AreaError(N_("This commune does not exist. Import the official units first."))
        if await Area.filter(parent_code=commune.code, name=name).using_db(conn).exists():
            raise AreaError(N_("This commune already has a village with that name."))
        taken = (
            await Area.filter(parent_code=commune.code, kind=kinds.VILLAGE)
            .using_db(conn)
            .values_list("code", flat=True)
        )
        highest = max((int(str(code).rsplit("-", 1)[1]) for code in taken), default=0)
        return await Area.create(
            using_db=conn,
            code=f"{commune.code}-{highest + 1:03d}",
            kind=kinds.VILLAGE,
            name=name,
            search_name=fold(name),
            division_type=division_type,
            parent_code=commune.code,
            province_code=commune.province_code,
            commune_code=commune.code,
            household_estimate=households,
        )


async def _villages_in(codes: list[str]) -> Q:
    areas = await Area.filter(code__in=codes)
    village_codes = [a.code for a in areas if a.kind == kinds.VILLAGE]
    commune_codes = [a.code for a in areas if a.kind == kinds.COMMUNE]
    province_codes = [a.code for a in areas if a.kind == kinds.PROVINCE]
    query = Q(code__in=village_codes or ["-"])
    query |= Q(commune_code__in=commune_codes or ["-"])
    query |= Q(province_code__in=province_codes or ["-"])
    return query


async def villages_in(codes: list[str]) -> list[Area]:
    """The villages inside any of these areas (villages, communes or provinces)."""
    return await Area.filter(await _villages_in(codes), kind=kinds.VILLAGE).order_by("code")


async def villages_in_page(codes: list[str], search: str, window: Window) -> Page[Area]:
    """One window of `villages_in`, only those whose name matches `search`."""
    query = Area.filter(await _villages_in(codes), named(search), kind=kinds.VILLAGE)
    return await fetch(query.order_by("code"), window)


def named(search: str) -> Q:
    """Areas whose name contains `search`, with or without diacritics (all areas when empty)."""
    if not search:
        return Q()
    return Q(search_name__contains=fold(search)) | Q(name__icontains=search.strip())


async def get_area(code: str, kind: str | None = None) -> Area | None:
    """One area by code; given its `kind`, a code without its leading zeros finds it too."""
    if kind is None:
        return await Area.get_or_none(code=code)
    return await Area.get_or_none(code=padded(code, kind), kind=kind)


async def meant(code: str) -> str:
    """The areas a code that lost its leading zeros may stand for, e.g. `04 (Cao Bằng), 00004
    (Phường Ba Đình)`; empty when there are none."""
    found = await Area.filter(code__in=readings(code)).order_by("code")
    return ", ".join(f"{area.code} ({area.name})" for area in found)


async def update_village(code: str, name: str, households: int | None) -> Area:
    """Rename a village and set its household estimate; its code never changes."""
    name = _check_village(name, households)
    code = padded(code, kinds.VILLAGE)
    village = await Area.get_or_none(code=code, kind=kinds.VILLAGE)
    if village is None:
        raise AreaError(N_("This village does not exist."))
    taken = Area.filter(parent_code=village.parent_code, name=name).exclude(code=code)
    if await taken.exists():
        raise AreaError(N_("This commune already has a village with that name."))
    village.name, village.search_name, village.household_estimate = name, fold(name), households
    await village.save(update_fields=["name", "search_name", "household_estimate"])
    return village


def in_scope(scope: Scope, prefix: str = "") -> Q:
    """Areas (by their own and their ancestors' codes) inside a scope; `prefix` reaches them
    through a relation, e.g. `area__`."""
    if scope.everywhere:
        return Q()
    columns: dict[str, frozenset[str]] = {
        "code": scope.villages | scope.communes | scope.provinces,
        "commune_code": scope.communes,
        "province_code": scope.provinces,
    }
    parts = [_among(f"{prefix}{column}", codes) for column, codes in columns.items()]
    return Q(*parts, join_type=Q.OR)


def _among(column: str, codes: frozenset[str]) -> Q:
    lookup: dict[str, Any] = {f"{column}__in": sorted(codes) or ["-"]}
    return Q(**lookup)


async def villages_for(scope: Scope) -> list[Area]:
    """The villages a user may manage, by commune then name."""
    return await Area.filter(in_scope(scope), kind=kinds.VILLAGE).order_by("parent_code", "name")


async def village_page(scope: Scope, search: str, window: Window) -> Page[Area]:
    """One page of the villages a user may manage whose name matches `search`."""
    query = Area.filter(in_scope(scope), named(search), kind=kinds.VILLAGE)
    return await fetch(query.order_by("parent_code", "name", "code"), window)


async def communes_for(scope: Scope) -> list[Area]:
    """The communes a user may add villages to."""
    return await Area.filter(in_scope(scope), kind=kinds.COMMUNE).order_by("name")


async def village_for(scope: Scope, code: str) -> Area | None:
    """One village, if it is inside the scope (its code's commune part may lack leading zeros)."""
    village = await Area.get_or_none(code=padded(code, kinds.VILLAGE), kind=kinds.VILLAGE)
    if village is None or not scope.covers(
        village.code, village.commune_code, village.province_code
    ):
        return None
    return village


async def all_in_scope(scope: Scope, codes: Iterable[str]) -> bool:
    """True when every one of these areas exists and lies inside the scope."""
    wanted = sorted(set(codes))
    return await Area.filter(in_scope(scope), code__in=wanted).count() == len(wanted)


async def areas_with_ancestors(codes: Iterable[str]) -> frozenset[str]:
    """These area codes and the codes of every commune and province above them."""
    wanted = sorted(set(codes))
    if not wanted:
        return frozenset()
    rows = await Area.filter(code__in=wanted).values_list("code", "commune_code", "province_code")
    return frozenset(code for row in rows for code in row if code)


async def areas_and_children(codes: Iterable[str], everywhere: bool = False) -> list[Area]:
    """These areas and the areas one level below them (every province for `everywhere`)."""
    if everywhere:
        return await Area.filter(kind=kinds.PROVINCE).order_by("name")
    wanted = sorted(set(codes))
    if not wanted:
        return []
    rows = await Area.filter(Q(code__in=wanted) | Q(parent_code__in=wanted)).order_by("code")
    return sorted(rows, key=lambda a: (a.code not in wanted, a.name))
