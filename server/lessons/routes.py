"""Trainer screens for lessons: list, write with live preview, quiz, images, publish, history."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.accounts.models import User
from server.areas import services as areas
from server.content import curriculum
from server.content.lessons import REMEMBER_MAX
from server.errors import Forbidden, NotFound
from server.i18n import N_, gettext
from server.lessons import diff, drafts, media, services
from server.lessons.models import Lesson
from server.lessons.rendering import render_lesson
from server.web import limits
from server.web.requests import language_of, posted_form
from server.web.templating import render

_NOT_YOURS = N_(
    "This lesson reaches areas outside yours. A trainer of those areas or an administrator "
    "can take it off phones."
)
ROLE_LABELS = {
    roles.MEMBER: N_("Team members"),
    roles.TRAINER: N_("Trainers"),
    roles.COORDINATOR: N_("Coordinators"),
    roles.ADMIN: N_("Administrators"),
}


async def _author(request: Request) -> User:
    return await require_user(request, *roles.AUTHORS)


async def _lesson(request: Request) -> Lesson:
    lesson = await services.get_lesson(request.path_params["slug"])
    if lesson is None:
        raise NotFound()
    return lesson


async def _area_choices(user: User) -> list[Any]:
    scope = await accounts.scope_of(user)
    own = scope.villages | scope.communes | scope.provinces
    return await areas.areas_and_children(own, everywhere=scope.everywhere)


async def lesson_list(request: Request) -> Response:
    """Every lesson with its state: published, draft waiting, or not published."""
    user = await _author(request)
    context = {"user": user, "lessons": await services.list_lessons()}
    return render(request, "lessons/list.html", context, language_of(request, user))


async def _edit_page(
    request: Request,
    user: User,
    draft: drafts.LessonDraft,
    *,
    lesson: Lesson | None = None,
    slug: str = "",
    errors: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    lang = language_of(request, user)
    preview = (
        render_lesson(draft.body_md, draft.language, draft.remember_list)
        if draft.body_md.strip()
        else ""
    )
    context = {
        "user": user,
        "lesson": lesson,
        "slug": slug,
        "draft": draft,
        "errors": {k: gettext(lang, v) for k, v in (errors or {}).items()},
        "notice": notice,
        "preview": preview,
        "roles": roles.ROLES,
        "max_choices": drafts.MAX_CHOICES,
        "glossary_terms": curriculum.glossary().terms,
        "role_labels": ROLE_LABELS,
        "area_choices": await _area_choices(user),
        "published": lesson.published_version if lesson else None,
        "saved": request.query_params.get("saved", ""),
    }
    return render(request, "lessons/edit.html", context, lang, status)


async def new_lesson(request: Request) -> Response:
    """An empty lesson form."""
    user = await _author(request)
    return await _edit_page(request, user, drafts.LessonDraft(questions=[drafts.Question()]))


async def edit_lesson(request: Request) -> Response:
    """The latest version of a lesson, ready to edit."""
    user = await _author(request)
    lesson = await _lesson(request)
    latest = await services.latest_version(lesson)
    if latest is None:
        raise NotFound()
    draft = drafts.from_version(
        latest.title, latest.summary, latest.language, latest.body_md, latest.quiz, latest.meta
    )
    return await _edit_page(request, user, draft, lesson=lesson, slug=lesson.slug)


async def save_lesson(request: Request) -> Response:
    """Save a draft, publish it, or stay on the form (preview, add a question, add an image)."""
    user = await _author(request)
    bounds = {"max_fields": limits.FORM_MAX_FIELDS, "max_part_size": limits.FORM_BYTES}
    async with request.form(max_files=limits.FORM_MAX_FILES, **bounds) as form:  # closes the file
        return await _save(request, user, form)


async def _save(request: Request, user: User, form: FormData) -> Response:
    creating = "slug" not in request.path_params
    lesson = None if creating else await _lesson(request)
    fields = await posted_form(request)
    slug = fields.get("slug", "").strip() if creating else lesson.slug if lesson else ""
    if creating and not slug:  # filled from the title by default (the page's script does too)
        slug = drafts.slug_from_title(fields.get("title", ""))
    draft = drafts.from_form(
        fields,
        [str(v) for v in form.getlist("audience_roles")],
        [str(v) for v in form.getlist("audience_areas")],
    )
    action = fields.get("action", "save")
    if action == "add_question":
        draft.questions.append(drafts.Question())
        return await _edit_page(request, user, draft, lesson=lesson, slug=slug)
    if action == "preview":
        return await _edit_page(request, user, draft, lesson=lesson, slug=slug)
    if action.startswith(("add_choice:", "remove_choice:")):
        _change_choices(draft, action)
        return await _edit_page(request, user, draft, lesson=lesson, slug=slug)
    if action == "upload":
        cursor = fields.get("cursor", "")
        return await _upload(request, user, draft, form.get("image"), lesson, slug, cursor)
    allowed = {area.code for area in await _area_choices(user)}
    errors = drafts.check(draft, allowed)
    if creating and (problem := drafts.check_slug(slug)):
        errors["slug"] = problem
    if errors:
        notice = N_("Some fields need fixing. Nothing you typed was lost.")
        return await _edit_page(
            request, user, draft, errors=errors, notice=notice, status=422, lesson=lesson, slug=slug
        )
    try:
        if lesson is None:
            lesson = await services.create_lesson(slug, draft, user.id)
            version = await services.latest_version(lesson)
        else:
            version = await services.save_version(lesson, draft, user.id)
    except services.LessonError as error:
        errors = {"slug": error.msgid}
        return await _edit_page(
            request, user, draft, errors=errors, status=422, lesson=lesson, slug=slug
        )
    assert version is not None
    done = "draft"
    if action == "publish":
        await services.publish(lesson, version.number)
        done = "published"
    return RedirectResponse(f"/trainer/lessons/{lesson.slug}?saved={done}", status_code=303)


def _change_choices(draft: drafts.LessonDraft, action: str) -> None:
    """Add an answer field to a question, or remove one (`add_choice:<q>`, `remove_choice:<q>:<a>`);
    an action naming no question or answer changes nothing."""
    kind, _, where = action.partition(":")
    question, _, choice = where.partition(":")
    if not (question.isascii() and question.isdigit() and int(question) < len(draft.questions)):
        return
    target = draft.questions[int(question)]
    if kind == "add_choice":
        drafts.add_choice(target)
    elif choice.isascii() and choice.isdigit():
        drafts.remove_choice(target, int(choice))


async def _upload(
    request: Request,
    user: User,
    draft: drafts.LessonDraft,
    upload: object,
    lesson: Lesson | None,
    slug: str,
    form_cursor: str,
) -> Response:
    lang = language_of(request, user)
    data = b""
    if isinstance(upload, UploadFile):
        data = await upload.read(media.MAX_UPLOAD_BYTES + 1)
    try:
        name = media.store_image(data, request.app.state.settings.data_dir)
    except media.ImageRefused as refused:
        errors = {"image": refused.message(lang)}
        return await _edit_page(
            request, user, draft, errors=errors, status=422, lesson=lesson, slug=slug
        )
    alt = gettext(lang, N_("Describe the picture here"))
    draft.body_md, inside = drafts.insert_at(draft.body_md, form_cursor, f"![{alt}](images/{name})")
    notice = (
        N_("The picture was added where the cursor was. Describe it in the brackets.")
        if inside
        else N_("The picture was added at the end of the text. Describe it in the brackets.")
    )
    return await _edit_page(request, user, draft, notice=notice, lesson=lesson, slug=slug)


async def preview(request: Request) -> Response:
    """The lesson text rendered exactly as members will get it (htmx live preview)."""
    user = await _author(request)
    fields = await posted_form(request)
    draft = drafts.from_form(fields, [], [])
    html = render_lesson(draft.body_md, draft.language, draft.remember_list[:REMEMBER_MAX])
    return render(request, "lessons/_preview.html", {"preview": html}, language_of(request, user))


async def unpublish(request: Request) -> Response:
    """Take the lesson off members' phones; its versions stay."""
    user = await _author(request)
    lesson = await _lesson(request)
    await posted_form(request)  # checks the CSRF token
    if not await services.may_unpublish(await accounts.scope_of(user), lesson):
        raise Forbidden(_NOT_YOURS)
    await services.unpublish(lesson)
    return RedirectResponse(f"/trainer/lessons/{lesson.slug}?saved=unpublished", status_code=303)


async def history(request: Request) -> Response:
    """Every version, and what changed in the one asked for (default: the newest)."""
    user = await _author(request)
    lesson = await _lesson(request)
    all_versions = await services.versions(lesson)
    by_number = {v.number: v for v in all_versions}
    shown = by_number.get(_int(request.query_params.get("v")) or all_versions[0].number)
    if shown is None:
        raise NotFound()
    against = by_number.get(_int(request.query_params.get("against")) or shown.number - 1)
    context = {
        "user": user,
        "lesson": lesson,
        "versions": all_versions,
        "shown": shown,
        "against": against,
        "lines": diff.compare(against, shown) if against else [],
        "first": [diff.DiffLine("added", line) for line in diff.as_text(shown)],
    }
    return render(request, "lessons/history.html", context, language_of(request, user))


async def version_action(request: Request) -> Response:
    """Publish an older version as it is, or bring it back as a new draft (revert)."""
    user = await _author(request)
    lesson = await _lesson(request)
    fields = await posted_form(request)
    number = _int(request.path_params["number"])
    if number is None or await services.get_version(lesson, number) is None:
        raise NotFound()
    if fields.get("action") == "publish":
        await services.publish(lesson, number)
        return RedirectResponse(f"/trainer/lessons/{lesson.slug}/history?v={number}", 303)
    copy = await services.revert(lesson, number, user.id)
    return RedirectResponse(f"/trainer/lessons/{lesson.slug}/history?v={copy.number}", 303)


def _int(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


async def lesson_image(request: Request) -> Response:
    """A lesson image: an upload from the data folder or a file from content/lessons/images."""
    settings = request.app.state.settings
    path = media.find_image(request.path_params["name"], settings.data_dir, settings.content_dir)
    if path is None:
        raise NotFound()
    headers = {"Cache-Control": "public, max-age=86400"}
    headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return FileResponse(path, headers=headers)


routes = [
    Route("/trainer/lessons", lesson_list, methods=["GET"]),
    Route("/trainer/lessons/new", new_lesson, methods=["GET"]),
    Route("/trainer/lessons/new", save_lesson, methods=["POST"]),
    Route("/trainer/lessons/preview", preview, methods=["POST"]),
    Route("/trainer/lessons/{slug}", edit_lesson, methods=["GET"]),
    Route("/trainer/lessons/{slug}", save_lesson, methods=["POST"]),
    Route("/trainer/lessons/{slug}/unpublish", unpublish, methods=["POST"]),
    Route("/trainer/lessons/{slug}/history", history, methods=["GET"]),
    Route("/trainer/lessons/{slug}/versions/{number}", version_action, methods=["POST"]),
    Route("/media/lessons/{name}", lesson_image, methods=["GET"]),
]
