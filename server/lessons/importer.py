"""`langso content import`: lessons and checklist templates from content/ into the database."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from tortoise.transactions import in_transaction

from server.checklists.models import ChecklistTemplate
from server.content import (
    LessonDef,
    load_checklist_templates,
    load_indicators,
    load_lessons,
)
from server.lessons import provenance
from server.lessons.models import Lesson, LessonVersion
from server.lessons.services import publish


@dataclass(frozen=True)
class ImportSummary:
    """What `import_content` found and stored (the CLI says it in the operator's language)."""

    indicator_set_version: int
    indicators: int
    checklists: int
    new_checklist_versions: int
    lessons: int
    new_lesson_versions: int


async def import_content(content_dir: Path) -> ImportSummary:
    """Validate everything first, then store what changed; re-running changes nothing."""
    indicators = load_indicators(content_dir)
    templates = load_checklist_templates(content_dir)
    lessons = load_lessons(content_dir)
    new_versions = 0
    new_templates = 0
    async with in_transaction():
        for template in templates:
            items = [
                {
                    "key": item.key,
                    "label": item.label,
                    "help": item.help,
                    "sets_indicator": list(item.sets_indicator) if item.sets_indicator else None,
                }
                for item in template.items
            ]
            _, created = await ChecklistTemplate.get_or_create(
                key=template.key,
                version=template.version,
                defaults={
                    "title": template.title,
                    "description": template.description,
                    "items": items,
                    "is_current": True,
                },
            )
            if created:
                new_templates += 1
                await ChecklistTemplate.filter(
                    key=template.key, version__lt=template.version
                ).update(is_current=False)
        for lesson in lessons:
            new_versions += await _store_lesson(lesson)
    return ImportSummary(
        indicator_set_version=indicators.version,
        indicators=len(indicators.indicators),
        checklists=len(templates),
        new_checklist_versions=new_templates,
        lessons=len(lessons),
        new_lesson_versions=new_versions,
    )


async def _store_lesson(lesson: LessonDef) -> int:
    """Add a version when the file differs from the lesson's, and publish it.

    A file equal to the published version changes nothing, even when a trainer has a newer
    draft on the screens (`content export` writes the published version: exporting, then
    importing, must not bury that draft under a copy of what is already published). A file
    equal to the latest draft publishes that draft.
    """
    row, _ = await Lesson.get_or_create(slug=lesson.slug)
    latest = await LessonVersion.filter(lesson=row).order_by("-number").first()
    quiz = json.loads(json.dumps([asdict(question) for question in lesson.quiz]))
    meta = {
        "order": lesson.order,
        "objectives": list(lesson.objectives),
        "audience_roles": list(lesson.audience_roles),
        # Areas are chosen on the server, never in content/: an import keeps them.
        "audience_areas": list(latest.meta.get("audience_areas", [])) if latest else [],
        **provenance.to_meta(lesson.sources, lesson.checked),
        **({"remember": list(lesson.remember)} if lesson.remember else {}),
    }

    def same(version: LessonVersion | None) -> bool:
        return version is not None and (
            version.title == lesson.title
            and version.body_md == lesson.body_md
            and version.summary == lesson.summary
            and version.quiz == quiz
            and {"audience_areas": [], **version.meta} == meta
        )

    if row.published_version is not None and (
        latest is None or latest.number != row.published_version
    ):
        published = await LessonVersion.get_or_none(lesson=row, number=row.published_version)
        if same(published):
            return 0
    if same(latest) and latest is not None:
        if row.published_version != latest.number:
            await publish(row, latest.number)
        return 0
    number = (latest.number if latest else 0) + 1
    await LessonVersion.create(
        lesson=row,
        number=number,
        title=lesson.title,
        language=lesson.language,
        summary=lesson.summary,
        body_md=lesson.body_md,
        quiz=quiz,
        meta=meta,
    )
    await publish(row, number)
    return 1
