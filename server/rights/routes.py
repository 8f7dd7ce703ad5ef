"""The requests register for coordinators: pages to receive and move requests, and JSON."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.accounts.models import User
from server.areas import services as areas
from server.areas.scope import Scope
from server.errors import NotFound, Unreadable
from server.households import services as households
from server.i18n import N_
from server.rights import clocks, services
from server.rights.models import CHANNEL_LABELS, KIND_LABELS
from server.syncable.fields import jsonable
from server.web.paging import api_window, page_window
from server.web.requests import json_body, language_of, posted_form, wants_fragment
from server.web.templating import render

ACTIONS = ("acknowledge", "extend", "done", "refuse")
HOME_MAX = 10  # requests listed on the home page; the register shows the rest


def uuid_or_none(raw: object) -> uuid.UUID | None:
    """`raw` as a UUID, or None when it is not one."""
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def as_json(value: Any) -> Any:
    """`jsonable`, with dates as ISO text too."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return jsonable(value)


def _row_json(row: services.RequestRow) -> dict[str, Any]:
    data: dict[str, Any] = as_json(jsonable(asdict(row)))
    data["state"] = row.state
    return data


def _labels() -> dict[str, Any]:
    return {"kind_labels": KIND_LABELS, "channel_labels": CHANNEL_LABELS, "states": clocks}


async def register_page(request: Request) -> Response:
    """The register: requests of the area (overdue first), and the form to receive one."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    form = {"received_on": clocks.local_date().isoformat(), "area_code": ""}
    form["area_code"] = request.query_params.get("area", "")[:20]
    return await _register(request, user, lang, form, None, 200)


async def _register(
    request: Request, user: User, lang: str, form: dict[str, str], error: str | None, status: int
) -> Response:
    params = request.query_params
    state = services.check_status(params.get("status", ""))
    scope = await accounts.scope_of(user)
    context: dict[str, Any] = {
        "user": user,
        "form": form,
        "error": error,
        "status": state,
        "done": params.get("done"),
        "requests": await services.register(scope, state, page_window(params)),
        **_labels(),
    }
    if wants_fragment(request):
        response = render(request, "manage/_requests_list.html", context, lang, status)
        response.headers["Vary"] = "HX-Request"
        return response
    village = await areas.village_for(scope, form.get("area_code", ""))
    context.update(
        communes=await areas.communes_for(scope),
        villages=await areas.villages_for(scope),
        households=await households.of_village(village.code) if village else [],
    )
    response = render(request, "manage/requests.html", context, lang, status)
    response.headers["Vary"] = "HX-Request"
    return response


async def receive_submit(request: Request) -> Response:
    """Receive a request from the form; errors keep what was typed."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    form = await posted_form(request)
    try:
        received = await services.receive(
            await accounts.scope_of(user),
            kind=form.get("kind", ""),
            requester=form.get("requester", ""),
            channel=form.get("channel", ""),
            received_on=form.get("received_on", ""),
            household_id=uuid_or_none(form.get("household_id")),
            area_code=form.get("area_code", ""),
            details=form.get("details", ""),
            other_party=form.get("other_party") == "1",
        )
    except services.RequestError as problem:
        return await _register(request, user, lang, form, problem.message(lang), problem.status)
    return RedirectResponse(f"/manage/requests/{received.id}?done=1", status_code=303)


async def request_page(request: Request) -> Response:
    """One request with its clock and the steps still open."""
    user = await require_user(request, *roles.MANAGERS)
    return await _request(request, user, None, 200)


async def _request(request: Request, user: User, error: str | None, status: int) -> Response:
    lang = language_of(request, user)
    request_id = uuid_or_none(request.path_params["request_id"])
    row = await services.one(await accounts.scope_of(user), request_id)
    context: dict[str, Any] = {
        "user": user,
        "r": row,
        "error": error,
        "done": request.query_params.get("done"),
        "max_extension": clocks.MAX_EXTENSION_DAYS,
        **_labels(),
    }
    return render(request, "manage/request.html", context, lang, status)


async def action_submit(request: Request) -> Response:
    """Acknowledge, extend, complete or refuse a request from its page."""
    user = await require_user(request, *roles.MANAGERS)
    form = await posted_form(request)
    action = request.url.path.rsplit("/", 1)[-1]
    request_id = uuid_or_none(request.path_params["request_id"])
    try:
        await _act(user, action, request_id, form)
    except services.RequestError as problem:
        if problem.status == 404:
            raise
        return await _request(
            request, user, problem.message(language_of(request, user)), problem.status
        )
    return RedirectResponse(f"/manage/requests/{request_id}?done=1", status_code=303)


async def _act(user: User, action: str, request_id: uuid.UUID | None, body: dict[str, Any]) -> None:
    scope = await accounts.scope_of(user)
    if action == "acknowledge":
        await services.acknowledge(scope, request_id)
    elif action == "extend":
        await services.extend(scope, request_id, body.get("days"), body.get("reason"))
    elif action == "done":
        await services.complete(scope, request_id)
    elif action == "refuse":
        await services.refuse(scope, request_id, body.get("reason"))
    else:
        raise NotFound()


async def api_register(request: Request) -> Response:
    """The caller's area's requests with their clocks (`status` keeps one state)."""
    user = await require_user(request, *roles.MANAGERS)
    params = request.query_params
    window = api_window(params)
    page = await services.register(
        await accounts.scope_of(user), services.check_status(params.get("status")), window
    )
    return JSONResponse(
        {
            "requests": [_row_json(r) for r in page.items],
            "total": page.total,
            "offset": window.offset,
            "limit": window.limit,
        }
    )


async def api_receive(request: Request) -> Response:
    """Record a received request: `kind`, `requester`, `channel`, `received_on`, and
    `household_id` or `area_code`; `details` and `other_party` are optional."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    other_party = body.get("other_party", False)
    area_code = body.get("area_code", "")
    if not isinstance(other_party, bool) or not isinstance(area_code, str):
        raise Unreadable()
    raw_household = body.get("household_id")
    household_id = uuid_or_none(raw_household)
    if raw_household and household_id is None:
        raise services.RequestError(N_("Choose a household of your area."), "household_id")
    received = await services.receive(
        await accounts.scope_of(user),
        kind=body.get("kind"),
        requester=body.get("requester"),
        channel=body.get("channel"),
        received_on=body.get("received_on"),
        household_id=household_id,
        area_code=area_code,
        details=body.get("details", ""),
        other_party=other_party,
    )
    row = await services.one(await accounts.scope_of(user), received.id)
    return JSONResponse(_row_json(row), status_code=201)


async def api_request(request: Request) -> Response:
    """One request with its clock."""
    user = await require_user(request, *roles.MANAGERS)
    request_id = uuid_or_none(request.path_params["request_id"])
    return JSONResponse(_row_json(await services.one(await accounts.scope_of(user), request_id)))


async def api_action(request: Request) -> Response:
    """Move a request on: acknowledge, extend (`days`, `reason`), done, refuse (`reason`)."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    request_id = uuid_or_none(request.path_params["request_id"])
    await _act(user, request.url.path.rsplit("/", 1)[-1], request_id, body)
    return JSONResponse(_row_json(await services.one(await accounts.scope_of(user), request_id)))


routes = [
    Route("/manage/requests", register_page, methods=["GET"]),
    Route("/manage/requests", receive_submit, methods=["POST"]),
    Route("/manage/requests/{request_id}", request_page, methods=["GET"]),
    *(
        Route(f"/manage/requests/{{request_id}}/{action}", action_submit, methods=["POST"])
        for action in ACTIONS
    ),
    Route("/api/v1/data-requests", api_register, methods=["GET"]),
    Route("/api/v1/data-requests", api_receive, methods=["POST"]),
    Route("/api/v1/data-requests/{request_id}", api_request, methods=["GET"]),
    *(
        Route(f"/api/v1/data-requests/{{request_id}}/{action}", api_action, methods=["POST"])
        for action in ACTIONS
    ),
]


async def home_panel(user: User, scope: Scope) -> dict[str, Any]:
    """The coordinator's home page lists the overdue and due-soon requests of their area."""
    if user.role not in roles.MANAGERS:
        return {}
    attention = await services.needing_attention(scope)
    return {
        "attention_requests": attention[:HOME_MAX],
        "attention_more": max(len(attention) - HOME_MAX, 0),
        **_labels(),
    }
