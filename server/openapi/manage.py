"""The OpenAPI paths of the coordinator's JSON API, and the pieces both halves of the spec use."""

from __future__ import annotations

from typing import Any

from server.rights.models import CHANNELS as REQUEST_CHANNELS
from server.rights.models import KINDS as REQUEST_KINDS
from server.rights.models import SEVERITIES
from server.rights.services import STATUSES as REQUEST_STATUSES
from server.web.paging import MAX_LIMIT, MAX_OFFSET, MAX_SEARCH

# The one error shape (server/web/errors.py): a message in the caller's language and the field
# at fault, if one is.
ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "field": {"type": ["string", "null"]},
            },
            "required": ["message", "field"],
        }
    },
    "required": ["error"],
}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
_OBJECT = {"type": "object"}


def query_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An optional query parameter."""
    return {"name": name, "in": "query", "schema": schema, "description": description}


# The paging and search parameters of the list APIs; a bad value is a 400.
LIST_PARAMS = [
    query_param(
        "q",
        {"type": "string"},
        f"Only rows whose name contains this (case and diacritics do not matter); only its first "
        f"{MAX_SEARCH} characters are used.",
    ),
    query_param(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        "At most this many rows. Without it, every row (as before paging).",
    ),
    query_param(
        "offset",
        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
        "Skip this many rows first.",
    ),
]
LIST_FIELDS = {"total": {"type": "integer"}, "offset": {"type": "integer"}, "limit": {}}
_LIST_ERRORS = (400, 401, 403)


def list_of(key: str) -> dict[str, Any]:
    """A list answer: the rows under `key`, and how many there are in all."""
    return {
        "type": "object",
        "properties": {key: {"type": "array"}, **LIST_FIELDS},
        "required": [key, "total", "offset", "limit"],
    }


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    """A request or response body of JSON in this schema."""
    return {"content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    ok: str = "200",
    body: dict[str, Any] | None = None,
    errors: tuple[int, ...] = (401, 403),
    params: tuple[str, ...] = (),
    query: list[dict[str, Any]] | None = None,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {ok: {"description": "OK"}}
    if ok != "204":
        responses[ok].update(json_content(result or _OBJECT))
    for code in errors:
        responses[str(code)] = {"description": "Error", **json_content(ERROR)}
    out: dict[str, Any] = {"summary": summary, "security": BEARER, "responses": responses}
    if body is not None:
        out["requestBody"] = json_content(body)
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in params
    ] + (query or [])
    if parameters:
        out["parameters"] = parameters
    return out


def _body(required: tuple[str, ...] = (), **properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required)}


_STR: dict[str, Any] = {"type": "string"}
_WRITE = (400, 401, 403, 404, 409, 422)

_TEMPLATE = _body(
    ("title", "steps"),
    title=_STR,
    description=_STR,
    steps={"type": "array", "items": _STR},
)

PATHS: dict[str, Any] = {
    "/api/v1/checklist-templates": {
        "get": _op("The current checklists the coordinator's area uses."),
        "post": _op(
            "Create a checklist for one of the coordinator's communes or provinces.",
            ok="201",
            body={**_TEMPLATE, "properties": {**_TEMPLATE["properties"], "area_code": _STR}},
            errors=_WRITE,
        ),
    },
    "/api/v1/checklist-templates/{key}/versions": {
        "post": _op(
            "Save the next version of a checklist; checklists started on older ones keep working.",
            ok="201",
            body=_TEMPLATE,
            errors=_WRITE,
            params=("key",),
        ),
    },
    "/api/v1/conflicts": {
        "get": _op("Conflicts in the coordinator's area (`?show=resolved` for resolved ones)."),
    },
    "/api/v1/conflicts/{conflict_id}": {
        "post": _op(
            "Accept the kept or the lost value; the lost one is written through sync.",
            body=_body(("accept",), accept={"type": "string", "enum": ["kept", "lost"]}),
            errors=_WRITE,
            params=("conflict_id",),
        ),
    },
    "/api/v1/households/{household_id}/history": {
        "get": _op(
            "Every logged change to a household and its checklists.",
            errors=(401, 403, 404),
            params=("household_id",),
        ),
    },
    "/api/v1/households/{household_id}/withdrawals": {
        "post": _op(
            "Record a household's withdrawal of consent purposes, applied at once through sync "
            "(the required purpose erases the household): docs/sync-protocol.md.",
            ok="201",
            body=_body(
                ("purposes", "asked_by", "channel"),
                purposes={"type": "array", "items": _STR, "minItems": 1, "maxItems": 10},
                asked_by={"type": "string", "minLength": 1, "maxLength": 120},
                channel={"type": "string", "enum": ["in_person", "phone", "writing"]},
                asked_at={"type": ["string", "null"], "format": "date-time"},
            ),
            errors=_WRITE,
            params=("household_id",),
        ),
    },
    "/api/v1/villages/{code}": {
        "patch": _op(
            "Rename a village or set its household estimate.",
            body=_body(name=_STR, household_estimate={"type": ["integer", "null"]}),
            errors=_WRITE,
            params=("code",),
        ),
    },
    "/api/v1/members": {
        "get": _op(
            "Team members of the coordinator's villages, by village then name.",
            errors=_LIST_ERRORS,
            query=[
                *LIST_PARAMS,
                query_param("village", _STR, "Only the members of this village (its code)."),
            ],
            result=list_of("members"),
        ),
        "post": _op(
            "Create a member account; the temporary password is in this answer only.",
            ok="201",
            body=_body(("name", "phone", "village_code"), name=_STR, phone=_STR, village_code=_STR),
            errors=_WRITE,
        ),
    },
    "/api/v1/members/{user_id}": {
        "patch": _op(
            "Switch a member's account off or on, move them, or make them team leader.",
            body=_body(active={"type": "boolean"}, village_code=_STR, leader={"type": "boolean"}),
            errors=_WRITE,
            params=("user_id",),
        ),
    },
    "/api/v1/members/{user_id}/password": {
        "post": _op(
            "A new temporary password for a member (their sessions end).",
            errors=(401, 403, 404),
            params=("user_id",),
        ),
    },
    "/api/v1/assignments": {
        "get": _op(
            "Assignments in the coordinator's area: open ones soonest due first, then done ones"
            " (`done_at`) most recently done first. `q` searches member and household names.",
            errors=_LIST_ERRORS,
            query=[
                *LIST_PARAMS,
                query_param(
                    "status",
                    {"type": "string", "enum": ["open", "overdue", "done"]},
                    "Only this status (`open` includes overdue ones).",
                ),
            ],
            result=list_of("assignments"),
        ),
        "post": _op(
            "Give a member a household and/or a checklist to do by a date.",
            ok="201",
            body=_body(
                ("member_id", "due_date"),
                member_id=_STR,
                due_date={"type": "string", "format": "date"},
                household_id=_STR,
                template_key=_STR,
                note=_STR,
            ),
            errors=_WRITE,
        ),
    },
    "/api/v1/assignments/{assignment_id}": {
        "delete": _op(
            "Withdraw an assignment.",
            ok="204",
            errors=(401, 403, 404),
            params=("assignment_id",),
        ),
    },
    "/api/v1/data-requests": {
        "get": _op(
            "Personal data requests of the coordinator's area with their legal clocks: open ones"
            " first (overdue, then due soon, then by the deadline that matters now), then closed"
            " ones, most recently received first.",
            errors=_LIST_ERRORS,
            query=[
                *LIST_PARAMS[1:],
                query_param(
                    "status",
                    {"type": "string", "enum": list(REQUEST_STATUSES)},
                    "Only this state (`open` is every request not yet done or refused).",
                ),
            ],
            result=list_of("requests"),
        ),
        "post": _op(
            "Record a request received from a data subject; its clocks start the next day.",
            ok="201",
            body=_body(
                ("kind", "requester", "channel", "received_on"),
                kind={"type": "string", "enum": list(REQUEST_KINDS)},
                requester=_STR,
                channel={"type": "string", "enum": list(REQUEST_CHANNELS)},
                received_on={"type": "string", "format": "date"},
                household_id=_STR,
                area_code=_STR,
                details=_STR,
                other_party={"type": "boolean"},
            ),
            errors=_WRITE,
        ),
    },
    "/api/v1/data-requests/{request_id}": {
        "get": _op("One request with its clock.", errors=(401, 403, 404), params=("request_id",)),
    },
    **{
        f"/api/v1/data-requests/{{request_id}}/{action}": {
            "post": _op(summary, body=body, errors=_WRITE, params=("request_id",))
        }
        for action, summary, body in (
            ("acknowledge", "Record that the requester was answered.", _body()),
            (
                "extend",
                "Extend the completion deadline once, by 1–15 working days, with a reason.",
                _body(("days", "reason"), days={"type": "integer"}, reason=_STR),
            ),
            ("done", "Record that the request was carried out.", _body()),
            ("refuse", "Refuse the request, with the reason.", _body(("reason",), reason=_STR)),
        )
    },
    "/api/v1/incidents": {
        "get": _op(
            "Personal data incidents of the coordinator's area, newest first, each with its"
            " deadline to tell the authority (`notify_by`) and whether it was missed (`late`).",
            errors=_LIST_ERRORS,
            query=LIST_PARAMS[1:],
            result=list_of("incidents"),
        ),
        "post": _op(
            "Record an incident.",
            ok="201",
            body=_body(
                ("what", "discovered_at", "severity", "area_code"),
                what=_STR,
                discovered_at={"type": "string", "format": "date-time"},
                severity={"type": "string", "enum": list(SEVERITIES)},
                area_code=_STR,
                household_count={"type": "integer", "minimum": 0},
                household_ids={"type": "array", "items": _STR},
            ),
            errors=_WRITE,
        ),
    },
    "/api/v1/incidents/{incident_id}": {
        "patch": _op(
            "Record when the authority and/or the households were told.",
            body=_body(
                authority_notified_at={"type": "string", "format": "date-time"},
                households_notified_at={"type": "string", "format": "date-time"},
            ),
            errors=_WRITE,
            params=("incident_id",),
        ),
    },
}
