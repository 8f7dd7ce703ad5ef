"""Lessons with their versions (authored on the server) and each user's progress (synced)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from server.syncable.models import Synced


class Lesson(Model):
    """A lesson: its text lives in versions, `published_version` is what members read."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=80, unique=True)
    published_version = fields.IntField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lesson"


class LessonVersion(Model):
    """One saved version of a lesson: Markdown body, quiz, audience."""

    id = fields.IntField(primary_key=True)
    lesson: fields.ForeignKeyRelation[Lesson] = fields.ForeignKeyField(
        "langso.Lesson", related_name="versions"
    )
    number = fields.IntField()
    title = fields.CharField(max_length=200)
    language = fields.CharField(max_length=5, default="vi")
    summary = fields.TextField(default="")
    body_md = fields.TextField()
    quiz: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    meta: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    created_by = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lesson_version"
        unique_together = (("lesson", "number"),)


class LessonProgress(Synced):
    """A user's progress in one lesson: status, score and answers."""

    user_id = fields.UUIDField()
    lesson_slug = fields.CharField(max_length=80)
    lesson_version = fields.IntField(null=True)
    status = fields.CharField(max_length=10, default="started")
    score = fields.IntField(null=True)
    answers: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "lesson_progress"
        indexes = (("user_id", "txid", "version"),)


class PublishedLesson(Synced):
    """What members' devices hold: the published version of a lesson, rendered and ready offline.

    Written by the server when a lesson is published or unpublished (then `deleted`); devices
    receive it through the ordinary pull and never push it.
    """

    slug = fields.CharField(max_length=80, unique=True)
    number = fields.IntField()
    title = fields.CharField(max_length=200)
    language = fields.CharField(max_length=5)
    summary = fields.TextField(default="")
    order = fields.IntField(default=0)
    objectives: fields.Field[list[str]] = fields.JSONField(default=list)
    html = fields.TextField()
    quiz: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    images: fields.Field[list[str]] = fields.JSONField(default=list)
    audience_roles: fields.Field[list[str]] = fields.JSONField(default=list)
    # The areas the lesson is for (empty: everywhere) and every area above them.
    audience_areas: fields.Field[list[str]] = fields.JSONField(default=list, db_default="[]")
    audience_above: fields.Field[list[str]] = fields.JSONField(default=list, db_default="[]")

    class Meta:
        table = "published_lesson"
        indexes = (("txid", "version"),)
