"""Lessons: versions, drafts and publishing to members' devices. Every lessons query lives here."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server.accounts import roles
from server.accounts.models import UserArea
from server.areas.scope import Scope
from server.areas.services import all_in_scope, areas_with_ancestors
from server.errors import UserError
from server.i18n import N_
from server.lessons import provenance
from server.lessons.drafts import LessonDraft
from server.lessons.models import Lesson, LessonVersion, PublishedLesson
from server.lessons.records import for_viewer
from server.lessons.rendering import MEDIA_PREFIX, render_lesson
from server.notifications import messages
from server.notifications import services as notifications
from server.syncable.clock import allocate_versions
from server.syncable.types import Viewer

_NAMESPACE = uuid.UUID("6f1c2a4e-5d0b-4f7e-9a57-1a2b3c4d5e6f")
_IMAGE = re.compile(r'src="' + re.escape(MEDIA_PREFIX) + r'([^"]+)"')


class LessonError(UserError):
    """A problem with a lesson the trainer can fix."""


@dataclass(frozen=True)
class LessonSummary:
    """One row of the trainer's lesson list."""

    lesson: Lesson
    latest: LessonVersion
    published: int | None
    needs_check: bool = False  # facts not checked against the sources for 12 months

    @property
    def has_draft(self) -> bool:
        return self.published is None or self.latest.number > self.published


def published_id(slug: str) -> uuid.UUID:
    """The synced record id of a lesson: the same on every server for the same slug."""
    return uuid.uuid5(_NAMESPACE, slug)


async def list_lessons() -> list[LessonSummary]:
    """Every lesson with its latest version, in the order members see them."""
    lessons = {lesson.id: lesson for lesson in await Lesson.all()}
    latest: dict[int, LessonVersion] = {}
    for version in await LessonVersion.all().order_by("number"):
        latest[version.lesson_id] = version  # type: ignore[attr-defined]
    today = datetime.now(UTC).date()
    rows = [
        LessonSummary(
            lessons[lesson_id],
            version,
            lessons[lesson_id].published_version,
            provenance.needs_check(version.meta, today),
        )
        for lesson_id, version in latest.items()
    ]
    return sorted(rows, key=lambda r: (int(r.latest.meta.get("order", 0)), r.lesson.slug))


async def get_lesson(slug: str) -> Lesson | None:
    """A lesson by slug."""
    return await Lesson.get_or_none(slug=slug)


async def versions(lesson: Lesson) -> list[LessonVersion]:
    """A lesson's versions, newest first."""
    return await LessonVersion.filter(lesson=lesson).order_by("-number")


async def get_version(lesson: Lesson, number: int) -> LessonVersion | None:
    """One version of a lesson."""
    return await LessonVersion.get_or_none(lesson=lesson, number=number)


async def latest_version(lesson: Lesson) -> LessonVersion | None:
    """The newest version of a lesson (a draft when it is newer than the published one)."""
    return await LessonVersion.filter(lesson=lesson).order_by("-number").first()


async def create_lesson(slug: str, draft: LessonDraft, author: uuid.UUID | None) -> Lesson:
    """A new lesson with its first version, as a draft."""
    if await Lesson.exists(slug=slug):
        raise LessonError(N_("Another lesson already uses this short name. Choose another one."))
    async with in_transaction():
        lesson = await Lesson.create(slug=slug)
        await save_version(lesson, draft, author)
    return lesson


async def save_version(
    lesson: Lesson, draft: LessonDraft, author: uuid.UUID | None
) -> LessonVersion:
    """Save the draft as a new version (not published); an unchanged draft adds nothing.

    The editor does not show a lesson's sources and checked date: they are kept from the latest
    version.
    """
    latest = await latest_version(lesson)
    kept = {k: latest.meta[k] for k in provenance.KEPT if latest and k in latest.meta}
    return await _add_version(
        lesson,
        title=draft.title,
        language=draft.language,
        summary=draft.summary,
        body_md=draft.body_md,
        quiz=draft.quiz(),
        meta={**draft.meta(), **kept},
        author=author,
    )


async def revert(lesson: Lesson, number: int, author: uuid.UUID | None) -> LessonVersion:
    """Bring back version `number` as a new version (history is never rewritten)."""
    old = await LessonVersion.get(lesson=lesson, number=number)
    return await _add_version(
        lesson,
        title=old.title,
        language=old.language,
        summary=old.summary,
        body_md=old.body_md,
        quiz=old.quiz,
        meta=old.meta,
        author=author,
        force=True,
    )


async def _add_version(
    lesson: Lesson,
    *,
    title: str,
    language: str,
    summary: str,
    body_md: str,
    quiz: list[dict[str, Any]],
    meta: dict[str, Any],
    author: uuid.UUID | None,
    force: bool = False,
) -> LessonVersion:
    latest = await latest_version(lesson)
    if latest is not None and not force:
        same = (latest.title, latest.language, latest.summary, latest.body_md, latest.quiz)
        if same == (title, language, summary, body_md, quiz) and latest.meta == meta:
            return latest
    return await LessonVersion.create(
        lesson=lesson,
        number=(latest.number if latest else 0) + 1,
        title=title,
        language=language,
        summary=summary,
        body_md=body_md,
        quiz=quiz,
        meta=meta,
        created_by=author,
    )


async def publish(lesson: Lesson, number: int) -> list[uuid.UUID]:
    """Publish version `number`: devices in its audience receive it on their next pull.

    Returns the ids of the users it is for (see `_announce_published`).
    """
    version = await LessonVersion.get(lesson=lesson, number=number)
    html = render_lesson(version.body_md, version.language, version.meta.get("remember", []))
    now = datetime.now(UTC)
    areas = sorted(set(version.meta.get("audience_areas", [])))
    above = sorted(await areas_with_ancestors(areas) - set(areas))
    async with in_transaction() as conn:
        [clock] = await allocate_versions(conn, 1)
        values = {
            "version": clock,
            "deleted": False,
            "updated_at": now,
            "number": number,
            "title": version.title,
            "language": version.language,
            "summary": version.summary,
            "order": int(version.meta.get("order", 0)),
            "objectives": list(version.meta.get("objectives", [])),
            "html": html,
            "quiz": version.quiz,
            "images": [f"{MEDIA_PREFIX}{name}" for name in _IMAGE.findall(html)],
            "audience_roles": list(version.meta.get("audience_roles", [])),
            "audience_areas": areas,
            "audience_above": above,
        }
        row = await PublishedLesson.get_or_none(id=published_id(lesson.slug), using_db=conn)
        if row is None:
            row = await PublishedLesson.create(
                id=published_id(lesson.slug),
                slug=lesson.slug,
                created_at=now,
                using_db=conn,
                **values,
            )
        else:
            await row.update_from_dict(values).save(using_db=conn)
        lesson.published_version = number
        await lesson.save(update_fields=["published_version", "updated_at"], using_db=conn)
    audience = await _announce_published(row)
    await notifications.notify_users(audience, messages.lesson_published(lesson.slug, row.title))
    return audience


async def may_unpublish(scope: Scope, lesson: Lesson) -> bool:
    """Who may take a lesson off phones: see docs/security.md ("Operations").

    An admin always; a trainer when every area the published lesson reaches is inside their own
    areas, or, for a lesson that reaches everyone, when they wrote the version on phones.
    """
    if scope.everywhere:
        return True
    row = await PublishedLesson.get_or_none(id=published_id(lesson.slug))
    if row is None or row.deleted:
        return True  # nothing is on phones
    if row.audience_areas:
        return await all_in_scope(scope, row.audience_areas)
    version = await LessonVersion.get_or_none(lesson=lesson, number=row.number)
    return version is not None and version.created_by == scope.user_id


async def unpublish(lesson: Lesson) -> None:
    """Take a lesson off members' devices (a tombstone on their next pull); versions stay."""
    async with in_transaction() as conn:
        row = await PublishedLesson.get_or_none(id=published_id(lesson.slug), using_db=conn)
        if row is not None and not row.deleted:
            [clock] = await allocate_versions(conn, 1)
            row.version, row.deleted, row.updated_at = clock, True, datetime.now(UTC)
            await row.save(update_fields=["version", "deleted", "updated_at"], using_db=conn)
        lesson.published_version = None
        await lesson.save(update_fields=["published_version", "updated_at"], using_db=conn)


async def _announce_published(published: PublishedLesson) -> list[uuid.UUID]:
    """Who a published lesson is for (the same rule as pull): they get a web push."""
    row = {
        "audience_roles": published.audience_roles,
        "audience_areas": published.audience_areas,
        "audience_above": published.audience_above,
    }
    query = UserArea.filter(user__is_active=True)
    if published.audience_roles:
        query = query.filter(user__role__in=published.audience_roles)
    if published.audience_areas:
        codes = sorted({*published.audience_areas, *published.audience_above})
        query = query.filter(
            Q(area__code__in=codes)
            | Q(area__commune_code__in=codes)
            | Q(area__province_code__in=codes)
        )
    found = await query.values_list(
        "user_id", "user__role", "area__code", "area__commune_code", "area__province_code"
    )
    users: set[uuid.UUID] = set()
    for user_id, role, code, commune, province in found:
        reach = frozenset(c for c in (code, commune, province) if c)
        viewer = Viewer(role, role == roles.ADMIN, frozenset({code}), reach)
        if for_viewer(row, viewer):
            users.add(user_id)
    return sorted(users)
