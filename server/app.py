"""The application factory: routes from each domain, sessions, the ORM in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from http import HTTPStatus
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from tortoise.contrib.starlette import RegisterTortoise

from server import curriculum, data_lock, openapi
from server.accounts import routes as accounts_routes
from server.areas import routes as areas_routes
from server.assignments import routes as assignments_routes
from server.checklists import routes as checklists_routes
from server.coverage import routes as coverage_routes
from server.db import tortoise_config
from server.i18n import N_, gettext
from server.lessons import report_routes as lesson_report_routes
from server.lessons import routes as lesson_routes
from server.notifications import routes as notifications_routes
from server.notifications import services as notifications
from server.paging import PagingError
from server.review import routes as review_routes
from server.settings import REPO_ROOT, Settings
from server.shell import routes as shell_routes
from server.sync import routes as sync_routes
from server.teams import routes as teams_routes
from server.templating import render
from server.web import SignInRequired, language_of

STATIC_DIR = REPO_ROOT / "pwa" / "static"


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the ASGI app for `settings` (default: from the environment)."""
    settings = settings or Settings.from_env()
    curriculum.configure(settings.content_dir)
    notifications.configure(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # One server per SQLite data folder (docs/security.md, "Operations").
        alone = nullcontext() if settings.is_postgres else data_lock.serving(settings.data_dir)
        with alone:
            async with RegisterTortoise(
                app, config=tortoise_config(settings), _enable_global_fallback=True
            ):
                yield
                await notifications.drain()

    routes = [
        *accounts_routes.routes,
        *areas_routes.routes,
        *coverage_routes.routes,
        *sync_routes.routes,
        *review_routes.routes,
        *teams_routes.routes,
        *assignments_routes.routes,
        *checklists_routes.routes,
        *notifications_routes.routes,
        *shell_routes.routes,
        *lesson_routes.routes,
        *lesson_report_routes.routes,
        *openapi.routes,
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie="langso_session",
            same_site="lax",
            https_only=settings.secure_cookies,
            max_age=60 * 60 * 24 * 30,
        )
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            HTTPException: _http_error,  # type: ignore[dict-item]
            SignInRequired: _sign_in_first,  # type: ignore[dict-item]
            PagingError: _bad_paging,  # type: ignore[dict-item]
        },
    )
    app.state.settings = settings
    return app


_STATUS_MESSAGES = {
    404: N_("This page does not exist."),
    405: N_("This action is not allowed here."),
}


async def _sign_in_first(request: Request, exc: SignInRequired) -> Response:
    """A page for signed-in users only: go and sign in."""
    return RedirectResponse("/sign-in", status_code=303)


async def _bad_paging(request: Request, exc: PagingError) -> Response:
    """A page number, limit or offset that makes no sense: a 400 in the user's language."""
    language = language_of(request, request.scope.get("langso_user"))
    return _error(request, language, exc.message(language), exc.status, {"field": exc.field})


async def _http_error(request: Request, exc: HTTPException) -> Response:
    """Errors in the user's language: JSON under /api/, a page elsewhere."""
    language = language_of(request, request.scope.get("langso_user"))
    msgid = exc.detail
    if not msgid or msgid == HTTPStatus(exc.status_code).phrase:
        msgid = _STATUS_MESSAGES.get(exc.status_code, N_("Something went wrong. Please try again."))
    message = gettext(language, msgid)
    headers = dict(exc.headers or {})
    return _error(request, language, message, exc.status_code, headers=headers)


def _error(
    request: Request,
    language: str,
    message: str,
    status: int,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error in the user's language: JSON under /api/ (with `extra`), a page elsewhere."""
    if request.url.path.startswith("/api/"):
        body = {"error": message, **(extra or {})}
        return JSONResponse(body, status_code=status, headers=headers)
    try:
        return render(request, "error.html", {"message": message}, language, status)
    except Exception:
        return HTMLResponse(message, status_code=status, headers=headers)
