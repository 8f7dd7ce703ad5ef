"""The incidents register for coordinators: a page to record incidents and who was told; JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.accounts.models import User
from server.areas import services as areas
from server.errors import Unreadable
from server.rights import incidents
from server.rights.models import SEVERITIES, SEVERITY_LABELS
from server.rights.routes import as_json, uuid_or_none
from server.web.paging import api_window, page_window
from server.web.requests import json_body, language_of, posted_form
from server.web.templating import render


def _hours(request: Request) -> int:
    hours: int = request.app.state.settings.breach_notice_hours
    return hours


async def incidents_page(request: Request) -> Response:
    """The area's incidents, newest first, and the form to record one."""
    user = await require_user(request, *roles.MANAGERS)
    return await _page(request, user, {}, None, 200)


async def _page(
    request: Request, user: User, form: dict[str, str], error: str | None, status: int
) -> Response:
    scope = await accounts.scope_of(user)
    context: dict[str, Any] = {
        "user": user,
        "form": form,
        "error": error,
        "done": request.query_params.get("done"),
        "incidents": await incidents.page(
            scope, page_window(request.query_params), _hours(request)
        ),
        "hours": _hours(request),
        "severities": SEVERITIES,
        "severity_labels": SEVERITY_LABELS,
        "communes": await areas.communes_for(scope),
        "villages": await areas.villages_for(scope),
    }
    return render(request, "manage/incidents.html", context, language_of(request, user), status)


async def record_submit(request: Request) -> Response:
    """Record an incident from the form; errors keep what was typed."""
    user = await require_user(request, *roles.MANAGERS)
    form = await posted_form(request)
    try:
        await incidents.record(
            await accounts.scope_of(user),
            what=form.get("what", ""),
            discovered_at=form.get("discovered_at", ""),
            severity=form.get("severity", ""),
            area_code=form.get("area_code", ""),
            household_count=form.get("household_count", "0"),
            household_ids=form.get("household_ids", ""),
        )
    except incidents.IncidentError as problem:
        lang = language_of(request, user)
        return await _page(request, user, form, problem.message(lang), problem.status)
    return RedirectResponse("/manage/incidents?done=1", status_code=303)


async def notified_submit(request: Request) -> Response:
    """Record when the authority or the households were told."""
    user = await require_user(request, *roles.MANAGERS)
    form = await posted_form(request)
    try:
        await incidents.notified(
            await accounts.scope_of(user),
            uuid_or_none(request.path_params["incident_id"]),
            authority_at=form.get("authority_notified_at"),
            households_at=form.get("households_notified_at"),
        )
    except incidents.IncidentError as problem:
        if problem.status == 404:
            raise
        lang = language_of(request, user)
        return await _page(request, user, {}, problem.message(lang), problem.status)
    return RedirectResponse("/manage/incidents?done=1", status_code=303)


def _json(row: incidents.IncidentRow) -> dict[str, Any]:
    data: dict[str, Any] = as_json(asdict(row))
    return data


async def api_incidents(request: Request) -> Response:
    """The caller's area's incidents with their notification deadlines, newest first."""
    user = await require_user(request, *roles.MANAGERS)
    window = api_window(request.query_params)
    page = await incidents.page(await accounts.scope_of(user), window, _hours(request))
    return JSONResponse(
        {
            "incidents": [_json(r) for r in page.items],
            "total": page.total,
            "offset": window.offset,
            "limit": window.limit,
        }
    )


async def api_record(request: Request) -> Response:
    """Record an incident: `what`, `discovered_at`, `severity`, `area_code`, and optionally
    `household_count` and `household_ids`."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    area_code = body.get("area_code", "")
    if not isinstance(area_code, str):
        raise Unreadable()
    scope = await accounts.scope_of(user)
    found = await incidents.record(
        scope,
        what=body.get("what"),
        discovered_at=body.get("discovered_at"),
        severity=body.get("severity"),
        area_code=area_code,
        household_count=body.get("household_count", 0),
        household_ids=body.get("household_ids"),
    )
    return JSONResponse(
        _json(await incidents.one(scope, found.id, _hours(request))), status_code=201
    )


async def api_notified(request: Request) -> Response:
    """Record `authority_notified_at` and/or `households_notified_at`."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    scope = await accounts.scope_of(user)
    incident_id = uuid_or_none(request.path_params["incident_id"])
    await incidents.notified(
        scope,
        incident_id,
        authority_at=body.get("authority_notified_at"),
        households_at=body.get("households_notified_at"),
    )
    return JSONResponse(_json(await incidents.one(scope, incident_id, _hours(request))))


routes = [
    Route("/manage/incidents", incidents_page, methods=["GET"]),
    Route("/manage/incidents", record_submit, methods=["POST"]),
    Route("/manage/incidents/{incident_id}", notified_submit, methods=["POST"]),
    Route("/api/v1/incidents", api_incidents, methods=["GET"]),
    Route("/api/v1/incidents", api_record, methods=["POST"]),
    Route("/api/v1/incidents/{incident_id}", api_notified, methods=["PATCH"]),
]
