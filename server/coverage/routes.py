"""Coverage pages for coordinators and admins: dashboard, team activity, exports."""

from __future__ import annotations

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
from server.coverage import activity as activity_service
from server.coverage import charts, exports, services
from server.errors import NotFound
from server.i18n import N_, localized
from server.web.requests import language_of
from server.web.templating import render


async def _manager(request: Request) -> tuple[User, Scope]:
    user = await require_user(request, *roles.MANAGERS)
    return user, await accounts.scope_of(user)


def _not_found() -> NotFound:
    return NotFound(N_("This area does not exist or is outside your area."))


async def start(request: Request) -> Response:
    """The coordinator's own area (or, with several, the list of them)."""
    who = await _manager(request)
    user, scope = who
    areas = await services.top_areas(scope)
    if len(areas) == 1:
        return RedirectResponse(f"/coverage/{areas[0].code}", status_code=303)
    context = {"user": user, "areas": areas}
    return render(request, "coverage_start.html", context, language_of(request, user))


def _charts(board: services.Dashboard, language: str) -> dict[str, Any]:
    return {
        "indicator_chart": charts.bars(
            [(localized(line.label, language), line.onboarded.percent) for line in board.lines]
        ),
        "lowest_chart": charts.bars(
            [(line.name, line.target_share.percent) for line in board.lowest[:10]]
        ),
        "trend_chart": charts.lines(
            [p.week for p in board.trend],
            [
                ("households", [p.households for p in board.trend]),
                ("target", [p.target for p in board.trend]),
            ],
            board.summary.estimate,
        ),
    }


async def dashboard(request: Request) -> Response:
    """One area's coverage: numbers, indicators, children, lowest villages, trend."""
    who = await _manager(request)
    user, scope = who
    language = language_of(request, user)
    try:
        board = await services.dashboard(scope, request.path_params["code"])
    except services.NotFound:
        raise _not_found() from None
    context = {
        "user": user,
        "board": board,
        "children_shown": services.CHILDREN_SHOWN,
        **_charts(board, language),
    }
    name = "_coverage.html" if request.headers.get("hx-request") else "coverage.html"
    return render(request, name, context, language)


async def activity(request: Request) -> Response:
    """Team activity this week and the sync health of their phones."""
    who = await _manager(request)
    user, scope = who
    try:
        page = await activity_service.activity(scope, request.path_params["code"])
    except services.NotFound:
        raise _not_found() from None
    context = {"user": user, "page": page}
    return render(request, "coverage_activity.html", context, language_of(request, user))


async def export(request: Request) -> Response:
    """An XLSX or CSV file of the area's coverage or household list (recorded in the log)."""
    who = await _manager(request)
    user, scope = who
    params = request.path_params
    try:
        done = await exports.build(
            scope, params["code"], params["kind"], params["fmt"], language_of(request, user)
        )
    except services.NotFound:
        raise _not_found() from None
    if params["kind"] == "households":  # names and addresses: in the access log
        detail = {"kind": params["kind"], "format": params["fmt"], "households": done.rows}
        subject = await access.area_subject(done.area_code)
        await access.record(user, access.EXPORT, subject, detail)
    return Response(
        done.body,
        media_type=done.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{done.filename}"',
            "Cache-Control": "no-store",
        },
    )


async def api_dashboard(request: Request) -> Response:
    """The dashboard's numbers as JSON."""
    user = await require_user(request, *roles.MANAGERS)
    try:
        board = await services.dashboard(await accounts.scope_of(user), request.path_params["code"])
    except services.NotFound:
        raise _not_found() from None

    def line(item: services.AreaLine) -> dict[str, Any]:
        return {
            "code": item.code,
            "name": item.name,
            "kind": item.kind,
            "estimate": item.estimate,
            "households": item.households,
            "target": item.target,
        }

    return JSONResponse(
        {
            "area": line(board.summary),
            "indicators": [
                {
                    "key": item.key,
                    "group": item.group,
                    "meets": item.onboarded.count,
                    "base": item.onboarded.base,
                    "percent_of_onboarded": item.onboarded.percent,
                    "percent_of_estimate": item.estimated.percent if item.estimated else None,
                }
                for item in board.lines
            ],
            "children": [line(item) for item in board.children],
            "lowest": [line(item) for item in board.lowest],
            "trend": [{**asdict(p), "week": p.week.isoformat()} for p in board.trend],
        }
    )


routes = [
    Route("/coverage", start, methods=["GET"]),
    Route("/coverage/{code}", dashboard, methods=["GET"]),
    Route("/coverage/{code}/activity", activity, methods=["GET"]),
    Route("/coverage/{code}/export/{kind}.{fmt}", export, methods=["GET"]),
    Route("/api/v1/coverage/{code}", api_dashboard, methods=["GET"]),
]
