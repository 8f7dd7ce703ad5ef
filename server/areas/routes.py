"""Villages through the JSON API: list those in scope, create one under a commune."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.areas import kinds, services
from server.areas.models import Area
from server.i18n import N_
from server.web import api_error, api_user, json_body


def _village_json(area: Area) -> dict[str, object]:
    return {
        "code": area.code,
        "name": area.name,
        "commune_code": area.commune_code,
        "province_code": area.province_code,
        "household_estimate": area.household_estimate,
    }


async def list_villages(request: Request) -> Response:
    """The villages inside the caller's areas."""
    user = await api_user(request)
    scope = await accounts.scope_of(user)
    codes = sorted(scope.villages | scope.communes | scope.provinces)
    villages = await services.villages_in(codes)
    return JSONResponse({"villages": [_village_json(v) for v in villages]})


async def create_village(request: Request) -> Response:
    """Create a village under a commune in the coordinator's scope."""
    user = await api_user(request, roles.COORDINATOR, roles.ADMIN)
    body = await json_body(request)
    commune_code, name, households = (
        body.get("commune_code"),
        body.get("name"),
        body.get("household_estimate"),
    )
    if not isinstance(commune_code, str) or not isinstance(name, str):
        return api_error(request, 422, N_("Choose a commune and write the village's name."))
    if households is not None and type(households) is not int:
        return api_error(request, 422, N_("Enter a whole number."), field="household_estimate")
    commune = await services.get_area(commune_code)
    scope = await accounts.scope_of(user)
    if commune is None or commune.kind != kinds.COMMUNE:
        return api_error(request, 422, N_("This commune does not exist."), field="commune_code")
    if not scope.covers("", commune.code, commune.province_code):
        return api_error(request, 403, N_("This is outside your area."))
    try:
        village = await services.add_village(commune_code, name, households)
    except services.AreaError as error:
        return api_error(request, 422, error.msgid)
    return JSONResponse(_village_json(village), status_code=201)


routes = [
    Route("/api/v1/villages", list_villages, methods=["GET"]),
    Route("/api/v1/villages", create_village, methods=["POST"]),
]
