"""The OpenAPI description is valid, and no generated request makes the JSON API fail.

Schemathesis generates the requests (valid and invalid) from `/api/v1/openapi.json`; they are
sent through the shared ASGI app with httpx, with and without a member's bearer token.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema
from starlette.applications import Starlette
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.openapi.spec import SPEC

EXAMPLES = 30  # per operation and generation mode
_addresses = itertools.count(1)
_OPERATIONS = [
    (path, method.upper()) for path, methods in SPEC["paths"].items() for method in methods
]


@pytest_asyncio.fixture(loop_scope="session")
async def fuzz_client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client with its own address (sign-in failures are counted per address), that sees 500s."""
    n = next(_addresses)
    transport = httpx.ASGITransport(
        app=app, client=(f"10.3.{n // 250}.{n % 250 + 1}", 5000), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_openapi_document_describes_every_api_route(app, client):
    response = await client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["openapi"].startswith("3.1")
    served = {
        (route.path, method)
        for route in app.routes
        if isinstance(route, Route) and route.path.startswith("/api/")
        for method in route.methods or ()
        if method != "HEAD" and route.path != "/api/v1/openapi.json"
    }
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    assert served == documented


async def test_openapi_document_is_valid_openapi(client):
    document = (await client.get("/api/v1/openapi.json")).json()

    schemathesis.openapi.from_dict(document).validate()


def _schema(document: dict[str, Any]) -> OpenApiSchema:
    schema = schemathesis.openapi.from_dict(document)
    # NUL characters are covered on their own (PostgreSQL rejects them): see test_accounts.
    schema.config.generation.update(allow_x00=False)
    return schema


def _cases(schema: OpenApiSchema, path: str, method: str) -> list[dict[str, Any]]:
    """Requests for one operation: `EXAMPLES` valid ones and `EXAMPLES` invalid ones."""
    operation = schema[path][method]
    requests: list[dict[str, Any]] = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy(generation_mode=mode))
        def collect(case: schemathesis.Case) -> None:
            requests.append(case.as_transport_kwargs(base_url="http://testserver"))

        collect()
    return requests


def _latin1(value: Any) -> bytes:
    return str(value).encode("latin-1", errors="replace")


def _send_args(kwargs: dict[str, Any], token: str | None) -> dict[str, Any]:
    headers = [
        (_latin1(name), _latin1(value))
        for name, value in kwargs["headers"].items()
        if name.lower() != "authorization" or token is None
    ]
    if token is not None:
        headers.append((b"Authorization", f"Bearer {token}".encode()))
    if kwargs.get("cookies"):
        cookie = "; ".join(f"{k}={v}" for k, v in kwargs["cookies"].items())
        headers.append((b"Cookie", _latin1(cookie)))
    args: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": headers,
        "params": kwargs.get("params") or None,
    }
    if "json" in kwargs:
        args["json"] = kwargs["json"]
    elif "data" in kwargs:
        data = kwargs["data"]
        args["content"] = data.encode() if isinstance(data, str) else data
    return args


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
@pytest.mark.parametrize(("path", "method"), _OPERATIONS)
async def test_generated_requests_never_fail_the_server(
    fuzz_client: httpx.AsyncClient,
    village: Any,
    user: Any,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    method: str,
    signed_in: bool,
) -> None:
    # Keep the run fast: refuse after 8 failures as usual but never sleep before that.
    monkeypatch.setattr(accounts, "SLOW_AFTER", accounts.REFUSE_AFTER)
    member = await user(roles.MEMBER, (await village()).code)
    schema = _schema((await fuzz_client.get("/api/v1/openapi.json")).json())
    documented = set(schema.raw_schema["paths"][path][method.lower()]["responses"])

    problems = []
    for kwargs in _cases(schema, path, method):
        token = await accounts.issue_token(member) if signed_in else None
        args = _send_args(kwargs, token)
        response = await fuzz_client.request(**args)
        request = {k: args[k] for k in ("method", "url", "params") if args[k]}
        request["body"] = args.get("json", args.get("content"))
        if response.status_code >= 500:
            problems.append(f"{response.status_code} for {request}")
        elif str(response.status_code) not in documented:
            problems.append(f"undocumented {response.status_code} for {request}")
        elif response.status_code >= 400 and response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            body = response.json()
            error = body.get("error") if isinstance(body, dict) else None
            if not isinstance(error, dict) or not isinstance(error.get("message"), str):
                problems.append(f"no error message in {body!r} for {request}")
    assert not problems, "\n".join(problems[:10])
