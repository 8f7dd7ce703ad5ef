"""A coordinator records a household's consent withdrawal: on its history page, or as JSON."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.content import curriculum
from server.errors import NotFound
from server.privacy import services
from server.web.requests import json_body, language_of, posted_form


def _uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound() from None


async def api_withdraw(request: Request) -> Response:
    """Withdraw purposes: `{"purposes": [...], "asked_by", "channel", "asked_at"?}`; 201."""
    user = await require_user(request, *roles.MANAGERS)
    body = await json_body(request)
    data = {key: body.get(key) for key in ("purposes", "asked_by", "channel", "asked_at")}
    data["asked_at"] = data["asked_at"] or datetime.now(UTC).isoformat()
    household_id = _uuid(request.path_params["household_id"])
    scope = await accounts.scope_of(user)
    made = await services.record(scope, household_id, data, language_of(request, user))
    return JSONResponse({"id": made}, status_code=201)


async def withdraw_submit(request: Request) -> Response:
    """The form on a household's history page: back to the page, saying what happened."""
    user = await require_user(request, *roles.MANAGERS)
    form = await posted_form(request)
    keys = [p.key for p in curriculum.consent_purposes() if form.get(f"purpose_{p.key}")]
    data: dict[str, Any] = {
        "purposes": keys,
        "asked_by": form.get("asked_by", ""),
        "channel": form.get("channel", ""),
        "asked_at": datetime.now(UTC).isoformat(),
    }
    household_id = _uuid(request.path_params["household_id"])
    scope = await accounts.scope_of(user)
    await services.record(scope, household_id, data, language_of(request, user))
    return RedirectResponse(f"/review/households/{household_id}?withdrawn=1", status_code=303)


routes = [
    Route("/review/households/{household_id}/withdraw", withdraw_submit, methods=["POST"]),
    Route("/api/v1/households/{household_id}/withdrawals", api_withdraw, methods=["POST"]),
]
