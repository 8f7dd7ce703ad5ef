"""A user's lesson progress, as the devices sync it."""

from __future__ import annotations

from typing import Any

from server.i18n import N_
from server.lessons.models import LessonProgress
from server.sync.fields import FieldError, Rule
from server.sync.registry import SCOPE_OWNER, SyncType

STATUSES = ("started", "completed")


def _check_status(value: Any) -> str:
    if value not in STATUSES:
        raise FieldError("status", N_("Choose one of the listed options."))
    return str(value)


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
