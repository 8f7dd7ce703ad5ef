"""Completion reports: who started and finished each lesson, scores, the questions most missed."""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q

from server.accounts import roles
from server.accounts.models import UserArea
from server.areas import kinds
from server.areas.models import Area
from server.areas.scope import Scope
from server.lessons.models import LessonProgress, LessonVersion, PublishedLesson

COMPLETED = "completed"
MOST_MISSED = 5


@dataclass(frozen=True)
class Member:
    """A team member counted in a report, with the areas they belong to."""

    village: str
    commune: str
    province: str


@dataclass
class Tally:
    """Started, completed and scores of one lesson in one group of members."""

    members: int = 0
    started: int = 0
    completed: int = 0
    scores: list[int] = field(default_factory=list)

    @property
    def average(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 1) if self.scores else None


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


async def members_in(scope: Scope, area: Area | None) -> dict[uuid.UUID, Member]:
    """The team members inside the scope (and inside `area`, when given), by user id."""
    query = UserArea.filter(user__role=roles.MEMBER, user__is_active=True, area__kind=kinds.VILLAGE)
    if not scope.everywhere:
        query = query.filter(
            Q(area__code__in=sorted(scope.villages) or ["-"])
            | Q(area__commune_code__in=sorted(scope.communes) or ["-"])
            | Q(area__province_code__in=sorted(scope.provinces) or ["-"])
        )
    if area is not None:
        code = area.code
        query = query.filter(
            Q(area__code=code) | Q(area__commune_code=code) | Q(area__province_code=code)
        )
    rows = await query.values_list(
        "user_id", "area__code", "area__commune_code", "area__province_code"
    )
    return {user_id: Member(v, c or "", p) for user_id, v, c, p in rows}


def _group_key(member: Member, area: Area | None, scope: Scope) -> str:
    """Group by village inside a commune or village; by commune above that."""
    kind = area.kind if area is not None else None
    if kind in (kinds.COMMUNE, kinds.VILLAGE):
        return member.village
    if kind is None and not scope.everywhere and not scope.provinces:
        return member.village
    return member.commune


async def completion(scope: Scope, area: Area | None) -> list[LessonReport]:
    """Every published lesson's figures for the members in scope, by area."""
    members = await members_in(scope, area)
    lessons = await PublishedLesson.filter(deleted=False).order_by("order", "slug")
    progress = await LessonProgress.filter(
        deleted=False, user_id__in=list(members) or [uuid.uuid4()]
    ).values("user_id", "lesson_slug", "lesson_version", "status", "score", "answers")
    by_lesson: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in progress:
        by_lesson[row["lesson_slug"]].append(row)
    quizzes = await _quizzes([lesson.slug for lesson in lessons])
    group_sizes = Counter(_group_key(m, area, scope) for m in members.values())
    reports = []
    for lesson in lessons:
        total = Tally(members=len(members))
        groups = {key: Tally(members=n) for key, n in group_sizes.items()}
        for row in by_lesson.get(lesson.slug, []):
            key = _group_key(members[row["user_id"]], area, scope)
            for tally in (total, groups[key]):
                tally.started += 1
                if row["status"] == COMPLETED:
                    tally.completed += 1
                    if row["score"] is not None:
                        tally.scores.append(int(row["score"]))
        missed = _most_missed(by_lesson.get(lesson.slug, []), quizzes, lesson)
        reports.append(LessonReport(lesson.slug, lesson.title, total, groups, missed))
    return reports


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
        answers = row["answers"] or {}
        quiz = quizzes.get((lesson.slug, row["lesson_version"] or 0), lesson.quiz)
        for question in quiz:
            chosen = answers.get(question["id"])
            if chosen is None:
                continue
            key = prompts.get(question["id"], question["prompt"])
            answered[key] += 1
            if chosen != question["answer"]:
                wrong[key] += 1
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
    writer.writerow(CSV_HEADER)
    for report in reports:
        for code, tally in sorted(report.by_area.items()):
            average = "" if tally.average is None else f"{tally.average:.1f}"
            name = names.get(code, "")
            row = (report.slug, report.title, code, name, tally.members, tally.started)
            writer.writerow((*row, tally.completed, average))
    return "\ufeff" + out.getvalue()
