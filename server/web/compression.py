"""Fewer bytes for phones that pay by the megabyte: compression wherever it pays.

- Static files (`/static/…`): gzip (level 9) and brotli (quality 11) made once per file and kept in
  memory (`CompressedStaticFiles`), served to a browser that asks for them, with
  `Vary: Accept-Encoding` and an ETag of their own; pictures and files under `MIN_BYTES` are
  served as they are. A file changed on disk is compressed again on its next request.
- Everything else (JSON, pages, the app shell, catalogues): `compress_responses` — Starlette's
  gzip per response over `MIN_BYTES`, large ones compressed off the event loop; exports (XLSX is
  already a zip) and pictures are left alone. Browsers ask for brotli only over https; behind a
  proxy, let the proxy compress (docs/performance.md, "Compression").
- Request bodies: `Content-Encoding: gzip` is inflated as it streams (`Inflater`), under the same
  limit as a plain body: web/middleware.py counts what comes out.
"""

from __future__ import annotations

import gzip
import os
import threading
import zlib
from dataclasses import dataclass
from typing import Any

import brotli  # type: ignore[import-untyped]
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

MIN_BYTES = 512  # below this a compressed body is hardly smaller than its headers
COMPRESSIBLE = frozenset({".js", ".mjs", ".css", ".svg", ".json", ".webmanifest", ".html", ".txt"})
# Already compressed, or worth nothing to compress again.
LEFT_ALONE = (
    *DEFAULT_EXCLUDED_CONTENT_TYPES,
    "image/*",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


def compress_responses() -> Middleware:
    """The gzip step for every response that is not a precompressed static file."""
    return Middleware(
        GZipMiddleware, minimum_size=MIN_BYTES, compresslevel=6, exclude_content_types=LEFT_ALONE
    )


def accepted_encoding(headers: Headers) -> str | None:
    """`br` or `gzip` when the request's Accept-Encoding allows it (brotli first), else None."""
    offered: dict[str, float] = {}
    for part in headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        offered[name.strip().lower()] = quality
    for encoding in ("br", "gzip"):
        if offered.get(encoding, offered.get("*", 0.0)) > 0:
            return encoding
    return None


@dataclass(frozen=True)
class _Variants:
    mtime_ns: int
    size: int
    gzip: bytes
    br: bytes


_variants: dict[str, _Variants] = {}  # by file path: shared by every app in the process
_variants_lock = threading.Lock()


def _compressed(path: str, stat: os.stat_result) -> _Variants | None:
    """The file's compressed forms, made once per version of the file; None when not worth it."""
    if os.path.splitext(path)[1].lower() not in COMPRESSIBLE or stat.st_size < MIN_BYTES:
        return None
    known = _variants.get(path)
    if known is not None and (known.mtime_ns, known.size) == (stat.st_mtime_ns, stat.st_size):
        return known
    with open(path, "rb") as file:
        raw = file.read()
    made = _Variants(
        stat.st_mtime_ns,
        stat.st_size,
        gzip.compress(raw, compresslevel=9, mtime=0),
        brotli.compress(raw, quality=11),
    )
    with _variants_lock:
        _variants[path] = made
    return made


class CompressedStaticFiles(StaticFiles):
    """Starlette's static files, sent gzip- or brotli-compressed from memory when asked."""

    def __init__(self, *, directory: str | os.PathLike[str], **options: Any) -> None:
        super().__init__(directory=directory, **options)
        for root, _, names in os.walk(directory):  # compress at start-up, not on a request
            for name in names:
                path = os.path.join(root, name)
                _compressed(path, os.stat(path))

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        plain = FileResponse(full_path, stat_result=stat_result, status_code=status_code)
        variants = _compressed(os.fspath(full_path), stat_result)
        request_headers = Headers(scope=scope)
        encoding = accepted_encoding(request_headers) if variants else None
        if variants is None or encoding is None:  # (the gzip step adds Vary where it matters)
            if self.is_not_modified(plain.headers, request_headers):
                return NotModifiedResponse(plain.headers)
            return plain
        body = variants.br if encoding == "br" else variants.gzip
        headers = {
            "Content-Type": plain.headers["content-type"],
            "Last-Modified": plain.headers["last-modified"],
            "ETag": plain.headers["etag"][:-1] + f'-{encoding}"',
            "Content-Encoding": encoding,
            "Vary": "Accept-Encoding",
        }
        response = Response(body, status_code=status_code, headers=headers)
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response


class BodyNotReadable(ValueError):
    """A compressed request body that does not inflate (or an encoding we do not take)."""


class Inflater:
    """Inflate a gzip request body chunk by chunk, never more than `limit` + 1 bytes in all."""

    def __init__(self, limit: int) -> None:
        self._inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        self._left = limit + 1  # one byte over is enough to know the limit is passed

    def feed(self, chunk: bytes) -> bytes:
        """The next inflated bytes: at most what is left of the limit plus one, so a body that
        inflates past the limit shows it without ever being inflated whole."""
        try:
            out = self._inflate.decompress(chunk, self._left) if self._left > 0 else b""
        except zlib.error as error:
            raise BodyNotReadable(str(error)) from error
        self._left -= len(out)
        return out

    def finish(self) -> bytes:
        """What is left at the end of the body; a cut-off stream is unreadable."""
        if not self._inflate.eof:
            raise BodyNotReadable("the compressed body ends too early")
        return b""
