"""The coordinators' import screens: choose a file, see the preview, confirm; the template and
the rows with their errors as XLSX."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.accounts.models import User
from server.areas import services as areas
from server.areas.scope import Scope
from server.errors import NotFound, UserError
from server.i18n import N_
from server.imports import files, households, services, villages
from server.imports.columns import counter
from server.imports.plans import CREATE, SKIP, UPDATE, Plan
from server.imports.reading import FileRefused, read_table
from server.web import limits
from server.web.paging import Window
from server.web.requests import language_of, posted_file, posted_form
from server.web.templating import render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_KINDS = (services.HOUSEHOLDS, services.VILLAGES)
MOST_CHOICES = 300  # villages or communes offered in a list; more, and the code is typed
_CHOICES = Window(0, MOST_CHOICES + 1)


async def import_page(request: Request) -> Response:
    """The two import forms (households, villages) and the result of the last import."""
    user = await require_user(request, *roles.MANAGERS)
    return await _form(request, user, {}, None, 200)


async def _form(
    request: Request, user: User, form: dict[str, str], error: str | None, status: int
) -> Response:
    scope = await accounts.scope_of(user)
    done = {
        k: request.query_params.get(k, "") for k in ("created", "updated", "skipped", "refused")
    }
    context: dict[str, Any] = {
        "user": user,
        # A province's or the country's list is too long to choose from: then a code is typed.
        "villages": (await areas.village_page(scope, "", _CHOICES)).items,
        "communes": (await areas.communes_for(scope))[: _CHOICES.limit],
        "most": MOST_CHOICES,
        "form": form,
        "error": error,
        "done": done if done["created"] else None,
    }
    return render(request, "manage/import.html", context, language_of(request, user), status)


async def preview(request: Request) -> Response:
    """Read the chosen file, check every row, keep it for the confirmation, show the preview."""
    kind = request.path_params["kind"]
    user = await require_user(request, *roles.MANAGERS)
    if kind not in _KINDS:
        raise NotFound()
    lang = language_of(request, user)
    form, name, data = await posted_file(request, limits.IMPORT_BYTES)
    target = {k: form.get(k, "") for k in ("village", "commune")}
    try:
        if not data:
            raise FileRefused(N_("Choose the file with the list."))
        scope = await accounts.scope_of(user)
        plan = await _plan(kind, scope, target, name, data)
    except UserError as problem:
        return await _form(
            request, user, {**form, "kind": kind}, problem.message(lang), problem.status
        )
    settings = request.app.state.settings
    token = files.keep(settings.data_dir, user.id, kind, target, plan.table)
    context = _preview_context(user, kind, plan, token, lang)
    return render(request, "manage/import_preview.html", context, lang)


async def _plan(kind: str, scope: Scope, target: dict[str, str], name: str, data: bytes) -> Plan:
    if kind == services.HOUSEHOLDS:
        where = await services.household_target(scope, target["village"], target["commune"])
        table = read_table(name, data, counter(households.columns()))
        return await households.plan(table, where, scope, services.today())
    commune = await services.commune_for(scope, target["commune"])
    table = read_table(name, data, counter(villages.COLUMNS))
    return await villages.plan(table, commune.code)


def _preview_context(user: User, kind: str, plan: Plan, token: str, lang: str) -> dict[str, Any]:
    return {
        "user": user,
        "kind": kind,
        "token": token,
        "counts": {
            "new": plan.count(CREATE),
            "changed": plan.count(UPDATE),
            "same": plan.count(SKIP),
        },
        "refused": plan.refused,
        "errors": [
            {"row": e.row, "column": plan.header(e.column), "message": e.message(lang)}
            for e in plan.errors
        ],
        "ignored": plan.layout.ignored,
        "header_row": plan.table.header_row,
    }


async def confirm(request: Request) -> Response:
    """Import the kept upload: its rows are checked again, then saved through sync."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    form = await posted_form(request)
    data_dir = request.app.state.settings.data_dir
    token = form.get("token", "")
    held = files.claim(data_dir, token, user.id)
    scope = await accounts.scope_of(user)
    if held.kind == services.HOUSEHOLDS:
        where = await services.household_target(scope, **held.target)
        plan = await households.plan(held.table, where, scope, services.today())
        result = await households.commit(plan, scope, lang)
    else:
        commune = await services.commune_for(scope, held.target["commune"])
        result = await villages.commit(await villages.plan(held.table, commune.code), commune.code)
    files.forget(data_dir, token)
    query = f"created={result.created}&updated={result.updated}&skipped={result.skipped}"
    return RedirectResponse(f"/manage/import?{query}&refused={result.refused}", status_code=303)


async def error_file(request: Request) -> Response:
    """The kept upload's rows with a column of errors, as XLSX."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    held = files.kept(request.app.state.settings.data_dir, request.path_params["token"], user.id)
    scope = await accounts.scope_of(user)
    if held.kind == services.HOUSEHOLDS:
        where = await services.household_target(scope, **held.target)
        plan = await households.plan(held.table, where, scope, services.today())
    else:
        commune = await services.commune_for(scope, held.target["commune"])
        plan = await villages.plan(held.table, commune.code)
    return _xlsx(files.with_errors(plan, lang), "kiem-tra.xlsx")


async def template(request: Request) -> Response:
    """The empty file to fill in, with Vietnamese headers and one example row."""
    await require_user(request, *roles.MANAGERS)
    kind = request.path_params["kind"]
    if kind == services.HOUSEHOLDS:
        body = files.template(households.columns(), households.example())
    elif kind == services.VILLAGES:
        body = files.template(villages.COLUMNS, villages.EXAMPLE)
    else:
        raise NotFound()
    return _xlsx(body, f"mau-{'ho' if kind == services.HOUSEHOLDS else 'thon'}.xlsx")


def _xlsx(body: bytes, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(body, media_type=XLSX, headers=headers)


routes = [
    Route("/manage/import", import_page, methods=["GET"]),
    Route("/manage/import/confirm", confirm, methods=["POST"]),
    Route("/manage/import/errors/{token}", error_file, methods=["GET"]),
    Route("/manage/import/{kind}/template.xlsx", template, methods=["GET"]),
    Route("/manage/import/{kind}", preview, methods=["POST"]),
]
