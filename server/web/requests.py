"""Request helpers shared by the route modules: the user's language, bodies, forms, CSRF."""

from __future__ import annotations

import secrets
from typing import Any, Protocol

import orjson
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.errors import Forbidden, Unreadable, UserError
from server.i18n import N_, negotiate
from server.web import limits

# Where the request's signed-in user is kept once looked up (see accounts/gate.py).
USER_KEY = "langso_user"
# A JSON API call signed in by the session cookie (not a bearer token) sends the session's CSRF
# token in this header on every unsafe method.
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _HasLanguage(Protocol):
    language: str


def language_of(request: Request, user: _HasLanguage | None = None) -> str:
    """The user's setting, then the session's choice, then Accept-Language, then Vietnamese."""
    preferred = user.language if user is not None else request.session.get("language")
    return negotiate(preferred, request.headers.get("accept-language"))


def wants_fragment(request: Request) -> bool:
    """True for an htmx request that swaps part of a page (not a boosted link or a history
    restore, which need the whole page)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and "hx-boosted" not in headers
        and "hx-history-restore-request" not in headers
    )


class FastJSONResponse(JSONResponse):
    """A JSON response encoded by orjson: the sync API's bodies are large and frequent."""

    def render(self, content: Any) -> bytes:
        """The body as compact UTF-8 JSON."""
        try:
            return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
        except TypeError:  # e.g. an integer beyond 64 bits: the standard library copes
            return super().render(content)


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a 400 error (a 415 when it is not sent as JSON)."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise UserError(
            N_("Send this request as JSON (Content-Type: application/json)."), status=415
        )
    raw = await request.body()
    # PostgreSQL cannot store NUL in text: no field of ours has a use for it.
    if b"\\u0000" in raw or b"\x00" in raw:
        raise Unreadable()
    try:
        body = orjson.loads(raw)
    except (ValueError, RecursionError):
        raise Unreadable() from None
    if not isinstance(body, dict):
        raise Unreadable()
    return body


async def posted_form(request: Request) -> dict[str, str]:
    """A form post's text fields, or a 403 unless its CSRF token is the session's."""
    form = await request.form(
        max_files=0, max_fields=limits.FORM_MAX_FIELDS, max_part_size=limits.FORM_BYTES
    )
    # PostgreSQL cannot store NUL in text: no field of ours has a use for it.
    fields = {key: str(value).replace("\x00", "") for key, value in form.items()}
    _check_csrf(request, fields.get("csrf_token"))
    return fields


async def posted_file(request: Request, max_bytes: int) -> tuple[dict[str, str], str, bytes]:
    """A form post with one file (`file`): its text fields, the file's name and bytes (at most
    `max_bytes` + 1, so the caller can say it is too large), or a 403 without the CSRF token."""
    async with request.form(
        max_files=limits.FORM_MAX_FILES,
        max_fields=limits.FORM_MAX_FIELDS,
        max_part_size=limits.FORM_BYTES,
    ) as form:
        fields = {
            key: str(value).replace("\x00", "")
            for key, value in form.items()
            if not isinstance(value, UploadFile)
        }
        _check_csrf(request, fields.get("csrf_token"))
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return fields, "", b""
        return fields, upload.filename or "", await upload.read(max_bytes + 1)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def check_api_csrf(request: Request) -> None:
    """Refuse an unsafe API call by session cookie without the session's token in `CSRF_HEADER`."""
    if request.method not in SAFE_METHODS:
        # Nobody typed into a form here: the app (or another site) called without the token.
        refusal = N_(
            "This call was refused: it carries no valid security token. Reload the page and "
            "try again; an app must send a bearer token."
        )
        _check_csrf(request, request.headers.get(CSRF_HEADER), refusal)


_FORM_EXPIRED = N_("This form has expired. Please go back and try again.")


def _check_csrf(request: Request, submitted: str | None, refusal: str = _FORM_EXPIRED) -> None:
    """Refuse a post whose token does not match the session's, with `refusal`."""
    expected = request.session.get("csrf")
    if not isinstance(submitted, str) or not isinstance(expected, str):
        raise Forbidden(refusal)
    if not secrets.compare_digest(submitted, expected):
        raise Forbidden(refusal)
