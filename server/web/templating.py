"""Jinja2 templates from pwa/templates, translated with the request's language."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from server import __version__
from server.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    format_datetime,
    format_day,
    format_number,
    translations,
)
from server.settings import PWA_DIR
from server.web.requests import csrf_token

TEMPLATES_DIR = PWA_DIR / "templates"
_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def _gettext(message: str, **params: Any) -> str:
    text = translations(_language.get()).gettext(message)
    return text % params if params else text


def _ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(_language.get()).ngettext(singular, plural, n)
    return text % {"num": n, **params}


def _with_query(request: Request, **changes: object) -> str:
    """This page's address with some query parameters changed; a None or "" removes one."""
    params = {key: value for key, value in request.query_params.items() if key != "done"}
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return request.url.path + (f"?{urlencode(params)}" if params else "")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["number"] = lambda value: format_number(_language.get(), value)
    env.filters["datetime"] = lambda value: (
        format_datetime(_language.get(), value) if isinstance(value, datetime) else ""
    )
    env.filters["date"] = lambda value: (
        format_day(_language.get(), value) if isinstance(value, datetime) else ""
    )
    env.globals["with_query"] = _with_query
    env.globals["app_version"] = __version__
    env.globals["languages"] = LANGUAGES
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    language: str,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page (or, for htmx, the fragment it asks for) in `language`."""
    _language.set(language)
    full = {"language": language, "csrf_token": csrf_token(request), **context}
    return templates.TemplateResponse(request, name, full, status_code=status_code)
