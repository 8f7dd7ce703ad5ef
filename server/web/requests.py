"""Request helpers shared by the route modules: who is asking, in which language, CSRF."""

from __future__ import annotations

import secrets
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.accounts import services as accounts
from server.accounts.models import User
from server.i18n import N_, gettext, negotiate

_USER_KEY = "langso_user"


async def current_user(request: Request) -> User | None:
    """The signed-in user, from a bearer token or the session cookie."""
    if _USER_KEY in request.scope:
        user: User | None = request.scope[_USER_KEY]
        return user
    user = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = await accounts.user_for_token(header[7:].strip())
    elif "user_id" in request.session:
        user = await accounts.user_by_id(
            str(request.session["user_id"]), int(request.session.get("epoch", -1))
        )
    request.scope[_USER_KEY] = user
    return user


def language_of(request: Request, user: User | None = None) -> str:
    """The user's setting, then the session's choice, then Accept-Language, then Vietnamese."""
    preferred = user.language if user is not None else request.session.get("language")
    return negotiate(preferred, request.headers.get("accept-language"))


class SignInRequired(Exception):
    """A page asked for by someone not signed in: the app sends them to the sign-in page."""


async def page_user(request: Request, *allowed_roles: str) -> User:
    """The user of a page, or off to sign in; a 403 page for a role that may not."""
    user = await current_user(request)
    if user is None:
        raise SignInRequired
    if allowed_roles and user.role not in allowed_roles:
        raise HTTPException(403, N_("Your role cannot do this."))
    return user


async def api_user(request: Request, *allowed_roles: str) -> User:
    """The API caller, or a 401/403 error in their language."""
    user = await current_user(request)
    if user is None:
        raise HTTPException(401, N_("Please sign in again."))
    if allowed_roles and user.role not in allowed_roles:
        raise HTTPException(403, N_("Your role cannot do this."))
    return user


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


def api_error(request: Request, status: int, msgid: str, **extra: Any) -> JSONResponse:
    """A JSON error whose message is in the caller's language."""
    user = request.scope.get(_USER_KEY)
    body = {"error": gettext(language_of(request, user), msgid), **extra}
    return JSONResponse(body, status_code=status)


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a 400 error."""
    raw = await request.body()
    # PostgreSQL cannot store NUL in text: no field of ours has a use for it.
    if b"\\u0000" in raw or b"\x00" in raw:
        raise HTTPException(400, N_("The request could not be read."))
    try:
        body = orjson.loads(raw)
    except (ValueError, RecursionError):
        raise HTTPException(400, N_("The request could not be read.")) from None
    if not isinstance(body, dict):
        raise HTTPException(400, N_("The request could not be read."))
    return body


async def posted_form(request: Request) -> dict[str, str]:
    """A form post's text fields, or a 403 unless its CSRF token is the session's."""
    form = await request.form()
    # PostgreSQL cannot store NUL in text: no field of ours has a use for it.
    fields = {key: str(value).replace("\x00", "") for key, value in form.items()}
    _check_csrf(request, fields.get("csrf_token"))
    return fields


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def _check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form post whose token does not match the session's."""
    expected = request.session.get("csrf")
    if not isinstance(submitted, str) or not isinstance(expected, str):
        raise HTTPException(403, N_("This form has expired. Please go back and try again."))
    if not secrets.compare_digest(submitted, expected):
        raise HTTPException(403, N_("This form has expired. Please go back and try again."))
