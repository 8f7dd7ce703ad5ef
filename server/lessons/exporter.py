"""`langso content export`: published lessons back to content/lessons/*.md, images included."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from server.content import (
    LessonDef,
    QuizQuestion,
    dump_lesson,
    load_lessons,
    parse_lesson,
)
from server.lessons import provenance
from server.lessons.media import uploads_dir
from server.lessons.models import Lesson, LessonVersion

_IMAGE_REF = re.compile(r"\]\((?:\./)?images/([A-Za-z0-9._-]+)")


@dataclass(frozen=True)
class ExportSummary:
    """What `export_content` wrote (the CLI says it in the operator's language)."""

    written: int
    unchanged: int
    images: int
    folder: Path
    unpublished: tuple[str, ...]  # slugs of lessons left out


async def export_content(content_dir: Path, data_dir: Path) -> ExportSummary:
    """Write every published lesson as it is published; say what was written.

    A lesson keeps its file (`NN-slug.md`) when it has one; a new lesson's file is numbered by its
    order. Uploaded images the lessons use are copied to content/lessons/images/. Unpublished
    lessons are left out, and files of lessons the database does not know are left alone.
    """
    folder = content_dir / "lessons"
    folder.mkdir(parents=True, exist_ok=True)
    existing = {_slug_of(path): path for path in folder.glob("*.md")}
    planned: list[tuple[Path, str, str]] = []
    skipped: list[str] = []
    for lesson in await Lesson.all().order_by("slug"):
        if lesson.published_version is None:
            skipped.append(lesson.slug)
            continue
        version = await LessonVersion.get(lesson=lesson, number=lesson.published_version)
        order = int(version.meta.get("order", 0))
        path = existing.get(lesson.slug) or folder / f"{order:02d}-{lesson.slug}.md"
        text = dump_lesson(_as_def(lesson.slug, version, path))
        parse_lesson(text, path)  # check every file before writing any
        planned.append((path, text, version.body_md))
    written, unchanged, images = 0, 0, 0
    for path, text, body_md in planned:
        if path.exists() and path.read_text(encoding="utf-8") == text:
            unchanged += 1
        else:
            path.write_text(text, encoding="utf-8")
            written += 1
        images += _copy_images(body_md, data_dir, folder / "images")
    load_lessons(content_dir)  # the folder as a whole (unique slugs, file names) still loads
    return ExportSummary(written, unchanged, images, folder, tuple(skipped))


def _slug_of(path: Path) -> str:
    return path.stem.split("-", 1)[1] if "-" in path.stem else path.stem


def _as_def(slug: str, version: LessonVersion, path: Path) -> LessonDef:
    meta = version.meta
    sources, checked = provenance.from_meta(meta)
    return LessonDef(
        slug=slug,
        title=version.title,
        language=version.language,
        summary=version.summary,
        objectives=tuple(meta.get("objectives", [])),
        order=int(meta.get("order", 0)),
        audience_roles=tuple(meta.get("audience_roles", [])),
        body_md=version.body_md,
        quiz=tuple(
            QuizQuestion(
                id=str(q["id"]),
                prompt=str(q["prompt"]),
                choices=tuple(q["choices"]),
                answer=int(q["answer"]),
                explanation=str(q["explanation"]),
            )
            for q in version.quiz
        ),
        source_path=path,
        sources=sources,
        checked=checked,
        remember=tuple(str(point) for point in meta.get("remember", [])),
    )


def _copy_images(body_md: str, data_dir: Path, target: Path) -> int:
    copied = 0
    for name in _IMAGE_REF.findall(body_md):
        source = uploads_dir(data_dir) / name
        if source.is_file() and not (target / name).exists():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)
            copied += 1
    return copied
