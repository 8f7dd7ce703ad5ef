"""Web push end to end: a push service listens on 127.0.0.1 and decrypts what the server sends.

The device's keys are made here (P-256 key pair and 16-byte auth secret, as a browser makes
them); the body is decrypted with `http_ece` (RFC 8188/8291, an implementation independent of
the `webpush` package that encrypts it) and the VAPID JWT is checked with PyJWT against the key
the API hands out.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from server.accounts import roles
from server.i18n import N_
from server.lessons.models import Lesson, LessonVersion
from server.lessons.services import publish
from server.notifications import messages, services
from server.notifications.models import PushSubscription
from server.notifications.sender import MAX_BODY, MAX_PLAINTEXT, PayloadTooLarge, build_request
from server.settings import Settings
from tests.api import push_service
from tests.api.push_service import Device, PushService, b64url_decode
from tests.data import COMMUNE_A, COMMUNE_B


@pytest.fixture(scope="module")
def push_server() -> Iterator[PushService]:
    service, server, thread = push_service.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def _localhost_endpoints(app: Any, settings: Settings) -> Iterator[None]:
    """These tests run with LANGSO_PUSH_ALLOW_LOCALHOST=1, as a developer's machine would."""
    services.configure(replace(settings, push_allow_localhost=True))
    yield
    services.configure(settings)


async def _subscribe(client: Any, headers: dict[str, str], device: Device) -> None:
    response = await client.post(
        "/api/v1/push/subscriptions", json=device.subscription(), headers=headers
    )
    assert response.status_code == 201, response.text


def _decrypt(device: Device, body: bytes) -> dict[str, Any]:
    plaintext = http_ece.decrypt(
        body, private_key=device.private_key, auth_secret=device.auth_secret, version="aes128gcm"
    )
    data: dict[str, Any] = json.loads(plaintext)
    return data


async def test_a_member_gets_a_push_the_device_can_decrypt(
    client, login, user, village, push_server
):
    member = await user(roles.MEMBER, (await village()).code)
    headers = await login(member)
    device = push_server.device(status=201)
    await _subscribe(client, headers, device)
    key = (await client.get("/api/v1/push/key", headers=headers)).json()["key"]

    await services.notify_users([member.id], messages.test_message())
    await services.drain()

    [request] = push_server.to(device)
    assert request.headers["Content-Encoding"] == "aes128gcm"
    assert request.headers["TTL"] == str(2 * 24 * 3600)
    assert len(request.body) <= MAX_BODY
    assert request.body[16:20] == (4096).to_bytes(4, "big")  # rs
    assert request.body[20] == 65  # the sender's public key follows as keyid
    assert _decrypt(device, request.body) == {
        "title": "Thông báo Làng Số đã hoạt động",
        "body": "Điện thoại này sẽ được báo khi có bài học mới.",
        "url": "/app#/settings",
        "tag": "test",
        "lang": "vi",
    }
    scheme, _, params = request.headers["Authorization"].partition(" ")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert scheme == "vapid"
    assert fields["k"] == key
    server_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    # webpush writes the audience as scheme://host, without the port; real push services are on
    # https's default port, where that is the origin (the endpoint rule refuses other ports).
    claims = jwt.decode(fields["t"], server_key, algorithms=["ES256"], audience="http://127.0.0.1")
    assert claims["sub"] == "mailto:admin@langso.invalid"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    row = await PushSubscription.get(endpoint=device.endpoint)
    assert row.last_sent_at is not None and row.failures == 0


async def test_each_user_reads_the_push_in_their_language(
    client, login, user, village, push_server
):
    member = await user(roles.MEMBER, (await village()).code, language="en")
    device = push_server.device()
    await _subscribe(client, await login(member), device)

    report = await services.send_to_users([member.id], messages.lesson_published("x", "VNeID"))

    assert report.sent == 1
    [request] = push_server.to(device)
    data = _decrypt(device, request.body)
    assert data["title"] == "New lesson"
    assert data["body"] == "“VNeID” is on your phone now. You can read it even without signal."
    assert data["lang"] == "en"


@pytest.mark.parametrize("status", [404, 410])
async def test_an_expired_subscription_is_removed(
    client, login, user, village, push_server, status
):
    member = await user(roles.MEMBER, (await village()).code)
    gone, alive = push_server.device(status=status), push_server.device(status=201)
    headers = await login(member)
    await _subscribe(client, headers, gone)
    await _subscribe(client, headers, alive)

    report = await services.send_to_users([member.id], messages.test_message())

    assert (report.gone, report.sent) == (1, 1)
    assert len(push_server.to(gone)) == 1
    assert not await PushSubscription.exists(endpoint=gone.endpoint)
    assert await PushSubscription.exists(endpoint=alive.endpoint)


async def test_a_rate_limited_subscription_waits_for_retry_after(
    client, login, user, village, push_server
):
    member = await user(roles.MEMBER, (await village()).code)
    device = push_server.device(status=429, headers={"Retry-After": "120"})
    await _subscribe(client, await login(member), device)

    first = await services.send_to_users([member.id], messages.test_message())
    second = await services.send_to_users([member.id], messages.test_message())

    assert (first.rate_limited, second.deferred) == (1, 1)
    assert len(push_server.to(device)) == 1  # the second message was not sent before Retry-After
    row = await PushSubscription.get(endpoint=device.endpoint)
    assert row.retry_after is not None
    wait = row.retry_after - datetime.now(UTC)
    assert timedelta(seconds=100) < wait <= timedelta(seconds=120)
    # When the time has come, the next message goes out again.
    await PushSubscription.filter(id=row.id).update(retry_after=datetime.now(UTC))
    push_server.answers[device.endpoint.removeprefix(push_server.base_url)] = (201, {})
    third = await services.send_to_users([member.id], messages.test_message())
    assert third.sent == 1
    assert (await PushSubscription.get(id=row.id)).retry_after is None


async def test_a_failing_push_service_is_counted(client, login, user, village, push_server):
    member = await user(roles.MEMBER, (await village()).code)
    device = push_server.device(status=500)
    await _subscribe(client, await login(member), device)

    for _ in range(2):
        report = await services.send_to_users([member.id], messages.test_message())
        assert report.failed == 1

    row = await PushSubscription.get(endpoint=device.endpoint)
    assert (row.failures, row.last_error) == (2, "HTTP 500")


async def test_an_oversized_push_is_refused_before_anything_is_sent(
    client, login, user, village, push_server
):
    member = await user(roles.MEMBER, (await village()).code)
    device = push_server.device()
    await _subscribe(client, await login(member), device)
    huge = messages.Message(title=N_("New lesson"), body="%(title)s", params={"title": "á" * 2000})

    with pytest.raises(PayloadTooLarge, match=r"payload is 4\d{3} bytes; at most 3993 bytes"):
        await services.notify_users([member.id], huge)
    await services.drain()

    assert push_server.to(device) == []


def test_the_size_limit_is_on_the_encrypted_body(push_server):
    """3993 bytes of plaintext make exactly the 4096-byte body push services must accept."""
    device = push_server.device()
    keys = device.subscription()["keys"]
    target = services.Target(device.endpoint, keys["p256dh"], keys["auth"])
    vapid = services.config().vapid

    request = build_request(vapid, target, b"x" * MAX_PLAINTEXT)

    assert len(request.body) == MAX_BODY == 4096
    plaintext = http_ece.decrypt(
        request.body,
        private_key=device.private_key,
        auth_secret=device.auth_secret,
        version="aes128gcm",
    )
    assert plaintext == b"x" * MAX_PLAINTEXT
    with pytest.raises(PayloadTooLarge):
        build_request(vapid, target, b"x" * (MAX_PLAINTEXT + 1))


def test_each_request_gets_its_own_ttl(push_server):
    """webpush keeps a per-call ttl on its instance; ours never leaks into the next message."""
    device = push_server.device()
    keys = device.subscription()["keys"]
    target = services.Target(device.endpoint, keys["p256dh"], keys["auth"])
    vapid = services.config().vapid

    short = build_request(vapid, target, b"{}", ttl=60)
    default = build_request(vapid, target, b"{}")
    zero = build_request(vapid, target, b"{}", ttl=0)

    assert (short.headers["TTL"], default.headers["TTL"], zero.headers["TTL"]) == (
        "60",
        str(2 * 24 * 3600),
        "0",
    )


async def test_publishing_a_lesson_notifies_its_audience_only(
    client, login, user, village, push_server
):
    inside = await user(roles.MEMBER, (await village()).code)
    outside_area = await user(roles.MEMBER, (await village(COMMUNE_B)).code)
    trainer = await user(roles.TRAINER, (await village()).code)
    devices = {}
    for who in (inside, outside_area, trainer):
        devices[who.id] = push_server.device()
        await _subscribe(client, await login(who), devices[who.id])
    lesson = await Lesson.create(slug=f"push-{inside.phone}")
    await LessonVersion.create(
        lesson=lesson,
        number=1,
        title="Cảnh giác lừa đảo qua điện thoại",
        body_md="## Nội dung\n\nGọi lại số chính thức trước khi làm theo.",
        # Last in every member's list: other tests look at the first lessons.
        meta={"order": 10_000, "audience_roles": ["member"], "audience_areas": [COMMUNE_A]},
    )

    await publish(lesson, 1)
    await services.drain()

    [request] = push_server.to(devices[inside.id])
    data = _decrypt(devices[inside.id], request.body)
    assert data["title"] == "Bài học mới"
    assert "Cảnh giác lừa đảo qua điện thoại" in data["body"]
    assert data["url"] == f"/app#/lessons/{lesson.slug}"
    assert push_server.to(devices[outside_area.id]) == []
    assert push_server.to(devices[trainer.id]) == []


async def test_the_cli_test_push_reaches_every_device_of_the_user(
    client, login, user, village, push_server
):
    member = await user(roles.MEMBER, (await village()).code)
    phone, laptop = push_server.device(), push_server.device()
    for device in (phone, laptop):
        await _subscribe(client, await login(member), device)

    result = await services.send_test(member.phone)

    assert result is not None
    devices, report = result
    assert (devices, report.sent) == (2, 2)
    assert _decrypt(laptop, push_server.to(laptop)[0].body)["tag"] == "test"
    assert await services.send_test("0999 999 999") is None
