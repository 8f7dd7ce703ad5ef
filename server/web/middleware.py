"""Pure ASGI middleware around every request: body limits (`web/limits.py`), security headers.

A declared Content-Length over the route's limit is answered 413 without reading a byte; a chunked
body (no length) is counted as it streams, and the read that passes the limit raises
`BodyTooLarge`, which the one error handler answers. A body larger than a visitor's is allowed only
after `identify` (the gate, plugged in by the app factory) has checked the token or session; the
user it finds is kept in the scope, so the route does not look again. docs/security.md lists every
header.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import Unreadable, UserError
from server.i18n import N_
from server.web.compression import BodyNotReadable, Inflater
from server.web.errors import user_error
from server.web.limits import BodyLimits, BodyTooLarge, has_credentials

Identify = Callable[[Request], Awaitable[object | None]]
# Methods whose requests carry no body in practice: never worth a token check here.
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyLimitMiddleware:
    """Answer 413 as soon as a body passes its route's limit; never read the rest."""

    def __init__(self, app: ASGIApp, limits: BodyLimits, identify: Identify | None = None) -> None:
        self.app = app
        self.limits = limits
        self.identify = identify

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.anonymous_bytes
        declared = _content_length(scope)
        may_be_larger = declared is None or declared > limit
        if may_be_larger and await self._signed_in(scope, receive, declared):
            limit = self.limits.for_signed_in(scope["path"])
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, BodyTooLarge(limit))
            return
        encoding = _content_encoding(scope)
        if encoding not in ("", "identity", "gzip"):
            await self._refuse(scope, receive, send, _UNKNOWN_ENCODING)
            return
        inflater = Inflater(limit) if encoding == "gzip" else None
        if inflater is not None:  # the route reads the inflated body: its own length is unknown
            dropped = (b"content-encoding", b"content-length")
            scope = {**scope, "headers": [h for h in scope["headers"] if h[0] not in dropped]}
        received = inflated = 0

        async def counted() -> Message:
            nonlocal received, inflated
            message = await receive()
            if message["type"] != "http.request":
                return message
            body = message.get("body", b"")
            received += len(body)
            if received > limit:
                raise BodyTooLarge(limit)
            if inflater is not None:
                try:
                    body = inflater.feed(body)
                    if not message.get("more_body", False):
                        body += inflater.finish()
                except BodyNotReadable as error:
                    raise Unreadable(_NOT_GZIP) from error
                inflated += len(body)
                if inflated > limit:
                    raise BodyTooLarge(limit)
                message = {**message, "body": body}
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except (BodyTooLarge, Unreadable) as error:  # read outside a route (inside: its handler)
            if started:
                raise
            await self._refuse(scope, receive, send, error)

    async def _signed_in(self, scope: Scope, receive: Receive, declared: int | None) -> bool:
        """Whether a checked user sends this body (an unchecked header buys nothing)."""
        if not has_credentials(scope):
            return False
        if declared is None and scope["method"] in _BODILESS:
            return False  # a page or a file: no body, and no lookup for it
        if self.identify is None:
            return True
        try:
            return await self.identify(Request(scope, receive)) is not None
        except UserError:  # e.g. a cookie-signed API call without its CSRF header
            return False  # the route refuses it again, in its own words

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, error: UserError) -> None:
        request = Request(scope, receive)
        response = await user_error(request, error)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


_UNKNOWN_ENCODING = UserError(
    N_("This way of compressing a request is not accepted. Send it as it is, or gzip it."),
    status=415,
)
_NOT_GZIP = N_("The request could not be read: it is not valid gzip.")


def _content_encoding(scope: Scope) -> str:
    """The request body's Content-Encoding, lower case ("" when none)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-encoding":
            return str(value.decode("latin-1")).strip().lower()
    return ""


def _content_length(scope: Scope) -> int | None:
    """The declared length; an unreadable one counts as too large."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 19 else 2**63
    return None


# A strict policy: our own scripts, styles and pictures only; nothing inline, nothing framed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), interest-cohort=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(https: bool) -> list[tuple[bytes, bytes]]:
    """The headers every response carries (HSTS only when the public URL is https)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return [(name.lower().encode(), value.encode()) for name, value in headers.items()]


class SecurityHeadersMiddleware:
    """Add the browser security headers to every response: pages, API and static files."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.headers = security_headers(https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                extra = [(n, v) for n, v in self.headers if n not in present]
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
