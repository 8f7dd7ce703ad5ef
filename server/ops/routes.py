"""/healthz, /readyz and /metrics: what a monitor and Prometheus read (docs/operations.md)."""

from __future__ import annotations

import hmac
import ipaddress

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from server.ops import health, metrics
from server.settings import Settings

_NO_STORE = {"Cache-Control": "no-store"}


async def healthz(_request: Request) -> Response:
    """The process answers (nothing else is checked)."""
    return PlainTextResponse("ok\n", headers=_NO_STORE)


async def readyz(request: Request) -> Response:
    """Ready to serve: the database answers, its migrations are current, the disk has room."""
    settings: Settings = request.app.state.settings
    database = await health.database_answers()
    pending = await health.pending_migrations() if database else []
    free = health.free_megabytes(settings.data_dir)
    checks = {
        "database": "ok" if database else "unreachable",
        "migrations": "ok" if database and not pending else f"{len(pending)} pending",
        "disk": "ok" if free >= settings.min_free_disk_mb else "low",
    }
    if not database:
        checks["migrations"] = "unknown"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"ready": ready, "checks": checks}, status_code=200 if ready else 503, headers=_NO_STORE
    )


async def prometheus(request: Request) -> Response:
    """The metrics, for an allowed address or the bearer token only (else 403)."""
    if not _may_read_metrics(request):
        return PlainTextResponse("Forbidden\n", status_code=403, headers=_NO_STORE)
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE, headers=_NO_STORE)


def _may_read_metrics(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        if hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode()):
            return True
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in settings.metrics_allow)


routes = [
    Route("/healthz", healthz, methods=["GET", "HEAD"]),
    Route("/readyz", readyz, methods=["GET", "HEAD"]),
    Route("/metrics", prometheus, methods=["GET"]),
]
