"""Every body is capped by its route before it is read (issue 11, finding 3).

The app is called as raw ASGI so the test sees exactly how much of the body it asked for: a body
over the limit is answered 413 in the one error shape, and the rest is never read.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import current_user
from server.web import limits
from server.web.middleware import BodyLimitMiddleware
from tests.api.html import csrf
from tests.data import COMMUNE_A

CHUNK = 64 * 1024
# An app that reads past this has no limit at all: fail instead of reading forever.
NEVER_READ = 2 * limits.SYNC_PUSH_BYTES


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    chunks_read: int
    bytes_read: int
    more_body: bool = field(default=True)

    def json(self) -> Any:
        return orjson.loads(self.body)


def _endless(chunk: bytes = b"x" * CHUNK) -> Iterator[bytes]:
    while True:
        yield chunk


async def _call(
    app: Starlette,
    method: str,
    path: str,
    headers: dict[str, str],
    chunks: Iterator[bytes],
    total: int | None = None,
) -> Answer:
    """Send `chunks` (at most `total` bytes when given) and count how many the app asked for."""
    read = {"chunks": 0, "bytes": 0}
    sent: list[dict[str, Any]] = []
    remaining = total

    async def receive() -> dict[str, Any]:
        nonlocal remaining
        assert read["bytes"] < NEVER_READ, "the app kept reading a body over every limit"
        chunk = next(chunks)
        if remaining is not None:
            chunk = chunk[:remaining]
            remaining -= len(chunk)
        read["chunks"] += 1
        read["bytes"] += len(chunk)
        more = remaining is None or remaining > 0
        return {"type": "http.request", "body": chunk, "more_body": more}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"host", b"testserver")],
        "client": ("10.9.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    answer_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return Answer(start["status"], answer_headers, body, read["chunks"], read["bytes"])


async def test_anonymous_json_sign_in_with_a_huge_declared_length_is_refused_unread(app):
    headers = {"content-type": "application/json", "content-length": str(400 * 1024 * 1024)}

    answer = await _call(app, "POST", "/api/v1/session", headers, _endless())

    assert answer.status == 413
    assert answer.bytes_read == 0
    assert answer.headers["content-type"] == "application/json"
    error = answer.json()["error"]
    assert "16 KB" in error["message"]


async def test_anonymous_chunked_json_sign_in_stops_being_read_at_the_limit(app):
    headers = {"content-type": "application/json", "accept-language": "vi"}

    answer = await _call(app, "POST", "/api/v1/session", headers, _endless())

    assert answer.status == 413
    assert answer.bytes_read <= limits.ANONYMOUS_BYTES + CHUNK
    assert "16 KB" in answer.json()["error"]["message"]
    assert "quá lớn" in answer.json()["error"]["message"]


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_anonymous_multipart_sign_in_is_refused_before_it_reaches_the_disk(app, declared):
    headers = {"content-type": "multipart/form-data; boundary=XyZ", "accept-language": "en"}
    if declared:
        headers["content-length"] = str(300 * 1024 * 1024)
    part = b'--XyZ\r\nContent-Disposition: form-data; name="phone"\r\n\r\n'
    chunks = itertools.chain([part], _endless())

    answer = await _call(app, "POST", "/sign-in", headers, chunks)

    assert answer.status == 413
    assert answer.bytes_read <= (0 if declared else limits.ANONYMOUS_BYTES + CHUNK)
    assert answer.headers["content-type"].startswith("text/html")
    assert "too large" in answer.body.decode()


async def test_a_forged_bearer_header_does_not_buy_a_larger_body_than_the_api_allows(app):
    headers = {"content-type": "application/json", "authorization": "Bearer not-a-token"}

    answer = await _call(app, "POST", "/api/v1/villages", headers, _endless())

    # Refused as soon as the token is checked, long before the JSON limit.
    assert answer.status == 401
    assert answer.bytes_read == 0


async def test_a_forged_bearer_header_buys_nothing_even_where_the_body_is_read_first(app):
    # A route that reads its body before it asks who is calling (none does today): the limit
    # must still be a visitor's, because the middleware checks the token, not the header.
    reader = _without_cookies(
        BodyLimitMiddleware(
            _read_everything, limits=limits.BodyLimits(upload_bytes=0), identify=current_user
        )
    )
    headers = {"content-type": "application/json", "authorization": "Bearer not-a-token"}

    answer = await _call(reader, "POST", "/api/v1/villages", headers, _endless())

    assert answer.status == 413
    assert answer.bytes_read <= limits.ANONYMOUS_BYTES + CHUNK


async def test_a_real_token_is_checked_once_and_buys_the_routes_limit(app, user, village):
    member = await user(roles.MEMBER, (await village()).code)
    token = await accounts.issue_token(member)
    reader = _without_cookies(
        BodyLimitMiddleware(
            _read_everything, limits=limits.BodyLimits(upload_bytes=0), identify=current_user
        )
    )
    body = b"x" * (limits.ANONYMOUS_BYTES * 4)
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}

    answer = await _call(reader, "POST", "/api/v1/villages", headers, iter([body]), len(body))

    assert answer.status == 200
    assert answer.body == str(len(body)).encode()


def _without_cookies(inner: Any) -> Any:
    """What the session middleware gives a request that has no cookie: an empty session."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await inner({**scope, "session": {}}, receive, send)

    return app


async def _read_everything(scope: Any, receive: Any, send: Any) -> None:
    """A careless route: read the whole body, then answer its length."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    await PlainTextResponse(str(size))(scope, receive, send)


async def test_a_members_push_over_the_sync_limit_is_refused_while_streaming(app, user, village):
    member = await user(roles.MEMBER, (await village()).code)
    token = await accounts.issue_token(member)
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}

    answer = await _call(app, "POST", "/api/v1/sync/push", headers, _endless())

    assert answer.status == 413
    assert limits.SYNC_PUSH_BYTES < answer.bytes_read <= limits.SYNC_PUSH_BYTES + CHUNK
    assert answer.json()["error"]["message"]


async def test_a_json_call_over_its_limit_is_refused_by_its_declared_length(app, user, village):
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    token = await accounts.issue_token(coordinator)
    headers = {
        "content-type": "application/json",
        "authorization": f"Bearer {token}",
        "content-length": str(limits.JSON_BYTES + 1),
    }

    answer = await _call(app, "POST", "/api/v1/villages", headers, _endless())

    assert answer.status == 413
    assert answer.bytes_read == 0


async def test_a_body_within_its_limit_is_read_whole(app, user, village):
    member = await user(roles.MEMBER, (await village()).code)
    token = await accounts.issue_token(member)
    body = orjson.dumps({"device_id": "d-limits", "mutations": []})
    headers = {
        "content-type": "application/json",
        "authorization": f"Bearer {token}",
        "content-length": str(len(body)),
    }

    answer = await _call(app, "POST", "/api/v1/sync/push", headers, iter([body]), len(body))

    assert answer.status == 200, answer.body
    assert answer.json() == {"results": []}


async def test_a_page_form_refuses_files_and_too_many_fields(signed_in, user):
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await signed_in(coordinator)
    token = csrf(await browser.get("/manage/villages"))

    with_file = await browser.post(
        "/manage/villages", data={"csrf_token": token}, files={"f": ("a.txt", b"hello")}
    )
    many = {"csrf_token": token} | {f"f{n}": "x" for n in range(limits.FORM_MAX_FIELDS + 1)}
    too_many = await browser.post("/manage/villages", data=many)

    assert with_file.status_code == 400
    assert too_many.status_code == 400
