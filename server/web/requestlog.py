"""One log line per request, with a request id, and the request metrics (docs/operations.md).

The line names the route template (`/api/v1/households/{id}`), never the raw path or the query
string, so no phone number, name or token typed into a URL reaches the log. The request id is
the caller's `X-Request-ID` when it is short and plain, else a new one; the response carries it.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.ops import metrics

log = logging.getLogger("langso.request")
REQUEST_ID_HEADER = b"x-request-id"
_MAX_ID = 64
_ID_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")
_UNMATCHED = "(unmatched)"  # a path no route knows: one label for all of them


def request_id(scope: Scope) -> str:
    """The caller's X-Request-ID when it is sane (1-64 of [A-Za-z0-9-_.:]), else a new one."""
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            text: str = value.decode("latin-1")
            if 0 < len(text) <= _MAX_ID and set(text) <= _ID_CHARACTERS:
                return text
            break
    return secrets.token_hex(8)


def route_template(scope: Scope) -> str:
    """The path template of the route that answered (`/static` for a static file)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else _UNMATCHED


class RequestLogMiddleware:
    """Log each HTTP request once it is answered, count it, and return its request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id(scope)
        status = 500  # unless a response starts

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(n, v) for n, v in message.get("headers", ()) if n != REQUEST_ID_HEADER]
                message = {**message, "headers": [*headers, (REQUEST_ID_HEADER, rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            seconds = time.perf_counter() - started
            method, route = scope.get("method", "GET"), route_template(scope)
            metrics.REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            metrics.LATENCY.labels(method=method, route=route).observe(seconds)
            log.info(
                "%s %s %s %s %.1fms",
                rid,
                method,
                route,
                status,
                seconds * 1000,
                extra={
                    "request_id": rid,
                    "method": method,
                    "route": route,
                    "status": status,
                    "ms": round(seconds * 1000, 1),
                },
            )


_FIELDS = ("request_id", "method", "route", "status", "ms")


class JsonLines(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: getattr(record, key) for key in _FIELDS if hasattr(record, key)})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


_MARK = "langso_handler"


def configure_logging(log_format: str) -> None:
    """Send the `langso.*` loggers' INFO lines to stderr, as text or JSON lines (once per process).

    The libraries' loggers stay at WARNING: Tortoise's and asyncpg's DEBUG lines hold SQL
    parameters (personal data), httpx's INFO lines the URLs the push sender calls (each
    subscription's endpoint, a secret of the phone's).
    """
    root = logging.getLogger("langso")
    root.setLevel(logging.INFO)
    for logger_name in (
        "tortoise",
        "tortoise.db_client",
        "asyncpg",
        "aiosqlite",
        "httpx",
        "httpcore",
    ):
        logging.getLogger(logger_name).setLevel(logging.WARNING)
    handler = next((h for h in root.handlers if getattr(h, _MARK, False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    handler.setFormatter(
        JsonLines()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
