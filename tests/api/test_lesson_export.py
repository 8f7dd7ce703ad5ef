"""`langso content export` writes what is published back to content/, so import changes nothing."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image

from server.accounts import roles
from server.content import load_lessons
from server.lessons import drafts, services
from server.lessons.exporter import export_content
from server.lessons.importer import import_content
from server.lessons.media import store_image
from tests.paths import REPO_ROOT


def _draft(body: str) -> drafts.LessonDraft:
    return drafts.LessonDraft(
        title="Chụp ảnh sản phẩm để bán",
        summary="Chụp ảnh sáng, rõ.",
        order="31",
        objectives="Chụp ảnh đủ sáng\nChụp nhiều góc",
        body_md=body,
        audience_roles=[roles.MEMBER],
        questions=[
            drafts.Question(
                id="q1",
                prompt="Nên chụp ở đâu?",
                choices=["Chỗ tối", "Chỗ đủ sáng"],
                right="1",
                explanation="Ảnh sáng giúp người mua thấy rõ hàng.",
            )
        ],
    )


async def test_export_writes_published_lessons_and_their_images(app, tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    data_dir = app.state.settings.data_dir
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 0)).save(buffer, "PNG")
    name = store_image(buffer.getvalue(), data_dir)
    slug = "chup-anh-san-pham-xuat"
    body = f"## Ảnh\n\n![Quả bưởi](images/{name})"
    lesson = await services.create_lesson(slug, _draft(body), None)
    await services.publish(lesson, 1)
    hidden = await services.create_lesson("ban-nhap-chua-dang", _draft("Chưa xong."), None)

    summary = await export_content(content, data_dir)
    assert "ban-nhap-chua-dang" in summary.unpublished and hidden.published_version is None
    written = content / "lessons" / f"31-{slug}.md"
    assert written.exists()
    assert (content / "lessons" / "images" / name).read_bytes() == (
        data_dir / "media" / "lessons" / name
    ).read_bytes()
    exported = {lesson.slug: lesson for lesson in load_lessons(content)}
    assert exported[slug].quiz[0].answer == 1
    assert exported[slug].objectives == ("Chụp ảnh đủ sáng", "Chụp nhiều góc")
    shipped = {lesson.slug: lesson for lesson in load_lessons(REPO_ROOT / "content")}
    for key, lesson_def in shipped.items():
        exported_def = exported[key]
        assert (exported_def.title, exported_def.body_md, exported_def.quiz) == (
            lesson_def.title,
            lesson_def.body_md,
            lesson_def.quiz,
        )
        original = (REPO_ROOT / "content" / "lessons").glob(f"*-{key}.md")
        [path] = list(original)
        assert (content / "lessons" / path.name).read_text(encoding="utf-8") == path.read_text(
            encoding="utf-8"
        ), f"exporting an imported lesson must give back the same file: {path.name}"

    again = await export_content(content, data_dir)
    assert again.written == 0
    imported = await import_content(content)
    assert imported.new_lesson_versions == 0, imported


async def test_export_then_import_keeps_a_trainers_newer_draft_on_top(app, tmp_path: Path):
    """Export writes the published version; importing it back must not bury the draft."""
    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    lesson = await services.create_lesson("ban-co-ban-nhap-moi", _draft("Bản đã đăng."), None)
    await services.publish(lesson, 1)
    draft = await services.save_version(lesson, _draft("Bản nháp mới, chưa đăng."), None)
    assert draft.number == 2

    await export_content(content, app.state.settings.data_dir)
    imported = await import_content(content)

    assert imported.new_lesson_versions == 0, imported
    await lesson.refresh_from_db()
    latest = await services.latest_version(lesson)
    assert lesson.published_version == 1
    assert latest is not None and (latest.number, latest.body_md) == (2, draft.body_md)


async def test_a_trainers_draft_keeps_the_sources_and_checked_date(app, tmp_path: Path):
    """The editor does not show sources: saving a draft keeps them, and export writes them."""
    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    await import_content(content)
    shipped = {lesson.slug: lesson for lesson in load_lessons(content)}
    slug = "recognising-online-scams"
    assert shipped[slug].sources, "the shipped lesson names its sources"
    lesson = await services.get_lesson(slug)
    assert lesson is not None
    latest = await services.latest_version(lesson)
    assert latest is not None
    draft = drafts.from_version(
        latest.title, latest.summary, latest.language, latest.body_md, latest.quiz, latest.meta
    )
    draft.body_md += "\n\nMột dòng thêm."
    saved = await services.save_version(lesson, draft, None)
    await services.publish(lesson, saved.number)

    await export_content(content, app.state.settings.data_dir)
    (exported,) = [x for x in load_lessons(content) if x.slug == slug]
    assert exported.body_md.endswith("Một dòng thêm.")
    assert (exported.sources, exported.checked) == (shipped[slug].sources, shipped[slug].checked)
