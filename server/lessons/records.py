"""A user's lesson progress, as the devices sync it."""

from __future__ import annotations

from typing import Any

from server.i18n import N_
from server.lessons.models import LessonProgress, PublishedLesson
from server.sync.fields import FieldError, Rule
from server.sync.registry import SCOPE_EVERYONE, SCOPE_OWNER, SyncType

STATUSES = ("started", "completed")


def _check_status(value: Any) -> str:
    if value not in STATUSES:
        raise FieldError("status", N_("Choose one of the listed options."))
    return str(value)


def _for_role(row: dict[str, Any], role: str) -> bool:
    roles = row.get("audience_roles") or []
    return not roles or role in roles


_LESSON_FIELDS = (
    *("slug", "number", "title", "language", "summary", "order"),
    *("objectives", "html", "quiz", "images", "audience_roles"),
)

LESSON = SyncType(
    name="lesson",
    model=PublishedLesson,
    scope=SCOPE_EVERYONE,
    read_only=True,
    audience=_for_role,
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
        Rule("answers", "map"),
    ),
    extra_pull_fields=("user_id",),
    creator_field="user_id",
)
