"""The push subscription API: who may call it, which endpoints it accepts, idempotence."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from server.accounts import roles
from server.notifications import services
from server.notifications.models import PushSubscription


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _keys() -> dict[str, str]:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {"p256dh": _b64(point), "auth": _b64(os.urandom(16))}


def _subscription(endpoint: str | None = None, **keys: Any) -> dict[str, Any]:
    endpoint = endpoint or f"https://fcm.googleapis.com/fcm/send/{_b64(os.urandom(24))}"
    return {"endpoint": endpoint, "expirationTime": None, "keys": {**_keys(), **keys}}


async def test_signing_in_is_required(client):
    assert (await client.get("/api/v1/push/key")).status_code == 401
    response = await client.post("/api/v1/push/subscriptions", json=_subscription())
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Vui lòng đăng nhập lại."
    response = await client.request(
        "DELETE", "/api/v1/push/subscriptions", json={"endpoint": "https://x.example/"}
    )
    assert response.status_code == 401


async def test_the_key_is_the_vapid_public_key(client, login, user, village, settings):
    headers = await login(await user(roles.MEMBER, (await village()).code))

    key = (await client.get("/api/v1/push/key", headers=headers)).json()["key"]

    private = serialization.load_pem_private_key(settings.vapid_private_key.encode(), None)
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert key == _b64(point) and len(point) == 65


async def test_subscribing_is_idempotent_per_endpoint(client, login, user, village):
    area = (await village()).code
    first, second = await user(roles.MEMBER, area), await user(roles.MEMBER, area)
    body = _subscription()

    created = await client.post("/api/v1/push/subscriptions", json=body, headers=await login(first))
    again = await client.post("/api/v1/push/subscriptions", json=body, headers=await login(first))
    assert (created.status_code, again.status_code) == (201, 200)
    assert await PushSubscription.filter(endpoint=body["endpoint"]).count() == 1

    # The same browser, now signed in as someone else, notifies that person instead.
    moved = await client.post("/api/v1/push/subscriptions", json=body, headers=await login(second))
    assert moved.status_code == 200
    row = await PushSubscription.get(endpoint=body["endpoint"])
    assert row.user_id == second.id  # type: ignore[attr-defined]


async def test_unsubscribing_removes_only_your_own(client, login, user, village):
    area = (await village()).code
    owner, other = await user(roles.MEMBER, area), await user(roles.MEMBER, area)
    body = _subscription()
    await client.post("/api/v1/push/subscriptions", json=body, headers=await login(owner))

    by_other = await client.request(
        "DELETE",
        "/api/v1/push/subscriptions",
        json={"endpoint": body["endpoint"]},
        headers=await login(other),
    )
    assert by_other.status_code == 204
    assert await PushSubscription.exists(endpoint=body["endpoint"])

    by_owner = await client.request(
        "DELETE",
        "/api/v1/push/subscriptions",
        json={"endpoint": body["endpoint"]},
        headers=await login(owner),
    )
    assert by_owner.status_code == 204
    assert not await PushSubscription.exists(endpoint=body["endpoint"])

    # Already gone, or never stored (too long to have been accepted): still done.
    for endpoint in (body["endpoint"], "https://fcm.googleapis.com/" + "a" * 3000):
        again = await client.request(
            "DELETE",
            "/api/v1/push/subscriptions",
            json={"endpoint": endpoint},
            headers=await login(owner),
        )
        assert again.status_code == 204


ADDRESS_REFUSED = (
    "Địa chỉ gửi thông báo này không thuộc dịch vụ thông báo nào được chấp nhận. "
    "Hãy bật lại thông báo."
)


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # not https
        "https://169.254.169.254/latest/meta-data/",  # an address, not a push service
        "https://10.0.0.7/push",
        "https://[::1]/push",
        "https://internal.example.vn/admin",  # not a push service
        "https://fcm.googleapis.com:8443/fcm/send/abc",  # another port
        "https://user:pw@fcm.googleapis.com/fcm/send/abc",  # a user name
        "https://fcm.googleapis.com.evil.example/x",  # only looks like one
        "https://push.services.mozilla.com.evil.example/x",
        "https://evilpush.services.mozilla.com/x",  # not under the domain
        "http://127.0.0.1:8080/push",  # localhost only with LANGSO_PUSH_ALLOW_LOCALHOST=1
        "http://localhost/push",
        "https://fcm.googleapis.com/" + "a" * 2100,  # too long
        "https://fcm.googleapis.com/fcm/send/ä",  # not ASCII
    ],
)
async def test_endpoints_outside_the_push_services_are_refused(
    client, login, user, village, endpoint
):
    member = await user(roles.MEMBER, (await village()).code)

    response = await client.post(
        "/api/v1/push/subscriptions", json=_subscription(endpoint), headers=await login(member)
    )

    assert response.status_code == 422
    assert response.json() == {"error": {"message": ADDRESS_REFUSED, "field": "endpoint"}}
    assert not await PushSubscription.exists(user_id=member.id)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABn",
        "https://web.push.apple.com/QGuQyavXutnMH",
        "https://wns2-bn3p.notify.windows.com/w/?token=BQYAAA",
    ],
)
async def test_the_browsers_push_services_are_accepted(client, login, user, village, endpoint):
    headers = await login(await user(roles.MEMBER, (await village()).code))

    response = await client.post(
        "/api/v1/push/subscriptions", json=_subscription(endpoint), headers=headers
    )

    assert response.status_code == 201, response.text


KEYS_REFUSED = "Khóa của đăng ký nhận thông báo không đúng. Hãy tắt rồi bật lại thông báo."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"endpoint": "https://fcm.googleapis.com/fcm/send/a"}, "keys"),
        (_subscription(p256dh="not-a-key"), "keys.p256dh"),
        (_subscription(p256dh=_b64(b"\x04" + b"\x01" * 64)), "keys.p256dh"),  # not on the curve
        (_subscription(auth=_b64(os.urandom(8))), "keys.auth"),
        (_subscription(auth=12), "keys.auth"),
    ],
)
async def test_bad_keys_are_refused_in_the_users_language(
    client, login, user, village, body, field
):
    vi = await login(await user(roles.MEMBER, (await village()).code))
    en = await login(await user(roles.MEMBER, (await village()).code, language="en"))

    response = await client.post("/api/v1/push/subscriptions", json=body, headers=vi)
    english = await client.post("/api/v1/push/subscriptions", json=body, headers=en)

    assert response.status_code == 422
    assert response.json() == {"error": {"message": KEYS_REFUSED, "field": field}}
    assert english.json()["error"]["message"] == (
        "The subscription's keys are not valid. Turn notifications off and on again."
    )


async def test_a_subscription_without_endpoint_is_refused(client, login, user, village):
    headers = await login(await user(roles.MEMBER, (await village()).code))

    response = await client.post(
        "/api/v1/push/subscriptions", json={"keys": _keys()}, headers=headers
    )
    removal = await client.request("DELETE", "/api/v1/push/subscriptions", json={}, headers=headers)

    assert response.status_code == removal.status_code == 422
    assert response.json()["error"]["message"] == "Đăng ký nhận thông báo không có địa chỉ gửi."


async def test_the_same_subscription_posted_at_once_is_stored_once(client, login, user, village):
    import asyncio

    headers = await login(await user(roles.MEMBER, (await village()).code))
    body = _subscription()

    responses = await asyncio.gather(
        *(client.post("/api/v1/push/subscriptions", json=body, headers=headers) for _ in range(4))
    )

    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert await PushSubscription.filter(endpoint=body["endpoint"]).count() == 1


async def test_a_member_keeps_at_most_ten_subscriptions_the_newest(client, login, user, village):
    member = await user(roles.MEMBER, (await village()).code)
    headers = await login(member)
    endpoints = []
    for _ in range(services.MAX_SUBSCRIPTIONS + 5):  # issue 11: 300 of 300 were kept
        body = _subscription()
        response = await client.post("/api/v1/push/subscriptions", json=body, headers=headers)
        assert response.status_code == 201
        endpoints.append(body["endpoint"])
    kept = await PushSubscription.filter(user_id=member.id).values_list("endpoint", flat=True)
    assert sorted(kept) == sorted(endpoints[-services.MAX_SUBSCRIPTIONS :])

    # Posting an old phone's subscription again keeps it, and the oldest other one goes.
    again = await client.post(
        "/api/v1/push/subscriptions", json=_subscription(endpoints[0]), headers=headers
    )
    assert again.status_code == 201  # it had been dropped, so it is new again
    kept = await PushSubscription.filter(user_id=member.id).values_list("endpoint", flat=True)
    assert len(kept) == services.MAX_SUBSCRIPTIONS
    assert endpoints[0] in kept and endpoints[-services.MAX_SUBSCRIPTIONS] not in kept
