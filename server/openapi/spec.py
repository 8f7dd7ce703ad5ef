"""The OpenAPI description of the JSON API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server import __version__
from server.openapi.manage import BEARER, ERROR, LIST_PARAMS, json_content, list_of
from server.openapi.manage import PATHS as MANAGE_PATHS
from server.sync.registry import sync_types
from server.syncable.statuses import ALL as STATUSES


def _responses(ok: dict[str, Any], *errors: int) -> dict[str, Any]:
    out: dict[str, Any] = {"200": {"description": "OK", **json_content(ok)}}
    for code in errors:
        out[str(code)] = {"description": "Error", **json_content(ERROR)}
    return out


_MUTATION = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "type": {"type": "string", "enum": [t.name for t in sync_types()]},
        "record_id": {"type": "string", "format": "uuid"},
        "op": {"type": "string", "enum": ["create", "update", "delete"]},
        "base_version": {"type": "integer", "minimum": 0},
        "data": {"type": "object"},
    },
    "required": ["id", "type", "record_id", "op", "base_version"],
}
_RECEIPT = {
    "type": "object",
    "properties": {
        "id": {"type": ["string", "null"]},
        "status": {"type": "string", "enum": list(STATUSES)},
        "type": {"type": "string"},
        "record_id": {"type": "string"},
        "version": {"type": "integer"},
        "original_status": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "conflicts": {"type": "array", "items": {"type": "object"}},
        "record": {"type": "object"},
        "message": {"type": "string"},
    },
    "required": ["id", "status"],
}
_CHANGE = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "record_id": {"type": "string"},
        "version": {"type": "integer"},
        "deleted": {"type": "boolean"},
        "data": {"type": "object"},
    },
    "required": ["type", "record_id", "version", "deleted", "data"],
}
_PUSH_SUBSCRIPTION = {
    "type": "object",
    "properties": {
        "endpoint": {"type": "string", "format": "uri", "maxLength": 2048},
        "expirationTime": {"type": ["number", "null"]},
        "keys": {
            "type": "object",
            "properties": {"p256dh": {"type": "string"}, "auth": {"type": "string"}},
            "required": ["p256dh", "auth"],
        },
    },
    "required": ["endpoint", "keys"],
}
PAGE_SESSION: list[dict[str, list[str]]] = [{"page_session": []}]
_USER = {"type": "object", "properties": {"id": {"type": "string"}, "role": {"type": "string"}}}
_VILLAGE = {"type": "object", "properties": {"code": {"type": "string"}}}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Làng Số API", "version": __version__},
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "page_session": {"type": "apiKey", "in": "cookie", "name": "langso_session"},
        }
    },
    "paths": {
        "/api/v1/session": {
            "post": {
                "summary": "Sign in with a phone number and password; returns a bearer token.",
                "requestBody": json_content(
                    {
                        "type": "object",
                        "properties": {"phone": {"type": "string"}, "password": {"type": "string"}},
                        "required": ["phone", "password"],
                    }
                ),
                "responses": _responses(
                    {"type": "object", "properties": {"token": {"type": "string"}}},
                    400,
                    401,
                    422,
                    429,
                ),
            },
            "delete": {
                "summary": "Sign this token out.",
                "security": BEARER,
                "responses": {
                    "204": {"description": "Signed out"},
                    "401": {"description": "Error", **json_content(ERROR)},
                },
            },
        },
        "/api/v1/session/csrf": {
            "get": {
                "summary": "The page session's CSRF token (a signed-in page's cookie).",
                "security": PAGE_SESSION,
                "responses": _responses(
                    {"type": "object", "properties": {"csrf_token": {"type": "string"}}}, 401
                ),
            }
        },
        "/api/v1/session/hand-over": {
            "post": {
                "summary": "Give the member app a bearer token for the page session's user "
                "(cookie and X-CSRF-Token): a member signs in once.",
                "security": PAGE_SESSION,
                "responses": _responses(
                    {"type": "object", "properties": {"token": {"type": "string"}}}, 401, 403
                ),
            }
        },
        "/api/v1/me": {
            "get": {
                "summary": "The signed-in user, their areas and villages.",
                "security": BEARER,
                "responses": _responses(_USER, 401),
            }
        },
        "/api/v1/me/password": {
            "post": {
                "summary": "Change the password; other sessions stop working.",
                "security": BEARER,
                "requestBody": json_content(
                    {
                        "type": "object",
                        "properties": {
                            "current_password": {"type": "string"},
                            "new_password": {"type": "string"},
                        },
                        "required": ["current_password", "new_password"],
                    }
                ),
                "responses": _responses({"type": "object"}, 400, 401, 422, 429),
            }
        },
        "/api/v1/coverage/{code}": {
            "get": {
                "summary": "Coverage of one area in the caller's scope (coordinators, admins).",
                "security": BEARER,
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": _responses(
                    {
                        "type": "object",
                        "properties": {
                            "area": {"type": "object"},
                            "indicators": {"type": "array"},
                            "children": {"type": "array"},
                            "lowest": {"type": "array"},
                            "trend": {"type": "array"},
                        },
                    },
                    401,
                    403,
                    404,
                ),
            },
        },
        "/api/v1/villages": {
            "get": {
                "summary": "Villages in the caller's areas, by code.",
                "security": BEARER,
                "parameters": LIST_PARAMS,
                "responses": _responses(list_of("villages"), 400, 401),
            },
            "post": {
                "summary": "Create a village under a commune (coordinators, admins).",
                "security": BEARER,
                "requestBody": json_content(
                    {
                        "type": "object",
                        "properties": {
                            "commune_code": {"type": "string"},
                            "name": {"type": "string"},
                            "household_estimate": {"type": ["integer", "null"]},
                        },
                        "required": ["commune_code", "name"],
                    }
                ),
                "responses": {
                    "201": {"description": "Created", **json_content(_VILLAGE)},
                    **{
                        str(c): json_content(ERROR) | {"description": "Error"}
                        for c in (400, 401, 403, 422)
                    },
                },
            },
        },
        "/api/v1/sync/push": {
            "post": {
                "summary": "Apply a batch of mutations; one receipt per mutation.",
                "security": BEARER,
                "requestBody": json_content(
                    {
                        "type": "object",
                        "properties": {
                            "device_id": {"type": "string", "minLength": 1, "maxLength": 64},
                            "app_version": {"type": "string"},
                            "pending_changes": {"type": "integer", "minimum": 0},
                            "mutations": {"type": "array", "items": _MUTATION, "maxItems": 500},
                        },
                        "required": ["device_id", "mutations"],
                    }
                ),
                "responses": _responses(
                    {
                        "type": "object",
                        "properties": {"results": {"type": "array", "items": _RECEIPT}},
                        "required": ["results"],
                    },
                    400,
                    401,
                    413,
                    422,
                ),
            }
        },
        "/api/v1/sync/pull": {
            "get": {
                "summary": "Changes after a cursor, in pages, limited to the caller's areas.",
                "security": BEARER,
                "parameters": [
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    {"name": "device_id", "in": "query", "schema": {"type": "string"}},
                    {"name": "app_version", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "pending_changes",
                        "in": "query",
                        "schema": {"type": "integer"},
                        "description": "The phone's unsent changes, for the coordinators' device "
                        "list; ignored unless a count from 0 to 2^31-1.",
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
                    },
                ],
                "responses": _responses(
                    {
                        "type": "object",
                        "properties": {
                            "changes": {"type": "array", "items": _CHANGE},
                            "cursor": {"type": "string"},
                            "more": {"type": "boolean"},
                        },
                        "required": ["changes", "cursor", "more"],
                    },
                    400,
                    401,
                    422,
                ),
            }
        },
        "/api/v1/push/key": {
            "get": {
                "summary": "The VAPID application server key (base64url) to subscribe with.",
                "security": BEARER,
                "responses": _responses(
                    {
                        "type": "object",
                        "properties": {"key": {"type": "string"}},
                        "required": ["key"],
                    },
                    401,
                ),
            }
        },
        "/api/v1/push/subscriptions": {
            "post": {
                "summary": "Receive pushes on this device (a browser PushSubscription).",
                "security": BEARER,
                "requestBody": json_content(_PUSH_SUBSCRIPTION),
                "responses": {
                    "201": {"description": "Subscribed", **json_content({"type": "object"})},
                    **_responses({"type": "object"}, 400, 401, 422),
                },
            },
            "delete": {
                "summary": "Stop pushes to this device (by endpoint); done when already gone.",
                "security": BEARER,
                "requestBody": json_content(
                    {
                        "type": "object",
                        "properties": {"endpoint": {"type": "string"}},
                        "required": ["endpoint"],
                    }
                ),
                "responses": {
                    "204": {"description": "Unsubscribed"},
                    **{
                        str(c): json_content(ERROR) | {"description": "Error"}
                        for c in (400, 401, 422)
                    },
                },
            },
        },
        "/api/v1/sync/schema": {
            "get": {
                "summary": "Field rules, indicators and consent purposes for the device.",
                "security": BEARER,
                "responses": _responses({"type": "object"}, 401),
            }
        },
    },
}


SPEC["paths"].update(MANAGE_PATHS)


def _answers_every_call(spec: dict[str, Any]) -> None:
    """Add what every call may get: a JSON body is required (413 over its limit, 415 when not
    sent as JSON; web/limits.py), a call that needs a token may get 401, and a value longer
    than its database field is a 422 (web/errors.py `invalid_value`)."""
    for operation in (op for ops in spec["paths"].values() for op in ops.values()):
        extra = [422]
        if "requestBody" in operation:
            operation["requestBody"]["required"] = True
            extra += [413, 415]
        if operation.get("security"):
            extra.append(401)
        for code in extra:
            operation["responses"].setdefault(
                str(code), {"description": "Error", **json_content(ERROR)}
            )


_answers_every_call(SPEC)


async def openapi_json(request: Request) -> JSONResponse:
    """The OpenAPI document."""
    return JSONResponse(SPEC)


routes = [Route("/api/v1/openapi.json", openapi_json, methods=["GET"])]
