"""A lean HTTP/1.1 client for the simulated devices: one kept-alive connection, orjson bodies.

The devices share the machine's two cores with the systems they measure, so every
millisecond the load generator spends is taken from the server under test. httpx costs
about 1.3 ms of CPU per request here; this client, which only speaks what the benchmark
needs (one connection, `Content-Length` or chunked answers, no redirects, no cookies),
costs a fraction of that. Every system in the benchmark is driven through it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson


class HttpError(Exception):
    """The connection failed, closed early, or the answer could not be read."""


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]  # names in lower case
    content: bytes = field(repr=False)

    def json(self) -> Any:
        return orjson.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class Connection:
    """One device's kept-alive connection to `base_url` (e.g. `http://127.0.0.1:8000/api/v1`)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 120.0,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"only http:// addresses: {base_url}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.headers = dict(headers or {})
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self.resent = 0  # requests sent again on a fresh connection after a stale one failed
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        raw: bytes | None = None,
    ) -> Response:
        """Send one request and read its whole answer. A path starting with `/` gets the prefix
        unless it already starts with it (a server's own `Next-Page` link, say). `raw` is a body
        sent as JSON as it is (bench/hostile.py's malformed ones)."""
        target = path if path.startswith(self.prefix + "/") else self.prefix + path
        if params:
            target += ("&" if "?" in target else "?") + urlencode(params)
        body = raw if raw is not None else b"" if json is None else orjson.dumps(json)
        head = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in self.headers.items()]
        if json is not None or raw is not None:
            head.append("Content-Type: application/json")
        if body or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body)}")
        message = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        async with asyncio.timeout(self.timeout):
            return await self._exchange(message, method)

    async def _exchange(self, message: bytes, method: str) -> Response:
        reused = self._writer is not None
        try:
            return await self._once(message, method)
        except (OSError, asyncio.IncompleteReadError, HttpError) as exc:
            await self.close()
            # A server closes an idle kept-alive connection (uvicorn after 5 s, gunicorn after
            # 2 s); a request racing that close fails before any answer. Send it again once.
            if not reused or isinstance(exc, _Answered):
                raise HttpError(f"{type(exc).__name__}: {exc}") from exc
        self.resent += 1
        try:
            return await self._once(message, method)
        except (OSError, asyncio.IncompleteReadError) as exc:
            await self.close()
            raise HttpError(f"{type(exc).__name__}: {exc}") from exc

    async def _once(self, message: bytes, method: str) -> Response:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        self._writer.write(message)
        await self._writer.drain()
        status_line = await self._reader.readline()
        if not status_line:
            raise HttpError("the server closed the connection")
        try:
            status = int(status_line.split(b" ", 2)[1])
            headers: dict[str, str] = {}
            while (line := await self._reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            content = await self._body(headers, method, status)
        except (IndexError, ValueError, asyncio.IncompleteReadError) as exc:
            raise _Answered(f"unreadable answer: {exc}") from exc
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, headers, content)

    async def _body(self, headers: dict[str, str], method: str, status: int) -> bytes:
        assert self._reader is not None
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return b""
        if "content-length" in headers:
            return await self._reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while size := int((await self._reader.readline()).split(b";")[0], 16):
                chunks.append(await self._reader.readexactly(size))
                await self._reader.readline()
            while (await self._reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        content = await self._reader.read()  # delimited by the server closing
        await self.close()
        return content

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


class _Answered(HttpError):
    """The server began to answer: the request may have been applied, so it is not resent."""
