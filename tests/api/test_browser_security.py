"""Browser security (issue 11, finding 11): the JSON API refuses a cookie without its CSRF token
and a body that is not JSON; every response carries the security headers."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from server.accounts import roles
from server.app import create_app
from server.web.middleware import CONTENT_SECURITY_POLICY
from tests.api.html import csrf
from tests.data import COMMUNE_A


async def test_a_cookie_only_unsafe_json_call_without_the_csrf_token_is_refused(signed_in, user):
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await signed_in(coordinator)

    response = await browser.post(
        "/api/v1/villages", json={"commune_code": COMMUNE_A, "name": "Thôn Giả Mạo"}
    )

    assert response.status_code == 403
    # Said as what it is (no form was filled in), in the user's language.
    message = response.json()["error"]["message"]
    assert message.startswith("Lệnh gọi này bị từ chối")
    assert "Biểu mẫu" not in message


async def test_a_cookie_call_with_the_sessions_csrf_token_is_accepted(signed_in, user):
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await signed_in(coordinator)
    token = csrf(await browser.get("/account/password"))

    wrong = await browser.post(
        "/api/v1/villages",
        json={"commune_code": COMMUNE_A, "name": "Xóm Có Mã"},
        headers={"X-CSRF-Token": token + "x"},
    )
    right = await browser.post(
        "/api/v1/villages",
        json={"commune_code": COMMUNE_A, "name": "Xóm Có Mã"},
        headers={"X-CSRF-Token": token},
    )
    reading = await browser.get("/api/v1/villages")

    assert wrong.status_code == 403
    assert right.status_code == 201, right.text
    assert reading.status_code == 200


async def test_a_text_plain_body_is_refused_with_415(client, login, user):
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    headers = await login(coordinator)

    response = await client.post(
        "/api/v1/villages",
        content=b'{"commune_code": "16591", "name": "Thon Van Ban"}',
        headers={**headers, "Content-Type": "text/plain"},
    )
    missing = await client.post(
        "/api/v1/session", content=b'{"phone": "0900000000", "password": "x"}'
    )

    assert response.status_code == 415
    assert response.json()["error"]["message"]
    assert missing.status_code == 415


async def test_bearer_token_calls_need_no_csrf_token(client, login, user):
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    headers = await login(coordinator)

    response = await client.post(
        "/api/v1/villages",
        json={"commune_code": COMMUNE_A, "name": "Thôn Điện Thoại"},
        headers=headers,
    )

    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "path",
    [
        "/sign-in",
        "/app",
        "/api/v1/openapi.json",
        "/api/v1/me",
        "/static/app.css",
        "/sw.js",
        "/nope",
    ],
)
async def test_every_response_carries_the_security_headers(client, path):
    response = await client.get(path)

    headers = response.headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert "geolocation=()" in headers["permissions-policy"]
    assert "strict-transport-security" not in headers  # the tests' public URL is http


async def test_pages_have_no_inline_script_or_style(client):
    page = (await client.get("/sign-in")).text
    shell = (await client.get("/app")).text

    for html in (page, shell):
        assert "style=" not in html
        assert " onclick=" not in html
        for script in html.split("<script")[1:]:
            assert " src=" in script.split(">", 1)[0]


async def test_behind_https_hsts_is_sent_and_the_session_cookie_is_host_bound(app, settings):
    secure = create_app(dataclasses.replace(settings, public_url="https://langso.example"))
    transport = httpx.ASGITransport(app=secure, client=("10.8.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="https://langso.example") as c:
        response = await c.get("/sign-in")

    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-langso_session=")
    assert "secure" in cookie.lower() and "path=/" in cookie.lower()
    assert "domain=" not in cookie.lower()
