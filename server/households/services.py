"""Queries on households that other domains use: who lives where, found by name, in chunks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from server.areas.scope import Scope
from server.households.models import Household


async def in_scope(scope: Scope, household_id: uuid.UUID) -> Household | None:
    """The household, if it exists and is inside the scope (deleted ones too)."""
    household = await Household.get_or_none(id=household_id)
    if household is None:
        return None
    covered = scope.covers(household.village_code, household.commune_code, household.province_code)
    return household if covered else None


async def live(household_id: uuid.UUID) -> Household | None:
    """The household unless it is deleted or unknown."""
    return await Household.get_or_none(id=household_id, deleted=False)


async def by_ids(household_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Household]:
    """The households with these ids, by id."""
    return {h.id: h for h in await Household.filter(id__in=sorted(set(household_ids)))}


def named_in_scope(scope: Scope, search: str) -> QuerySet[Household]:
    """The scope's households whose head's name contains `search` (a query, for subqueries)."""
    return Household.filter(scope.area_filter(), head_name__icontains=search)


async def of_village(village_code: str, search: str = "", limit: int = 300) -> list[Household]:
    """A village's households to choose from (at most `limit`, filtered by name)."""
    query = Household.filter(village_code=village_code, deleted=False)
    if search.strip():
        query = query.filter(Q(head_name__icontains=search.strip()))
    # A restricted household is kept but not processed: never offered as new work.
    return [h for h in await query.order_by("head_name").limit(limit) if not h.restricted]


async def created_by(user_ids: list[uuid.UUID], since: datetime) -> dict[str, int]:
    """How many live households each of these users recorded since `since`, by user id."""
    if not user_ids:
        return {}
    rows: list[dict[str, Any]] = (
        await Household.filter(created_by__in=user_ids, created_at__gte=since, deleted=False)
        .annotate(n=Count("id"))
        .group_by("created_by")
        .values("created_by", "n")
    )
    return {str(row["created_by"]): int(row["n"]) for row in rows}


async def chunks(
    column: str, code: str, fields: tuple[str, ...], size: int
) -> AsyncIterator[list[dict[str, Any]]]:
    """The live households of an area (`column` = `code`), `size` rows at a time, by id.

    Restricted households are left out: they are kept but not processed (not exported).
    """
    last: uuid.UUID | None = None
    while True:
        query = Household.filter(**{column: code}, deleted=False)
        if last is not None:
            query = query.filter(id__gt=last)
        rows = await query.order_by("id").limit(size).values(*fields, "restricted")
        if not rows:
            return
        yield [
            {k: v for k, v in row.items() if k in fields} for row in rows if not row["restricted"]
        ]
        last = rows[-1]["id"]


IMPORT_FIELDS = (
    "id",
    "village_code",
    "head_name",
    "address",
    "phone",
    "people_count",
    "adult_count",
    "notes",
    "consent",
    "deleted",
)


async def for_import(
    village_codes: Iterable[str], ids: Iterable[uuid.UUID]
) -> list[dict[str, Any]]:
    """What an import compares its rows with: the live households of these villages, and any
    household (deleted or elsewhere) whose id the file names."""
    rows: list[dict[str, Any]] = await Household.filter(
        village_code__in=sorted(set(village_codes)), deleted=False
    ).values(*IMPORT_FIELDS)
    wanted = sorted(set(ids) - {row["id"] for row in rows})
    for start in range(0, len(wanted), 500):
        rows += await Household.filter(id__in=wanted[start : start + 500]).values(*IMPORT_FIELDS)
    return rows
