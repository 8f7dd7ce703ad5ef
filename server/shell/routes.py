"""The member app: its shell page, service worker, manifest and message catalogues."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from server import __version__
from server.i18n import LANGUAGES
from server.shell import services
from server.web.templating import templates

_NO_CACHE = {"Cache-Control": "no-cache"}


async def app_shell(request: Request) -> Response:
    """The same shell for everyone: data comes from the device's own store."""
    html = templates.get_template("app.html").render(
        version=services.shell_version(), app_version=__version__
    )
    return HTMLResponse(html, headers=_NO_CACHE)


async def service_worker(request: Request) -> Response:
    """The service worker, with its cache version and precache list."""
    return Response(
        services.service_worker_source(),
        media_type="text/javascript",
        headers={**_NO_CACHE, "Service-Worker-Allowed": "/"},
    )


async def manifest(request: Request) -> Response:
    """The web app manifest."""
    return JSONResponse(services.manifest(), media_type="application/manifest+json")


async def catalogue(request: Request) -> Response:
    """Client-side strings for one language."""
    language = request.path_params["language"]
    if language not in LANGUAGES:
        return JSONResponse({"error": "unknown language"}, status_code=404)
    return JSONResponse(services.catalogue(language), headers=_NO_CACHE)


routes = [
    Route("/app", app_shell, methods=["GET"]),
    Route("/sw.js", service_worker, methods=["GET"]),
    Route("/manifest.webmanifest", manifest, methods=["GET"]),
    Route("/app/i18n/{language}.json", catalogue, methods=["GET"]),
]
