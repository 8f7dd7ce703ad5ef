"""Completion reports: who started and finished each lesson, scores, the questions most missed."""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from server.accounts import roles
from server.areas import kinds
from server.areas.models import Area
from server.areas.scope import Scope
from server.db.config import connection, is_postgres, placeholders
from server.lessons.models import LessonVersion, PublishedLesson
from server.web import cells

COMPLETED = "completed"
REPORTS_AT_ONCE = 1  # completion reports counted at once in one worker
_REPORTING = asyncio.Semaphore(REPORTS_AT_ONCE)
MOST_MISSED = 5


@dataclass
class Tally:
    """Started, completed and scores of one lesson in one group of members."""

    members: int = 0
    started: int = 0
    completed: int = 0
    score_sum: int = 0
    scored: int = 0

    @property
    def average(self) -> float | None:
        return round(self.score_sum / self.scored, 1) if self.scored else None

    def add(self, started: int, completed: int, score_sum: int, scored: int) -> None:
        self.started += started
        self.completed += completed
        self.score_sum += score_sum
        self.scored += scored


@dataclass(frozen=True)
class Missed:
    """A question and how often it was answered wrong."""

    prompt: str
    wrong: int
    answered: int


@dataclass
class LessonReport:
    """One lesson's figures for the members in the chosen area."""

    slug: str
    title: str
    total: Tally
    by_area: dict[str, Tally]
    missed: list[Missed]


class _Query:
    """The joins and filters every report query shares: active members in scope, by village."""

    FROM = (
        " FROM user_area ua JOIN app_user u ON u.id = ua.user_id JOIN area a ON a.code = ua.area_id"
    )
    PROGRESS = " JOIN lesson_progress p ON p.user_id = ua.user_id AND NOT p.deleted"

    def __init__(self, scope: Scope, area: Area | None) -> None:
        self.conn = connection()
        self.params: list[Any] = []
        where = [f"u.role = {self.param(roles.MEMBER)}", "u.is_active"]
        where.append(f"a.kind = {self.param(kinds.VILLAGE)}")
        if not scope.everywhere:
            where.append(self._any_of(scope.villages, scope.communes, scope.provinces))
        if area is not None:
            codes = frozenset({area.code})
            where.append(self._any_of(codes, codes, codes))
        self.where = " WHERE " + " AND ".join(where)

    def param(self, value: Any) -> str:
        self.params.append(value)
        return placeholders(self.conn, 1, len(self.params))[0]

    def _any_of(
        self, villages: frozenset[str], communes: frozenset[str], provinces: frozenset[str]
    ) -> str:
        parts = [
            f"{column} IN ({', '.join(self.param(code) for code in sorted(codes))})"
            for column, codes in (
                ("a.code", villages),
                ("a.commune_code", communes),
                ("a.province_code", provinces),
            )
            if codes
        ]
        return "(" + " OR ".join(parts or ["1 = 0"]) + ")"

    async def rows(self, select: str, joins: str = "", tail: str = "") -> list[dict[str, Any]]:
        sql = f"SELECT {select}{self.FROM}{joins}{self.where}{tail}"
        rows: list[dict[str, Any]] = await self.conn.execute_query_dict(sql, self.params)
        return rows


def _group_key(village: str, commune: str, area: Area | None, scope: Scope) -> str:
    """Group by village inside a commune or village; by commune above that."""
    kind = area.kind if area is not None else None
    if kind in (kinds.COMMUNE, kinds.VILLAGE):
        return village
    if kind is None and not scope.everywhere and not scope.provinces:
        return village
    return commune


async def completion(scope: Scope, area: Area | None) -> list[LessonReport]:
    """Every published lesson's figures for the members in scope, by area (counted in SQL).

    One report at a time per worker: its "most missed" query walks every completed lesson's
    answers, and on SQLite every other request waits for the one connection meanwhile; four
    trainers at once made everyone wait for four (bench/hostile.py). The others take turns.
    """
    async with _REPORTING:
        return await _completion(scope, area)


async def _completion(scope: Scope, area: Area | None) -> list[LessonReport]:
    members = await _Query(scope, area).rows(
        "a.code AS village, a.commune_code AS commune, COUNT(DISTINCT u.id) AS n",
        tail=" GROUP BY a.code, a.commune_code",
    )
    group_sizes: Counter[str] = Counter()
    for row in members:
        group_sizes[_group_key(row["village"], row["commune"] or "", area, scope)] += row["n"]
    query = _Query(scope, area)
    done = f"'{COMPLETED}'"  # a constant of ours, inlined: SQLite binds `?` in text order
    counts = await query.rows(
        "p.lesson_slug AS slug, a.code AS village, a.commune_code AS commune,"
        " COUNT(*) AS started,"
        f" SUM(CASE WHEN p.status = {done} THEN 1 ELSE 0 END) AS completed,"
        f" SUM(CASE WHEN p.status = {done} THEN p.score ELSE 0 END) AS score_sum,"
        f" COUNT(CASE WHEN p.status = {done} THEN p.score END) AS scored",
        joins=_Query.PROGRESS,
        tail=" GROUP BY p.lesson_slug, a.code, a.commune_code",
    )
    lessons = await PublishedLesson.filter(deleted=False).order_by("order", "slug")
    reports = {
        lesson.slug: LessonReport(
            lesson.slug,
            lesson.title,
            Tally(members=sum(group_sizes.values())),
            {key: Tally(members=n) for key, n in group_sizes.items()},
            [],
        )
        for lesson in lessons
    }
    for row in counts:
        report = reports.get(row["slug"])
        if report is None:
            continue
        key = _group_key(row["village"], row["commune"] or "", area, scope)
        figures = (row["started"], row["completed"], row["score_sum"] or 0, row["scored"])
        report.total.add(*map(int, figures))
        report.by_area[key].add(*map(int, figures))
    await _add_most_missed(scope, area, lessons, reports)
    return list(reports.values())


async def _add_most_missed(
    scope: Scope,
    area: Area | None,
    lessons: list[PublishedLesson],
    reports: dict[str, LessonReport],
) -> None:
    """Count each (lesson, version, question, chosen answer) in SQL, then mark them."""
    query = _Query(scope, area)
    # A stored value that is not an object (an older server let one in) counts as no answers.
    if is_postgres(query.conn):
        answers = "CASE WHEN jsonb_typeof(p.answers) = 'object' THEN p.answers ELSE '{}' END"
        each = f" CROSS JOIN LATERAL jsonb_each_text({answers}) AS j(key, value)"
    else:
        answers = (
            "CASE WHEN NOT json_valid(p.answers) THEN '{}'"
            " WHEN json_type(p.answers) = 'object' THEN p.answers ELSE '{}' END"
        )
        each = f", json_each({answers}) AS j"
    rows = await query.rows(
        "p.lesson_slug AS slug, p.lesson_version AS number, j.key AS question,"
        " j.value AS chosen, COUNT(*) AS n",
        joins=_Query.PROGRESS + f" AND p.status = '{COMPLETED}'" + each,
        tail=" GROUP BY p.lesson_slug, p.lesson_version, j.key, j.value",
    )
    by_lesson: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_lesson[row["slug"]].append(row)
    quizzes = await _quizzes([lesson.slug for lesson in lessons])
    for lesson in lessons:
        reports[lesson.slug].missed = _most_missed(by_lesson.get(lesson.slug, []), quizzes, lesson)


async def _quizzes(slugs: list[str]) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """Every version's quiz, so an answer is marked against the quiz the member took."""
    rows = await LessonVersion.filter(lesson__slug__in=slugs or ["-"]).values(
        "lesson__slug", "number", "quiz"
    )
    return {(row["lesson__slug"], row["number"]): row["quiz"] for row in rows}


def _most_missed(
    rows: list[dict[str, Any]],
    quizzes: dict[tuple[str, int], list[dict[str, Any]]],
    lesson: PublishedLesson,
) -> list[Missed]:
    wrong: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    prompts: dict[str, str] = {q["id"]: q["prompt"] for q in lesson.quiz}
    for row in rows:
        quiz = quizzes.get((lesson.slug, row["number"] or 0), lesson.quiz)
        question = next((q for q in quiz if q["id"] == row["question"]), None)
        if question is None:
            continue
        key = prompts.get(question["id"], question["prompt"])
        answered[key] += int(row["n"])
        if str(row["chosen"]) != str(question["answer"]):
            wrong[key] += int(row["n"])
    ranked = sorted(wrong.items(), key=lambda item: (-item[1], item[0]))[:MOST_MISSED]
    return [Missed(prompt, count, answered[prompt]) for prompt, count in ranked]


async def area_names(codes: set[str]) -> dict[str, str]:
    """Names of areas by code."""
    rows = await Area.filter(code__in=sorted(codes) or ["-"]).values_list("code", "name")
    return {code: name for code, name in rows}


CSV_HEADER = (
    "lesson",
    "title",
    "area_code",
    "area_name",
    "members",
    "started",
    "completed",
    "average_score",
)


def as_csv(reports: list[LessonReport], names: dict[str, str]) -> str:
    """One row per lesson and area, UTF-8 with a BOM so that Excel shows Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(cells.csv_row(CSV_HEADER))
    for report in reports:
        for code, tally in sorted(report.by_area.items()):
            average = "" if tally.average is None else f"{tally.average:.1f}"
            name = names.get(code, "")
            row = (report.slug, report.title, code, name, tally.members, tally.started)
            writer.writerow(cells.csv_row((*row, tally.completed, average)))
    return "\ufeff" + out.getvalue()
