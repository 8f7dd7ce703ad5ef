"""A user's lesson progress, as the devices sync it."""

from __future__ import annotations

from typing import Any

from server.i18n import N_
from server.lessons.models import LessonProgress, PublishedLesson
from server.syncable.fields import FieldError, Rule
from server.syncable.types import SCOPE_EVERYONE, SCOPE_OWNER, SyncType, Viewer

STATUSES = ("started", "completed")


def _check_status(value: Any) -> str:
    if value not in STATUSES:
        raise FieldError("status", N_("Choose one of the listed options."))
    return str(value)


def for_viewer(row: dict[str, Any], viewer: Viewer) -> bool:
    """Whether a published lesson is for this viewer: by role, then by area.

    A lesson for some areas reaches the people working inside them, and the coordinators and
    trainers of any area above them; a lesson without areas reaches everyone.
    """
    roles = row.get("audience_roles") or []
    if roles and viewer.role not in roles:
        return False
    areas = set(row.get("audience_areas") or [])
    if not areas or viewer.everywhere:
        return True
    return bool(areas & viewer.reach) or bool(viewer.areas & set(row.get("audience_above") or []))


_LESSON_FIELDS = (
    *("slug", "number", "title", "language", "summary", "order"),
    *("objectives", "html", "quiz", "images", "audience_roles", "audience_areas"),
    "audience_above",
)

LESSON = SyncType(
    name="lesson",
    model=PublishedLesson,
    scope=SCOPE_EVERYONE,
    read_only=True,
    audience=for_viewer,
    rules=(),
    extra_pull_fields=_LESSON_FIELDS,
)


LESSON_PROGRESS = SyncType(
    name="lesson_progress",
    model=LessonProgress,
    scope=SCOPE_OWNER,
    rules=(
        Rule("lesson_slug", "text", required=True, max_length=80),
        Rule("lesson_version", "int", min=1),
        Rule("status", "object", required=True, check=_check_status),
        Rule("score", "int", min=0, max=100),
        # Question id -> the chosen answer's index: a lesson has at most 30 questions.
        Rule("answers", "map", max_keys=60, max_key_length=60, max_value_size=20),
    ),
    extra_pull_fields=("user_id",),
    creator_field="user_id",
)
