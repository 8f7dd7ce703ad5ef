"""Conflict review and household history: pages for coordinators and the same as JSON."""

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
from server.content import curriculum
from server.errors import NotFound
from server.households import services as households
from server.i18n import N_, localized
from server.review import services
from server.web.paging import page_window, search_text
from server.web.requests import json_body, language_of, posted_form, wants_fragment
from server.web.templating import render


def _uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound() from None


def _jsonable(item: Any) -> dict[str, Any]:
    return {
        k: str(v) if isinstance(v, uuid.UUID) else v.isoformat() if hasattr(v, "isoformat") else v
        for k, v in asdict(item).items()
    }


async def conflicts_page(request: Request) -> Response:
    """Open (or resolved) conflicts in the coordinator's area, both values side by side."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    return await _conflicts_page(request, user, lang, None, 200)


async def _conflicts_page(
    request: Request, user: Any, lang: str, error: str | None, status: int
) -> Response:
    resolved = request.query_params.get("show") == "resolved"
    window = page_window(request.query_params)
    search = search_text(request.query_params)
    scope = await accounts.scope_of(user)
    conflicts = await services.conflict_page(scope, lang, resolved, search, window)
    if conflicts.items:  # households' names and values side by side
        detail = {"conflicts": len(conflicts.items)}
        await access.record(user, access.CONFLICTS, await access.scope_subject(scope), detail)
    context = {
        "user": user,
        "conflicts": conflicts,
        "resolved": resolved,
        "q": search,
        "error": error,
        "done": request.query_params.get("done"),
    }
    name = "review/_conflicts_list.html" if wants_fragment(request) else "review/conflicts.html"
    response = render(request, name, context, lang, status)
    response.headers["Vary"] = "HX-Request"
    return response


async def resolve_submit(request: Request) -> Response:
    """Accept one side of a conflict from the review page."""
    user = await require_user(request, *roles.MANAGERS)
    form = await posted_form(request)
    lang = language_of(request, user)
    scope = await accounts.scope_of(user)
    conflict_id = _uuid(request.path_params["conflict_id"])
    error: str | None = None
    try:
        await services.resolve(scope, conflict_id, form.get("accept", ""), lang)
    except services.ReviewError as problem:
        if problem.status == 404:
            raise NotFound(problem.msgid) from None
        error = problem.message(lang)
        if "hx-request" not in request.headers:
            return await _conflicts_page(request, user, lang, error, problem.status)
    if "hx-request" in request.headers:
        # htmx swaps the conflict's card: resolved now, or with the reason it was not.
        view = await services.conflict(scope, conflict_id, lang)
        context = {"c": view, "card_error": error}
        return render(request, "review/_conflict.html", context, lang)
    return RedirectResponse("/review/conflicts?done=1", status_code=303)


async def history_page(request: Request) -> Response:
    """Every change to one household of the coordinator's area, oldest first."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    scope = await accounts.scope_of(user)
    household = await households.in_scope(scope, _uuid(request.path_params["household_id"]))
    if household is None:
        raise NotFound(N_("This household is not in your area."))
    await access.record(user, access.HISTORY, access.household_subject(household))
    given = household.consent.get("purposes", []) if isinstance(household.consent, dict) else []
    context = {
        "user": user,
        "household": household,
        "entries": await services.household_history(household, lang),
        # The purposes it may still withdraw (the form posts to `privacy/routes.py`).
        "purposes": [
            {"key": p.key, "label": localized(p.label, lang), "required": p.required}
            for p in curriculum.consent_purposes()
            if p.key in given
        ],
        "withdrawn": request.query_params.get("withdrawn") == "1",
    }
    return render(request, "review/history.html", context, lang)


async def api_conflicts(request: Request) -> Response:
    """The caller's conflicts as JSON (`?show=resolved` for resolved ones)."""
    user = await require_user(request, *roles.MANAGERS)
    scope = await accounts.scope_of(user)
    resolved = request.query_params.get("show") == "resolved"
    views = await services.conflicts(scope, language_of(request, user), resolved=resolved)
    if views:
        detail = {"conflicts": len(views)}
        await access.record(user, access.CONFLICTS, await access.scope_subject(scope), detail)
    return JSONResponse({"conflicts": [_jsonable(view) for view in views]})


async def api_resolve(request: Request) -> Response:
    """Accept `kept` or `lost` for one conflict."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    scope = await accounts.scope_of(user)
    conflict_id = _uuid(request.path_params["conflict_id"])
    accept = body.get("accept")
    await services.resolve(
        scope, conflict_id, accept if isinstance(accept, str) else "", language_of(request, user)
    )
    return JSONResponse({"id": str(conflict_id), "resolution": accept})


async def api_history(request: Request) -> Response:
    """One household's change history as JSON."""
    user = await require_user(request, *roles.MANAGERS)
    scope = await accounts.scope_of(user)
    household = await households.in_scope(scope, _uuid(request.path_params["household_id"]))
    if household is None:
        raise NotFound(N_("This household is not in your area."))
    await access.record(user, access.HISTORY, access.household_subject(household))
    entries = await services.household_history(household, language_of(request, user))
    return JSONResponse({"history": [_jsonable(entry) for entry in entries]})


routes = [
    Route("/review/conflicts", conflicts_page, methods=["GET"]),
    Route("/review/conflicts/{conflict_id}", resolve_submit, methods=["POST"]),
    Route("/review/households/{household_id}", history_page, methods=["GET"]),
    Route("/api/v1/conflicts", api_conflicts, methods=["GET"]),
    Route("/api/v1/conflicts/{conflict_id}", api_resolve, methods=["POST"]),
    Route("/api/v1/households/{household_id}/history", api_history, methods=["GET"]),
]
