"""The OpenAPI description is valid, and no generated request makes the JSON API fail.

Schemathesis generates the requests (valid and invalid) from `/api/v1/openapi.json`; they are
sent through the shared ASGI app with httpx, with and without a member's bearer token.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema
from starlette.routing import Route

from server.accounts import roles
from server.accounts import services as accounts
from server.openapi.spec import SPEC
from tests.api.fuzz import request_args

EXAMPLES = 30  # per operation and generation mode
_OPERATIONS = [
    (path, method.upper()) for path, methods in SPEC["paths"].items() for method in methods
]


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
        args = request_args(kwargs, token, keep_generated_auth=True)
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
