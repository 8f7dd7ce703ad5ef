"""The one error path: a `UserError` (or Starlette's own 404/405) becomes a response here.

Under /api/ the body is `{"error": {"message": …, "field": …}}`; elsewhere an error page, and a
page for signed-in users only sends the visitor to sign in. Always in the user's language.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from tortoise.exceptions import ValidationError

from server.db.disk import is_disk_full
from server.errors import SignInRequired, UserError
from server.i18n import N_, gettext
from server.web.requests import USER_KEY, language_of
from server.web.templating import render

_log = logging.getLogger("langso.storage")
_STATUS_MESSAGES = {
    404: N_("This page does not exist."),
    405: N_("This action is not allowed here."),
}


async def user_error(request: Request, exc: Exception) -> Response:
    """A problem the user can fix, in their language."""
    assert isinstance(exc, UserError)
    if isinstance(exc, SignInRequired) and not _is_api(request):
        return RedirectResponse("/sign-in", status_code=303)
    language = language_of(request, request.scope.get(USER_KEY))
    message = exc.message(language)
    return _respond(request, language, message, exc.status, exc.field, exc.headers)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (no such route, wrong method) in the same shape."""
    assert isinstance(exc, HTTPException)
    language = language_of(request, request.scope.get(USER_KEY))
    msgid = exc.detail
    if not msgid or msgid == HTTPStatus(exc.status_code).phrase:
        msgid = _STATUS_MESSAGES.get(exc.status_code, N_("Something went wrong. Please try again."))
    message = gettext(language, msgid)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return _respond(request, language, message, exc.status_code, None, headers)


def _allowed_methods(request: Request) -> str:
    """Every method of every route at this path (Starlette names only the first route's)."""
    path = request.scope["path"]
    methods = {
        method
        for route in request.app.router.routes
        if isinstance(route, Route) and route.methods and route.path_regex.match(path)
        for method in route.methods
    }
    return ", ".join(sorted(methods))


async def invalid_value(request: Request, exc: Exception) -> Response:
    """A value the database's field rules refuse (e.g. an area code over 20 characters): a 422,
    never a 500, for every route that did not check it first."""
    assert isinstance(exc, ValidationError)
    language = language_of(request, request.scope.get(USER_KEY))
    message = gettext(language, N_("A value is too long or not valid. Check it and try again."))
    return _respond(request, language, message, 422, None)


async def storage_error(request: Request, exc: Exception) -> Response:
    """A full disk: a 503 that says so in the user's language (the write was rolled back, so the
    phone keeps its change and sends it again). Any other database or file error stays a 500."""
    if not is_disk_full(exc):
        raise exc
    _log.error("storage full: %s %s was not saved", request.method, request.scope["path"])
    language = language_of(request, request.scope.get(USER_KEY))
    message = gettext(
        language,
        N_(
            "The server has run out of storage space, so this was not saved. What was saved "
            "before is safe, and the app sends its changes again later. Please tell the "
            "administrator."
        ),
    )
    return _respond(request, language, message, 503, None, {"Retry-After": "300"})


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _respond(
    request: Request,
    language: str,
    message: str,
    status: int,
    field: str | None,
    headers: dict[str, str] | None = None,
) -> Response:
    if _is_api(request):
        body = {"error": {"message": message, "field": field}}
        return JSONResponse(body, status_code=status, headers=headers)
    try:
        page = render(request, "error.html", {"message": message}, language, status)
        page.headers.update(headers or {})
        return page
    except Exception:  # the error page itself failed: say it plainly
        return HTMLResponse(message, status_code=status, headers=headers)
