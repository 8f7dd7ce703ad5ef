"""The sync API: push, pull and schema (JSON only)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.access import services as access
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.accounts.models import User
from server.areas.scope import Scope
from server.errors import UserError
from server.i18n import N_
from server.ops import metrics
from server.sync import services
from server.web import agents
from server.web.requests import FastJSONResponse, json_body, language_of


async def push(request: Request) -> JSONResponse:
    """Apply a batch of mutations; one receipt per mutation."""
    user = await require_user(request)
    body = await json_body(request)
    device_id, mutations = body.get("device_id"), body.get("mutations")
    if not isinstance(device_id, str) or not 1 <= len(device_id) <= 64:
        raise UserError(N_("The device is not identified."))
    if not device_id.isprintable():
        raise UserError(N_("The device is not identified."), "device_id")
    if not isinstance(mutations, list):
        raise UserError(N_("The request could not be read."))
    if len(mutations) > services.MAX_BATCH:
        raise UserError(N_("Too many changes in one request."), "mutations", status=413)
    app_version, pending = body.get("app_version"), body.get("pending_changes")
    agent = agents.describe(request.headers.get("user-agent"))
    results = await services.push(
        services.PushRequest(
            scope=await accounts.scope_of(user),
            device_id=device_id,
            mutations=mutations,
            language=language_of(request, user),
            app_version=app_version[:40] if isinstance(app_version, str) else None,
            pending_changes=pending if type(pending) is int and 0 <= pending < 2**31 else None,
            names=_names,
            model=agent.model or None,
            browser=agent.browser or None,
        )
    )
    metrics.count_receipts(results)
    return FastJSONResponse({"results": results})


async def _names(user_ids: list[str]) -> dict[str, str]:
    """Display names by user id (a conflict's receipt names whose change was kept)."""
    rows = await User.filter(id__in=user_ids).values_list("id", "name")
    return {str(user_id): str(name) for user_id, name in rows}


async def pull(request: Request) -> JSONResponse:
    """The next page of changes after the cursor."""
    user = await require_user(request)
    raw_limit = request.query_params.get("limit", str(200))
    if not _count(raw_limit):
        raise UserError(N_("The request could not be read."))
    scope = await accounts.scope_of(user)
    page = await services.pull(scope, request.query_params.get("cursor"), int(raw_limit[:6]))
    metrics.count_pull(len(page.changes))
    device_id = request.query_params.get("device_id")
    if device_id and len(device_id) <= 64:
        if not device_id.isprintable():  # PostgreSQL cannot store a NUL, nor should we
            raise UserError(N_("The device is not identified."), "device_id", status=400)
        pending = request.query_params.get("pending_changes", "")
        app_version = request.query_params.get("app_version", "")
        agent = agents.describe(request.headers.get("user-agent"))
        await services.record_pull(
            device_id,
            user.id,
            app_version="".join(c for c in app_version[:40] if c.isprintable()) or None,
            pending_changes=(
                int(pending)
                if pending.isascii() and pending.isdigit() and len(pending) < 10
                else None
            ),
            model=agent.model,
            browser=agent.browser,
        )
    await _log_personal(user, scope, page, device_id)
    return FastJSONResponse({"changes": page.changes, "cursor": page.cursor, "more": page.more})


async def _log_personal(
    user: User, scope: Scope, page: services.Page, device_id: str | None
) -> None:
    """One access-log entry per pull page that sends personal records (how many, to which phone)."""
    counts = services.personal_counts(page)
    if counts:
        device = "".join(c for c in (device_id or "")[:64] if c.isprintable())
        subject = await access.scope_subject(scope)
        await access.record(user, access.SYNC, subject, {"device": device, "records": counts})


async def schema(request: Request) -> JSONResponse:
    """The validation rules the device applies before it saves."""
    user = await require_user(request)
    return JSONResponse(await services.schema(await accounts.scope_of(user)))


routes = [
    Route("/api/v1/sync/push", push, methods=["POST"]),
    Route("/api/v1/sync/pull", pull, methods=["GET"]),
    Route("/api/v1/sync/schema", schema, methods=["GET"]),
]


def _count(text: str) -> bool:
    """A small whole number written in ASCII digits (`"²".isdigit()` is true, `int` fails)."""
    return text.isascii() and text.isdigit() and len(text) < 10
