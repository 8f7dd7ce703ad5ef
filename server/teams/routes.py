"""Team members for coordinators: pages (create, deactivate, reset, move, lead) and JSON API."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.accounts.models import User
from server.areas import services as areas
from server.areas.models import Area
from server.areas.scope import Scope
from server.errors import NotFound, UserError
from server.i18n import N_
from server.teams import services
from server.web.paging import api_window, page_window, search_text
from server.web.requests import json_body, language_of, posted_form, wants_fragment
from server.web.templating import render


def _member_json(user: User, village: Area) -> dict[str, object]:
    return {
        "id": str(user.id),
        "name": user.name,
        "phone": user.phone,
        "village_code": village.code,
        "is_active": user.is_active,
    }


def _no_store(response: Response) -> Response:
    """A page that may show a temporary password is never kept in a cache (and the list's
    address answers htmx with the list only)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "HX-Request"
    return response


async def _member(scope: Scope, raw: str) -> tuple[User, Area] | None:
    try:
        user_id = uuid.UUID(raw)
    except ValueError:
        return None
    return await services.member_for(scope, user_id)


async def members_page(request: Request) -> Response:
    """The members of the coordinator's villages, and a form to add one."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    window = page_window(request.query_params)
    search = search_text(request.query_params)
    village_code = request.query_params.get("village", "")
    scope = await accounts.scope_of(user)
    form: dict[str, str] = {}
    context: dict[str, Any] = {"error": None, "created": None, "password": None}
    status = 200
    if request.method == "POST":
        form = await posted_form(request)
        try:
            created, password = await services.add_member(
                scope, form.get("name", ""), form.get("phone", ""), form.get("village_code", "")
            )
        except services.TeamError as error:
            context["error"], status = error.message(lang), error.status
        else:
            context.update(created=created, password=password)
            form, status = {}, 201
    context.update(
        user=user,
        form=form,
        q=search,
        members=await services.member_page(scope, search, window, village_code),
        village=await areas.village_for(scope, village_code) if village_code else None,
    )
    if wants_fragment(request):
        return _no_store(render(request, "manage/_members_list.html", context, lang, status))
    context["villages"] = await areas.villages_for(scope)
    return _no_store(render(request, "manage/members.html", context, lang, status))


async def member_page(request: Request) -> Response:
    """One member: reset the password, switch the account off or on, move, make leader."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    scope = await accounts.scope_of(user)
    found = await _member(scope, request.path_params["user_id"])
    if found is None:
        raise NotFound(N_("This member is not in your area."))
    member, village = found
    context: dict[str, Any] = {"error": None, "password": None, "done": False}
    status = 200
    if request.method == "POST":
        form = await posted_form(request)
        try:
            context["password"], village = await _act(
                scope, member, village, form.get("action", ""), form.get("village_code", "")
            )
            context["done"] = True
        except services.TeamError as error:
            context["error"], status = error.message(lang), error.status
    context.update(
        user=user,
        member=member,
        village=village,
        villages=await areas.villages_for(scope),
        members=await services.member_rows(scope, member.id),
    )
    return _no_store(render(request, "manage/member.html", context, lang, status))


async def _act(
    scope: Scope, member: User, village: Area, action: str, village_code: str
) -> tuple[str | None, Area]:
    """Do one action on a member; returns a new temporary password (or None) and the village."""
    if action == "reset":
        return await services.reset_password(member), village
    if action in ("deactivate", "activate"):
        await services.set_active(member, action == "activate")
    elif action == "move":
        village = await services.move(scope, member, village_code)
    elif action == "leader":
        await services.make_leader(member, village)
    else:
        raise services.TeamError(N_("Choose what to do."))
    return None, village


async def api_members(request: Request) -> Response:
    """The members of the caller's villages (`q` searches names and numbers, `village` keeps
    one village, `limit`/`offset` page)."""
    user = await require_user(request, *roles.MANAGERS)
    window = api_window(request.query_params)
    page = await services.member_page(
        await accounts.scope_of(user),
        search_text(request.query_params),
        window,
        request.query_params.get("village", ""),
    )
    return JSONResponse(
        {
            "total": page.total,
            "offset": window.offset,
            "limit": window.limit,
            "members": [
                {
                    "id": str(r.id),
                    "name": r.name,
                    "phone": r.phone,
                    "village_code": r.village_code,
                    "is_active": r.is_active,
                    "is_leader": r.is_leader,
                }
                for r in page.items
            ],
        }
    )


async def api_add_member(request: Request) -> Response:
    """Create a member account; the temporary password is in this answer and nowhere else."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    name, phone, code = body.get("name"), body.get("phone"), body.get("village_code")
    if not all(isinstance(v, str) for v in (name, phone, code)):
        raise UserError(N_("The request could not be read."))
    scope = await accounts.scope_of(user)
    member, password = await services.add_member(scope, str(name), str(phone), str(code))
    village = await areas.village_for(scope, str(code))
    assert village is not None
    return JSONResponse(
        {**_member_json(member, village), "temporary_password": password}, status_code=201
    )


async def api_update_member(request: Request) -> Response:
    """Change a member: `active`, `village_code` (move) or `leader: true`."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    scope = await accounts.scope_of(user)
    found = await _member(scope, request.path_params["user_id"])
    if found is None:
        raise NotFound(N_("This member is not in your area."))
    member, village = found
    if "active" in body:
        if not isinstance(body["active"], bool):
            raise UserError(N_("The request could not be read."))
        await services.set_active(member, body["active"])
    if "village_code" in body:
        village = await services.move(scope, member, str(body["village_code"]))
    if body.get("leader") is True:
        await services.make_leader(member, village)
    return JSONResponse(_member_json(member, village))


async def api_reset_password(request: Request) -> Response:
    """A new temporary password for a member, shown in this answer only."""
    user = await require_user(request, *roles.MANAGERS)
    found = await _member(await accounts.scope_of(user), request.path_params["user_id"])
    if found is None:
        raise NotFound(N_("This member is not in your area."))
    return JSONResponse({"temporary_password": await services.reset_password(found[0])})


routes = [
    Route("/manage/members", members_page, methods=["GET", "POST"]),
    Route("/manage/members/{user_id}", member_page, methods=["GET", "POST"]),
    Route("/api/v1/members", api_members, methods=["GET"]),
    Route("/api/v1/members", api_add_member, methods=["POST"]),
    Route("/api/v1/members/{user_id}", api_update_member, methods=["PATCH"]),
    Route("/api/v1/members/{user_id}/password", api_reset_password, methods=["POST"]),
]
