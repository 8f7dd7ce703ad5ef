"""Web push through the JSON API: the VAPID key, and a device's subscription on and off."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.accounts.gate import require_user
from server.errors import UserError
from server.i18n import N_
from server.notifications import services
from server.web.requests import json_body


async def push_key(request: Request) -> Response:
    """The application server key that browsers subscribe with (signed-in users only)."""
    await require_user(request)
    return JSONResponse({"key": services.application_server_key()})


async def subscribe(request: Request) -> Response:
    """Store this device's PushSubscription for the signed-in user (201 new, 200 again)."""
    user = await require_user(request)
    body = await json_body(request)
    created = await services.subscribe(user.id, body)
    return JSONResponse({"subscribed": True}, status_code=201 if created else 200)


async def unsubscribe(request: Request) -> Response:
    """Forget this device's subscription (by endpoint); succeeds when it was already gone."""
    user = await require_user(request)
    body = await json_body(request)
    endpoint = body.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise UserError(N_("The subscription has no push address."), "endpoint")
    await services.unsubscribe(user.id, endpoint)
    return Response(status_code=204)


routes = [
    Route("/api/v1/push/key", push_key, methods=["GET"]),
    Route("/api/v1/push/subscriptions", subscribe, methods=["POST"]),
    Route("/api/v1/push/subscriptions", unsubscribe, methods=["DELETE"]),
]
