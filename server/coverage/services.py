"""The coverage dashboard: one area's numbers, its children, its lowest villages, its trend.

Every number comes from the counts in `coverage_total` / `coverage_week` (kept by the sync push),
never from a scan of the households.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from server.areas import kinds
from server.areas.models import Area
from server.areas.scope import Scope
from server.content import curriculum
from server.coverage import tally
from server.coverage.models import CoverageTotal, CoverageWeek
from server.db.config import connection, placeholders

LOWEST_SHOWN = 15
CHILDREN_SHOWN = 20  # communes or villages listed before "show the others"
TREND_WEEKS = 12


@dataclass(frozen=True)
class Share:
    """`count` households out of `base`; `percent` is None when there is nothing to divide by."""

    count: int
    base: int | None

    @property
    def percent(self) -> float | None:
        if not self.base:
            return None
        return round(100 * self.count / self.base, 1)


@dataclass(frozen=True)
class IndicatorLine:
    """How many households meet one indicator or target, of those onboarded and of the estimate."""

    key: str
    label: dict[str, str]
    group: str
    onboarded: Share
    estimated: Share | None  # None where the indicator does not apply to every household


@dataclass(frozen=True)
class AreaLine:
    """One area (a child or a village in the ranking) with its headline numbers."""

    code: str
    name: str
    kind: str
    estimate: int | None
    households: int
    target: int

    @property
    def onboarded(self) -> Share:
        return Share(self.households, self.estimate)

    @property
    def target_share(self) -> Share:
        """Households meeting the target, of the estimate (of those onboarded without one)."""
        return Share(self.target, self.estimate if self.estimate else self.households)


@dataclass(frozen=True)
class WeekPoint:
    """The totals at the end of one week."""

    week: date
    households: int
    target: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the coverage page shows for one area."""

    area: Area
    trail: list[tuple[Area, bool]]  # ancestors then the area; True where the user may open it
    summary: AreaLine
    target_label: dict[str, str] | None
    lines: list[IndicatorLine]
    children: list[AreaLine]
    lowest: list[AreaLine]
    villages_total: int
    trend: list[WeekPoint]

    @property
    def started(self) -> list[AreaLine]:
        """The children with households, furthest behind first (see `_behind`)."""
        return sorted((c for c in self.children if c.households), key=_behind)

    @property
    def idle(self) -> list[AreaLine]:
        """The children with no household yet, in name order: one folded line on the page."""
        return [c for c in self.children if not c.households]


class NotFound(LookupError):
    """No such area, or not one the user may see."""


def may_see(scope: Scope, area: Area) -> bool:
    """Whether the user's scope covers the whole of `area`."""
    if area.kind == kinds.PROVINCE:
        return scope.covers("", None, area.province_code)
    if area.kind == kinds.COMMUNE:
        return scope.covers("", area.code, area.province_code)
    return scope.covers(area.code, area.commune_code, area.province_code)


async def top_areas(scope: Scope) -> list[Area]:
    """The areas a user's dashboard starts from: their provinces and communes (admins: all)."""
    if scope.everywhere:
        return await Area.filter(kind=kinds.PROVINCE).order_by("name")
    codes = sorted(scope.provinces | scope.communes)
    return await Area.filter(code__in=codes).order_by("kind", "name")


async def area_in_scope(scope: Scope, code: str) -> Area:
    """The area `code`, if the user may see it; else NotFound (never says whether it exists)."""
    readable = 0 < len(code) <= 20 and "\x00" not in code  # PostgreSQL refuses NUL
    area = await Area.get_or_none(code=code) if readable else None
    if area is None or not may_see(scope, area):
        raise NotFound(code)
    return area


def _primary_target_key() -> str | None:
    targets = curriculum.indicator_set().targets
    return tally.target_key(targets[0].key) if targets else None


async def dashboard(scope: Scope, code: str, today: date | None = None) -> Dashboard:
    """The dashboard of area `code` as `scope` may see it."""
    area = await area_in_scope(scope, code)
    indicator_set = curriculum.indicator_set()
    target = _primary_target_key()
    counts = tally.keys_of(
        await CoverageTotal.filter(area_code=area.code).values_list("key", "count")
    )
    if area.kind == kinds.PROVINCE:
        children, estimate, villages_total = await _communes(area, target)
        lowest = await _lowest_villages(area, target, LOWEST_SHOWN)
    elif area.kind == kinds.COMMUNE:
        villages = await villages_under(area)
        children = await _lines(villages, target)
        estimate, villages_total = _sum_estimates(villages), len(villages)
        lowest = sorted(children, key=_behind)
    else:
        children, lowest, estimate, villages_total = [], [], area.household_estimate, 1
    summary = _line(area.code, area.name, area.kind, estimate, counts, target)
    lines = [
        IndicatorLine(
            key=tally.target_key(t.key),
            label=t.label,
            group="target",
            onboarded=Share(counts.get(tally.target_key(t.key), 0), summary.households),
            estimated=Share(counts.get(tally.target_key(t.key), 0), estimate),
        )
        for t in indicator_set.targets
    ]
    for indicator in indicator_set.indicators:
        met = counts.get(tally.meets_key(indicator.key), 0)
        not_applicable = counts.get(tally.not_applicable_key(indicator.key), 0)
        lines.append(
            IndicatorLine(
                key=indicator.key,
                label=indicator.label,
                group=indicator.group,
                onboarded=Share(met, summary.households - not_applicable),
                estimated=None if indicator.not_applicable else Share(met, estimate),
            )
        )
    return Dashboard(
        area=area,
        trail=await _trail(scope, area),
        summary=summary,
        target_label=indicator_set.targets[0].label if indicator_set.targets else None,
        lines=lines,
        children=children,
        lowest=lowest,
        villages_total=villages_total,
        trend=await _trend(area.code, target, today or datetime.now(tally.VIETNAM).date()),
    )


def _line(
    code: str,
    name: str,
    kind: str,
    estimate: int | None,
    counts: dict[str, int],
    target: str | None,
) -> AreaLine:
    return AreaLine(
        code=code,
        name=name,
        kind=kind,
        estimate=estimate,
        households=counts.get(tally.HOUSEHOLDS, 0),
        target=counts.get(target, 0) if target else 0,
    )


def _sum_estimates(villages: list[Area]) -> int | None:
    known = [v.household_estimate for v in villages if v.household_estimate is not None]
    return sum(known) if known else None


async def villages_under(area: Area) -> list[Area]:
    """The villages inside `area` (the village itself for a village)."""
    if area.kind == kinds.PROVINCE:
        query = Area.filter(kind=kinds.VILLAGE, province_code=area.code)
    elif area.kind == kinds.COMMUNE:
        query = Area.filter(kind=kinds.VILLAGE, commune_code=area.code)
    else:
        return [area]
    return await query.only("code", "name", "kind", "commune_code", "household_estimate")


async def counts_of(codes: list[str], keys: list[str] | None = None) -> dict[str, dict[str, int]]:
    """The current counts of each area, by key (only `keys` when given)."""
    out: dict[str, dict[str, int]] = {code: {} for code in codes}
    if not codes:
        return out
    query = CoverageTotal.filter(area_code__in=codes)
    if keys is not None:
        query = query.filter(key__in=keys)
    for code, key, count in await query.values_list("area_code", "key", "count"):
        counts = out[str(code)]
        counts[str(key)] = counts.get(str(key), 0) + int(count)  # the sum of its stripes
    return out


async def village_counts(area: Area) -> dict[str, dict[str, int]]:
    """Every count of every village inside `area`, by village code and key (one query)."""
    column = {kinds.PROVINCE: "province_code", kinds.COMMUNE: "commune_code"}.get(area.kind, "code")
    conn = connection()
    mark = placeholders(conn, 1)[0]
    rows = await conn.execute_query_dict(
        "SELECT t.area_code, t.key, SUM(t.count) AS count FROM coverage_total t "
        "JOIN area a ON a.code = t.area_code "
        f"WHERE a.kind = '{kinds.VILLAGE}' AND a.{column} = {mark} "
        "GROUP BY t.area_code, t.key",
        [area.code],
    )
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        out.setdefault(str(row["area_code"]), {})[str(row["key"])] = int(row["count"])
    return out


async def _lines(areas: list[Area], target: str | None) -> list[AreaLine]:
    """Headline numbers of each area, in name order."""
    keys = [tally.HOUSEHOLDS] + ([target] if target else [])
    counts = await counts_of([a.code for a in areas], keys)
    lines = [
        _line(a.code, a.name, a.kind, a.household_estimate, counts[a.code], target) for a in areas
    ]
    return sorted(lines, key=lambda line: (line.name, line.code))


async def _communes(area: Area, target: str | None) -> tuple[list[AreaLine], int | None, int]:
    """A province's communes with their estimates (summed in SQL), its estimate, its villages."""
    conn = connection()
    mark = placeholders(conn, 1)[0]
    rows = await conn.execute_query_dict(
        "SELECT commune_code, COUNT(*) AS villages, SUM(household_estimate) AS estimate "
        f"FROM area WHERE kind = '{kinds.VILLAGE}' AND province_code = {mark} "
        "GROUP BY commune_code",
        [area.code],
    )
    estimates = {
        str(r["commune_code"]): None if r["estimate"] is None else int(r["estimate"]) for r in rows
    }
    communes = await Area.filter(kind=kinds.COMMUNE, parent_code=area.code).only(
        "code", "name", "kind"
    )
    for commune in communes:
        commune.household_estimate = estimates.get(commune.code)
    known = [e for e in estimates.values() if e is not None]
    villages = sum(int(r["villages"]) for r in rows)
    return await _lines(communes, target), (sum(known) if known else None), villages


async def _lowest_villages(area: Area, target: str | None, limit: int) -> list[AreaLine]:
    """A province's villages furthest behind, ranked in SQL (see `_behind`)."""
    conn = connection()
    key_households, key_target, province = placeholders(conn, 3)  # in the order they appear
    # Each count is the sum of its stripes (see `server/coverage/models.py`).
    rows = await conn.execute_query_dict(
        "SELECT code, name, estimate, households, target FROM ("
        "SELECT a.code, a.name, a.household_estimate AS estimate, COALESCE((SELECT SUM(h.count) "
        f"FROM coverage_total h WHERE h.area_code = a.code AND h.key = {key_households}), 0) "
        "AS households, COALESCE((SELECT SUM(t.count) "
        f"FROM coverage_total t WHERE t.area_code = a.code AND t.key = {key_target}), 0) "
        "AS target "
        f"FROM area a WHERE a.kind = '{kinds.VILLAGE}' AND a.province_code = {province}) v "
        "ORDER BY "
        "COALESCE(1.0 * target / NULLIF(CASE WHEN estimate > 0 "
        "THEN estimate ELSE households END, 0), 0), "
        "COALESCE(1.0 * households / NULLIF(estimate, 0), 0), code "
        f"LIMIT {int(limit)}",
        [tally.HOUSEHOLDS, target or "-", area.code],
    )
    return [
        AreaLine(
            code=str(r["code"]),
            name=str(r["name"]),
            kind=kinds.VILLAGE,
            estimate=r["estimate"],
            households=int(r["households"]),
            target=int(r["target"]),
        )
        for r in rows
    ]


def _ratio(count: int, base: int | None) -> float:
    return count / base if base else 0.0


def _behind(line: AreaLine) -> tuple[float, float, str]:
    """Lowest first: target met of the estimate (of those onboarded without one), then onboarded."""
    base = line.estimate if line.estimate else line.households
    return (_ratio(line.target, base), _ratio(line.households, line.estimate), line.code)


async def _trail(scope: Scope, area: Area) -> list[tuple[Area, bool]]:
    codes = [area.province_code]
    if area.kind != kinds.PROVINCE and area.commune_code:
        codes.append(area.commune_code)
    ancestors = {a.code: a for a in await Area.filter(code__in=codes)}
    trail = [(ancestors[c], may_see(scope, ancestors[c])) for c in codes if c in ancestors]
    if area.kind == kinds.VILLAGE:
        trail.append((area, True))
    return trail


async def _trend(code: str, target: str | None, today: date) -> list[WeekPoint]:
    """Households and households meeting the target at the end of each of the last weeks."""
    keys = [tally.HOUSEHOLDS] + ([target] if target else [])
    rows = await CoverageWeek.filter(area_code=code, key__in=keys).values_list(
        "week", "key", "count"
    )
    this_week = today - timedelta(days=today.weekday())
    weeks = [this_week - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    # Changes before the first week shown are carried in as its starting totals.
    households: dict[date, int] = {}
    met: dict[date, int] = {}
    for week, key, count in rows:
        day = week if isinstance(week, date) else date.fromisoformat(str(week))
        bucket = max(day, weeks[0])
        into = households if key == tally.HOUSEHOLDS else met
        into[bucket] = into.get(bucket, 0) + int(count)
    points, running_households, running_target = [], 0, 0
    for week in weeks:
        running_households += households.get(week, 0)
        running_target += met.get(week, 0)
        points.append(WeekPoint(week, running_households, running_target))
    return points
