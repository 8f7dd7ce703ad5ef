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
import traceback
from typing import Any

from starlette.responses import PlainTextResponse
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
        status, answered = 500, False  # unless a response starts

        async def tagged(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
                headers = [(n, v) for n, v in message.get("headers", ()) if n != REQUEST_ID_HEADER]
                message = {**message, "headers": [*headers, (REQUEST_ID_HEADER, rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        except Exception:
            if not answered:  # the 500 carries the id the person can quote
                await PlainTextResponse("Internal Server Error", status_code=500)(
                    scope, receive, tagged
                )
            raise  # uvicorn logs it, through `WithheldMessages`
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
        if record.exc_text:
            entry["error"] = record.exc_text
        elif record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class WithheldMessages(logging.Filter):
    """Log a traceback's frames and the exception's type, never its message.

    An exception's message can quote the data that caused it (PostgreSQL's "Key (phone)=(…)
    already exists"), so uvicorn's "Exception in ASGI application" lines keep where it happened
    and what kind of error it was, and withhold the rest.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            frames = "".join(traceback.format_tb(error.__traceback__))
            kind = type(error).__module__ + "." + type(error).__qualname__
            record.exc_text = (
                f"Traceback (most recent call last):\n{frames}{kind}: "
                "(message withheld: it may quote personal data)"
            )
        return True


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
    uvicorn_errors = logging.getLogger("uvicorn.error")  # its "Exception in ASGI application"
    if not any(isinstance(f, WithheldMessages) for f in uvicorn_errors.filters):
        uvicorn_errors.addFilter(WithheldMessages())
    handler = next((h for h in root.handlers if getattr(h, _MARK, False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        setattr(handler, _MARK, True)
        handler.addFilter(WithheldMessages())  # e.g. langso.push's failed batch
        root.addHandler(handler)
    handler.setFormatter(
        JsonLines()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
