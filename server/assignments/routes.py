"""Assignments for coordinators: a page to give and withdraw them, and the same as JSON."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.access import services as access
from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.accounts.models import User
from server.areas.scope import Scope
from server.assignments import services
from server.checklists import services as checklists
from server.errors import NotFound, UserError
from server.households import services as households
from server.i18n import N_, localized
from server.syncable.fields import jsonable
from server.teams import services as teams
from server.web.paging import Window, api_window, page_window, search_text
from server.web.requests import json_body, language_of, posted_form, wants_fragment
from server.web.templating import render


def _uuid(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


async def assignments_page(request: Request) -> Response:
    """Open assignments of the area, and the form to give one (`?member=` picks households)."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    form = {"member_id": request.query_params.get("member", "")}
    return await _page(request, user, lang, form, None, 200)


async def _page(
    request: Request,
    user: User,
    lang: str,
    form: dict[str, str],
    error: str | None,
    status_code: int,
) -> Response:
    params = request.query_params
    status = services.check_status(params.get("status", ""))
    search = search_text(params)
    open_window, done_window = page_window(params), page_window(params, "done_page")
    scope = await accounts.scope_of(user)
    open_page, done_page = await services.assignment_pages(
        scope, lang, search, status, open_window, done_window
    )
    context: dict[str, Any] = {
        "user": user,
        "form": form,
        "error": error,
        "done": params.get("done"),
        "q": search,
        "status": status,
        "assignments": open_page,
        "done_assignments": done_page,
    }
    if wants_fragment(request):
        response = render(request, "manage/_assignments_lists.html", context, lang, status_code)
        response.headers["Vary"] = "HX-Request"
        return response
    # The picker never lists a whole province: the first members (`PICKER`), or those matching
    # what the coordinator typed (`?who=`: a name, with or without diacritics, or a number).
    who = search_text(params, "who")
    picker = await teams.member_page(scope, who, PICKER, active_only=True)
    chosen = await _chosen(scope, form.get("member_id", ""))
    offered = await households.of_village(chosen.village_code) if chosen else []
    if chosen and offered:  # a village's names and addresses, to pick from
        subject = await access.area_subject(chosen.village_code)
        await access.record(user, access.VILLAGE_LIST, subject, {"households": len(offered)})
    context.update(
        who=who,
        picker=picker,
        member=chosen,
        households=offered,
        templates=[
            (t.key, localized(t.title, lang))
            for t in await checklists.visible(scope, current_only=True)
        ],
    )
    response = render(request, "manage/assignments.html", context, lang, status_code)
    response.headers["Vary"] = "HX-Request"
    return response


PICKER = Window(offset=0, limit=50)


async def _chosen(scope: Scope, member_id: str) -> teams.MemberRow | None:
    """The chosen member's row, if they are an active member of the scope."""
    key = _uuid(member_id)
    if key is None:
        return None
    rows = [row for row in await teams.member_rows(scope, key) if row.is_active]
    return rows[0] if rows else None


async def assign_submit(request: Request) -> Response:
    """Give the chosen member a household and/or checklist, by a due date."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    form = await posted_form(request)
    scope = await accounts.scope_of(user)
    try:
        await services.assign(
            scope,
            member_id=_uuid(form.get("member_id")) or uuid.UUID(int=0),
            household_id=_uuid(form.get("household_id")),
            template_key=form.get("template_key") or None,
            due_date=form.get("due_date", ""),
            note=form.get("note", ""),
        )
    except services.AssignmentError as problem:
        return await _page(request, user, lang, form, problem.message(lang), problem.status)
    return RedirectResponse("/manage/assignments?done=1", status_code=303)


async def withdraw_submit(request: Request) -> Response:
    """Withdraw one assignment from the page."""
    user = await require_user(request, *roles.MANAGERS)
    await posted_form(request)  # checks the CSRF token
    assignment_id = _uuid(request.path_params["assignment_id"])
    if assignment_id is None:
        raise NotFound()
    await services.withdraw(await accounts.scope_of(user), assignment_id)
    return RedirectResponse("/manage/assignments?done=1", status_code=303)


async def api_assignments(request: Request) -> Response:
    """Assignments in the caller's area (not withdrawn), open or done (`q` searches member and
    household names, `status` keeps one status, `limit`/`offset` page)."""
    user = await require_user(request, *roles.MANAGERS)
    params = request.query_params
    status = services.check_status(params.get("status"), blank=False)  # the API's enum
    window = api_window(params)
    page = await services.assignments_for(
        await accounts.scope_of(user),
        language_of(request, user),
        search_text(params),
        status,
        window,
    )
    return JSONResponse(
        {
            "assignments": [jsonable(asdict(r)) for r in page.items],
            "total": page.total,
            "offset": window.offset,
            "limit": window.limit,
        }
    )


async def api_assign(request: Request) -> Response:
    """Create an assignment: `member_id`, `due_date`, and `household_id` and/or `template_key`."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    template_key, note = body.get("template_key"), body.get("note", "")
    if not isinstance(template_key, str | None) or not isinstance(note, str):
        raise UserError(N_("The request could not be read."))
    assignment = await services.assign(
        await accounts.scope_of(user),
        member_id=_uuid(body.get("member_id")) or uuid.UUID(int=0),
        household_id=_uuid(body.get("household_id")),
        template_key=template_key,
        due_date=str(body.get("due_date", "")),
        note=note,
    )
    return JSONResponse({"id": str(assignment.id), "version": assignment.version}, status_code=201)


async def api_withdraw(request: Request) -> Response:
    """Withdraw an assignment; the member's phone drops it at the next sync."""
    user = await require_user(request, *roles.MANAGERS)
    assignment_id = _uuid(request.path_params["assignment_id"])
    if assignment_id is None:
        raise services.AssignmentError(N_("This assignment is not in your area."), status=404)
    await services.withdraw(await accounts.scope_of(user), assignment_id)
    return Response(status_code=204)


routes = [
    Route("/manage/assignments", assignments_page, methods=["GET"]),
    Route("/manage/assignments", assign_submit, methods=["POST"]),
    Route("/manage/assignments/{assignment_id}/withdraw", withdraw_submit, methods=["POST"]),
    Route("/api/v1/assignments", api_assignments, methods=["GET"]),
    Route("/api/v1/assignments", api_assign, methods=["POST"]),
    Route("/api/v1/assignments/{assignment_id}", api_withdraw, methods=["DELETE"]),
]
