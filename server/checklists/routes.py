"""Checklist templates for coordinators: list, create, and save new versions (pages and JSON)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.accounts.models import User
from server.areas import services as areas
from server.areas.models import Area
from server.areas.scope import Scope
from server.checklists import services
from server.checklists.models import ChecklistTemplate
from server.errors import NotFound, UserError
from server.i18n import N_, localized
from server.web.requests import json_body, language_of, posted_form
from server.web.templating import render


def _template_json(row: ChecklistTemplate) -> dict[str, Any]:
    return {
        "key": row.key,
        "version": row.version,
        "title": row.title,
        "description": row.description or {},
        "area_code": row.area_code,
        "items": [{"key": i["key"], "label": i["label"]} for i in row.items],
    }


async def _owner_areas(scope: Scope) -> list[Area]:
    """The areas a coordinator may make a checklist for: their communes and provinces."""
    codes = sorted(scope.communes | scope.provinces)
    return [area for code in codes if (area := await areas.get_area(code)) is not None]


async def templates_page(request: Request) -> Response:
    """The checklists in use in the area, and a form to make a new one."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    return await _list(request, user, lang, {}, None, 200)


async def _list(
    request: Request, user: User, lang: str, form: dict[str, str], error: str | None, status: int
) -> Response:
    scope = await accounts.scope_of(user)
    names = {a.code: a.name for a in await _owner_areas(scope)}
    rows = await services.visible(scope, current_only=True)
    context = {
        "user": user,
        "templates": [
            (r, localized(r.title, lang), names.get(r.area_code or "", "")) for r in rows
        ],
        "owner_areas": await _owner_areas(scope),
        "national": scope.everywhere,
        "form": form,
        "error": error,
        "done": request.query_params.get("done"),
    }
    return render(request, "manage/checklists.html", context, lang, status)


async def create_submit(request: Request) -> Response:
    """Save a new checklist (version 1) for one of the coordinator's areas."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    form = await posted_form(request)
    try:
        row = await services.save(
            await accounts.scope_of(user),
            key=None,
            area_code=form.get("area_code") or None,
            title=form.get("title", ""),
            description=form.get("description", ""),
            steps=form.get("steps", ""),
            language=lang,
        )
    except services.TemplateError as problem:
        return await _list(request, user, lang, form, problem.message(lang), problem.status)
    return RedirectResponse(f"/manage/checklists/{row.key}?done=1", status_code=303)


async def template_page(request: Request) -> Response:
    """One checklist: its steps, its versions, and (if allowed) a form to save the next one."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    scope = await accounts.scope_of(user)
    row = await services.current(scope, request.path_params["key"])
    if row is None:
        raise NotFound(N_("This checklist is not in your area."))
    form = {
        "title": localized(row.title, lang),
        "description": localized(row.description or {}, lang),
        "steps": "\n".join(localized(item["label"], lang) for item in row.items),
    }
    error, status = None, 200
    if request.method == "POST":
        form = await posted_form(request)
        try:
            row = await services.save(
                scope,
                key=row.key,
                area_code=None,
                title=form.get("title", ""),
                description=form.get("description", ""),
                steps=form.get("steps", ""),
                language=lang,
            )
        except services.TemplateError as problem:
            error, status = problem.message(lang), problem.status
        else:
            return RedirectResponse(f"/manage/checklists/{row.key}?done=1", status_code=303)
    versions = [r for r in await services.visible(scope) if r.key == row.key]
    context = {
        "user": user,
        "template": row,
        "title": localized(row.title, lang),
        "steps": [localized(item["label"], lang) for item in row.items],
        "versions": versions,
        "editable": await services.can_edit(scope, row.area_code),
        "form": form,
        "error": error,
        "done": request.query_params.get("done"),
    }
    return render(request, "manage/checklist.html", context, lang, status)


def _text_steps(body: dict[str, Any]) -> tuple[str, str, str] | None:
    title, description, steps = body.get("title"), body.get("description", ""), body.get("steps")
    if not isinstance(title, str) or not isinstance(description, str):
        return None
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        return None
    return title, description, "\n".join(s.replace("\n", " ") for s in steps)


async def api_templates(request: Request) -> Response:
    """The current checklists the caller's area uses."""
    user = await require_user(request, *roles.MANAGERS)
    rows = await services.visible(await accounts.scope_of(user), current_only=True)
    return JSONResponse({"templates": [_template_json(row) for row in rows]})


async def api_create(request: Request) -> Response:
    """Create a checklist: `title`, `steps` (list of text), `description`, `area_code`."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    parsed, area = _text_steps(body), body.get("area_code")
    if parsed is None or not isinstance(area, str | None):
        raise UserError(N_("The request could not be read."))
    row = await services.save(
        await accounts.scope_of(user),
        key=None,
        area_code=area,
        title=parsed[0],
        description=parsed[1],
        steps=parsed[2],
        language=language_of(request, user),
    )
    return JSONResponse(_template_json(row), status_code=201)


async def api_new_version(request: Request) -> Response:
    """Save the next version of a checklist; checklists started on older ones keep working."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    parsed = _text_steps(body)
    if parsed is None:
        raise UserError(N_("The request could not be read."))
    row = await services.save(
        await accounts.scope_of(user),
        key=request.path_params["key"],
        area_code=None,
        title=parsed[0],
        description=parsed[1],
        steps=parsed[2],
        language=language_of(request, user),
    )
    return JSONResponse(_template_json(row), status_code=201)


routes = [
    Route("/manage/checklists", templates_page, methods=["GET"]),
    Route("/manage/checklists", create_submit, methods=["POST"]),
    Route("/manage/checklists/{key}", template_page, methods=["GET", "POST"]),
    Route("/api/v1/checklist-templates", api_templates, methods=["GET"]),
    Route("/api/v1/checklist-templates", api_create, methods=["POST"]),
    Route("/api/v1/checklist-templates/{key}/versions", api_new_version, methods=["POST"]),
]
