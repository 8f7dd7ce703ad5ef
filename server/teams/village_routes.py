"""The villages a team works in: the JSON API and the coordinators' village screens.

The `areas` domain holds the areas themselves; managing villages needs the signed-in user, so
its routes live here, above `accounts`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.accounts.models import User
from server.areas import kinds, services
from server.areas.models import Area
from server.errors import Forbidden, NotFound, UserError
from server.i18n import N_
from server.web.paging import api_window, page_window, search_text
from server.web.requests import json_body, language_of, posted_form, wants_fragment
from server.web.templating import render


def _village_json(area: Area) -> dict[str, object]:
    return {
        "code": area.code,
        "name": area.name,
        "commune_code": area.commune_code,
        "province_code": area.province_code,
        "household_estimate": area.household_estimate,
    }


async def list_villages(request: Request) -> Response:
    """The villages inside the caller's areas (`?q=` searches names; `limit`/`offset` page)."""
    user = await require_user(request)
    window = api_window(request.query_params)
    scope = await accounts.scope_of(user)
    codes = sorted(scope.villages | scope.communes | scope.provinces)
    page = await services.villages_in_page(codes, search_text(request.query_params), window)
    return JSONResponse(
        {
            "villages": [_village_json(v) for v in page.items],
            "total": page.total,
            "offset": window.offset,
            "limit": window.limit,
        }
    )


async def create_village(request: Request) -> Response:
    """Create a village under a commune in the coordinator's scope."""
    user = await require_user(request, roles.COORDINATOR, roles.ADMIN)
    body = await json_body(request)
    commune_code, name, households = (
        body.get("commune_code"),
        body.get("name"),
        body.get("household_estimate"),
    )
    if not isinstance(commune_code, str) or not isinstance(name, str):
        raise UserError(N_("Choose a commune and write the village's name."))
    if households is not None and type(households) is not int:
        raise UserError(N_("Enter a whole number."), "household_estimate")
    commune = await services.get_area(commune_code, kinds.COMMUNE)
    scope = await accounts.scope_of(user)
    if commune is None:
        raise UserError(N_("This commune does not exist."), "commune_code")
    if not scope.covers("", commune.code, commune.province_code):
        raise Forbidden(N_("This is outside your area."))
    village = await services.add_village(commune.code, name, households)
    return JSONResponse(_village_json(village), status_code=201)


async def update_village(request: Request) -> Response:
    """Rename a village of the coordinator's area or set its household estimate."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    scope = await accounts.scope_of(user)
    village = await services.village_for(scope, request.path_params["code"])
    if village is None:
        raise NotFound(N_("This village is not in your area."))
    name = body.get("name", village.name)
    households = body.get("household_estimate", village.household_estimate)
    if not isinstance(name, str):
        raise UserError(N_("Write the village's name."), "name")
    if households is not None and type(households) is not int:
        raise UserError(N_("Enter a whole number."), "household_estimate")
    village = await services.update_village(village.code, name, households)
    return JSONResponse(_village_json(village))


def _households(raw: str) -> int | None:
    text = raw.strip().replace(".", "").replace(",", "")
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise services.AreaError(N_("Enter a whole number."))
    return int(text)


async def villages_page(request: Request) -> Response:
    """The coordinator's villages, and a form to add one (its result on POST)."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    scope = await accounts.scope_of(user)
    form: dict[str, str] = {}
    error, status = None, 200
    if request.method == "POST":
        form = await posted_form(request)
        commune = await services.get_area(form.get("commune_code", ""), kinds.COMMUNE)
        try:
            if commune is None or not scope.covers("", commune.code, commune.province_code):
                raise services.AreaError(N_("Choose a commune of your area."))
            await services.add_village(
                commune.code, form.get("name", ""), _households(form.get("household_estimate", ""))
            )
        except services.AreaError as problem:
            error, status = problem.message(lang), problem.status
        else:
            return RedirectResponse("/manage/villages?done=1", status_code=303)
    return await _villages(request, user, lang, form, error, status)


async def _villages(
    request: Request, user: User, lang: str, form: dict[str, str], error: str | None, status: int
) -> Response:
    window = page_window(request.query_params)
    search = search_text(request.query_params)
    scope = await accounts.scope_of(user)
    context: dict[str, Any] = {
        "user": user,
        "villages": await services.village_page(scope, search, window),
        "q": search,
        "form": form,
        "error": error,
        "done": request.query_params.get("done"),
    }
    if wants_fragment(request):
        return _vary(render(request, "manage/_villages_list.html", context, lang, status))
    context["communes"] = await services.communes_for(scope)
    return _vary(render(request, "manage/villages.html", context, lang, status))


def _vary(response: Response) -> Response:
    """The same address answers htmx with the list only: caches must keep both apart."""
    response.headers["Vary"] = "HX-Request"
    return response


async def village_page(request: Request) -> Response:
    """One village's form: rename it, set its household estimate."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    scope = await accounts.scope_of(user)
    village = await services.village_for(scope, request.path_params["code"])
    if village is None:
        raise NotFound(N_("This village is not in your area."))
    form = {"name": village.name, "household_estimate": str(village.household_estimate or "")}
    error, status = None, 200
    if request.method == "POST":
        form = await posted_form(request)
        try:
            households = _households(form.get("household_estimate", ""))
            await services.update_village(village.code, form.get("name", ""), households)
        except services.AreaError as problem:
            error, status = problem.message(lang), problem.status
        else:
            return RedirectResponse("/manage/villages?done=1", status_code=303)
    context = {"user": user, "village": village, "form": form, "error": error}
    return render(request, "manage/village.html", context, lang, status)


routes = [
    Route("/api/v1/villages", list_villages, methods=["GET"]),
    Route("/api/v1/villages", create_village, methods=["POST"]),
    Route("/api/v1/villages/{code}", update_village, methods=["PATCH"]),
    Route("/manage/villages", villages_page, methods=["GET", "POST"]),
    Route("/manage/villages/{code}", village_page, methods=["GET", "POST"]),
]
