"""Lessons: publishing what members' devices receive. Every lessons query lives here."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from server.lessons.models import Lesson, LessonVersion, PublishedLesson
from server.lessons.rendering import MEDIA_PREFIX, render_markdown
from server.notifications import messages
from server.notifications import services as notifications
from server.sync.clock import allocate_versions

_NAMESPACE = uuid.UUID("6f1c2a4e-5d0b-4f7e-9a57-1a2b3c4d5e6f")
_IMAGE = re.compile(r'src="' + re.escape(MEDIA_PREFIX) + r'([^"]+)"')


def published_id(slug: str) -> uuid.UUID:
    """The synced record id of a lesson: the same on every server for the same slug."""
    return uuid.uuid5(_NAMESPACE, slug)


async def publish(lesson: Lesson, number: int) -> None:
    """Publish version `number`: devices receive it on their next pull."""
    version = await LessonVersion.get(lesson=lesson, number=number)
    html = render_markdown(version.body_md)
    now = datetime.now(UTC)
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
        }
        row = await PublishedLesson.get_or_none(id=published_id(lesson.slug), using_db=conn)
        if row is None:
            await PublishedLesson.create(
                id=published_id(lesson.slug),
                slug=lesson.slug,
                created_at=now,
                using_db=conn,
                **values,
            )
        else:
            await row.update_from_dict(values).save(using_db=conn)
        lesson.published_version = number
        await lesson.save(update_fields=["published_version"], using_db=conn)
    await notifications.notify_audience(
        messages.lesson_published(lesson.slug, version.title),
        roles=list(version.meta.get("audience_roles", [])),
        area_codes=list(version.meta.get("audience_areas", [])),
    )
