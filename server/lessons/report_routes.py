"""Completion report pages and their CSV export, limited to the viewer's areas."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.accounts.models import User
from server.areas import kinds
from server.areas import services as areas
from server.areas.models import Area
from server.areas.scope import Scope
from server.errors import Forbidden
from server.i18n import N_
from server.lessons import reports
from server.web.requests import language_of
from server.web.templating import render


async def _viewer(request: Request) -> tuple[User, Scope, Area | None]:
    user = await require_user(request, *roles.REPORT_VIEWERS)
    scope = await accounts.scope_of(user)
    code = request.query_params.get("area", "")
    area = await areas.get_area(code) if code else None
    if code and (area is None or not _inside(scope, area)):
        raise Forbidden(N_("This is outside your area."))
    return user, scope, area


def _inside(scope: Scope, area: Area) -> bool:
    village = area.code if area.kind == kinds.VILLAGE else ""
    commune = area.code if area.kind == kinds.COMMUNE else area.commune_code
    return scope.covers(village, commune, area.province_code) or (
        area.kind == kinds.PROVINCE and area.code in scope.provinces
    )


async def report_page(request: Request) -> Response:
    """Per lesson: members, started, completed, average score; per area below it."""
    found = await _viewer(request)
    user, scope, area = found
    lessons = await reports.completion(scope, area)
    codes = {code for report in lessons for code in report.by_area}
    own = scope.villages | scope.communes | scope.provinces
    context = {
        "user": user,
        "area": area,
        "reports": lessons,
        "names": await reports.area_names(codes),
        "area_choices": await areas.areas_and_children(own, everywhere=scope.everywhere),
        "query": f"?area={area.code}" if area else "",
    }
    return render(request, "lessons/reports.html", context, language_of(request, user))


async def report_csv(request: Request) -> Response:
    """The same figures as a CSV file (one row per lesson and area) for spreadsheets."""
    found = await _viewer(request)
    _, scope, area = found
    lessons = await reports.completion(scope, area)
    names = await reports.area_names({code for report in lessons for code in report.by_area})
    filename = f"lessons-{area.code if area else 'all'}.csv"
    return Response(
        reports.as_csv(lessons, names),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


routes = [
    Route("/trainer/reports", report_page, methods=["GET"]),
    Route("/trainer/reports.csv", report_csv, methods=["GET"]),
]
