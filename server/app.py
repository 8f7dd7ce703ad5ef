"""The application factory: routes from each domain, sessions, the ORM in the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext, suppress

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.exceptions import ValidationError

from server import data_lock
from server.access import routes as access_routes
from server.accounts import gate, home, passwords
from server.accounts import routes as accounts_routes
from server.assignments import routes as assignments_routes
from server.checklists import routes as checklists_routes
from server.content import curriculum
from server.coverage import routes as coverage_routes
from server.db.config import tortoise_config
from server.db.disk import STORAGE_ERRORS
from server.dossier import routes as dossier_routes
from server.errors import UserError
from server.imports import routes as import_routes
from server.lessons import media
from server.lessons import report_routes as lesson_report_routes
from server.lessons import routes as lesson_routes
from server.notifications import routes as notifications_routes
from server.notifications import services as notifications
from server.openapi import spec as openapi
from server.ops import routes as ops_routes
from server.privacy import routes as privacy_routes
from server.privacy import sweep as retention
from server.review import routes as review_routes
from server.rights import incident_routes, reminders
from server.rights import routes as rights_routes
from server.settings import PWA_DIR, Settings
from server.shell import routes as shell_routes
from server.sync import routes as sync_routes
from server.sync import services as sync_services
from server.syncable import writes
from server.teams import routes as teams_routes
from server.teams import village_routes
from server.web.compression import CompressedStaticFiles, compress_responses
from server.web.errors import http_error, invalid_value, storage_error, user_error
from server.web.limits import BodyLimits
from server.web.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from server.web.requestlog import RequestLogMiddleware, configure_logging

STATIC_DIR = PWA_DIR / "static"


def create_app(settings: Settings | None = None, *, periodic: bool = False) -> Starlette:
    """Build the ASGI app for `settings` (default: from the environment).

    `periodic` runs the server's own timed work while it serves (the data request reminders, the
    daily retention sweep):
    `server.asgi`, which `langso serve` runs, turns it on; tests and benchmarks leave it off.
    """
    settings = settings or Settings.from_env()
    curriculum.configure(settings.content_dir)
    notifications.configure(settings)
    writes.plug(sync_services.server_write, sync_services.server_writes)
    passwords.configure(settings.password_hash_cost)
    home.plug("data_requests", rights_routes.home_panel)
    configure_logging(settings.log_format)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # One server per SQLite data folder (docs/security.md, "Operations").
        alone = nullcontext() if settings.is_postgres else data_lock.serving(settings.data_dir)
        with alone:
            async with RegisterTortoise(
                app, config=tortoise_config(settings), _enable_global_fallback=True
            ):
                # Periodic work, only in `serve` (server/asgi.py): pushes about data requests that
                # became due soon or overdue (rights/reminders.py); the retention sweep once a day,
                # one worker at a time (privacy/sweep.py).
                loop = asyncio.get_running_loop()
                periodic_tasks = (
                    [
                        loop.create_task(reminders.keep_reminding()),
                        loop.create_task(retention.daily(settings.access_log_days)),
                    ]
                    if periodic
                    else []
                )
                try:
                    yield
                finally:
                    for task in periodic_tasks:
                        task.cancel()
                    for task in periodic_tasks:
                        with suppress(asyncio.CancelledError):
                            await task
                await notifications.drain()

    routes = [
        *accounts_routes.routes,
        *village_routes.routes,
        *import_routes.routes,
        *coverage_routes.routes,
        *sync_routes.routes,
        *review_routes.routes,
        *privacy_routes.routes,
        *dossier_routes.routes,
        *access_routes.routes,
        *teams_routes.routes,
        *assignments_routes.routes,
        *checklists_routes.routes,
        *notifications_routes.routes,
        *rights_routes.routes,
        *incident_routes.routes,
        *shell_routes.routes,
        *lesson_routes.routes,
        *lesson_report_routes.routes,
        *openapi.routes,
        *ops_routes.routes,
        Mount("/static", CompressedStaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [
        Middleware(RequestLogMiddleware),  # outermost: times and logs every answer, even a 413
        compress_responses(),
        Middleware(SecurityHeadersMiddleware, https=settings.secure_cookies),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            # Behind https the browser binds the cookie to this host, path / and Secure.
            session_cookie="__Host-langso_session" if settings.secure_cookies else "langso_session",
            same_site="lax",
            https_only=settings.secure_cookies,
            max_age=60 * 60 * 24 * 30,
        ),
        # Inside the session (a signed-in user gets more than a visitor), before any route.
        Middleware(
            BodyLimitMiddleware,
            limits=BodyLimits(upload_bytes=media.MAX_UPLOAD_BYTES),
            identify=gate.current_user,
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            UserError: user_error,
            HTTPException: http_error,
            ValidationError: invalid_value,
            **dict.fromkeys(STORAGE_ERRORS, storage_error),
        },
    )
    app.state.settings = settings
    return app
