"""One web push request: encrypted by `webpush` (aes128gcm, VAPID), sent with httpx.

`webpush.WebPush.get()` keeps a per-call `ttl` on the shared instance and never checks the size
of what it encrypts, so nothing else in Làng Số calls it: `build_request` makes a fresh instance
for every message and refuses a payload that push services are not obliged to accept.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

import httpx
from cryptography.hazmat.primitives import serialization
from webpush import WebPush, WebPushSubscription

log = logging.getLogger("langso.push")

# RFC 8030 §7.2 obliges push services to accept 4096 octets of request body. With aes128gcm
# (RFC 8291 §4) that body is one record: an 86-octet header (16 salt, 4 record size, 1 key-id
# length, 65 sender public key), then the plaintext, a 1-octet padding delimiter and a 16-octet
# tag. So the JSON we encrypt may be at most 4096 - 86 - 1 - 16 = 3993 octets (UTF-8).
MAX_BODY = 4096
_HEADER = 16 + 4 + 1 + 65
MAX_PLAINTEXT = MAX_BODY - _HEADER - 1 - 16
DEFAULT_TTL = 2 * 24 * 60 * 60  # a phone without signal for two days still gets the nudge
REQUEST_TIMEOUT = 10.0
_RETRY_DEFAULT = timedelta(minutes=1)
_RETRY_MAX = timedelta(days=1)

Outcome = Literal["sent", "gone", "rate_limited", "failed"]


class PayloadTooLarge(ValueError):
    """The plaintext would make a request body over `MAX_BODY` octets."""

    def __init__(self, size: int) -> None:
        super().__init__(
            f"push payload is {size} bytes; at most {MAX_PLAINTEXT} bytes of plaintext fit in "
            f"the {MAX_BODY}-byte aes128gcm body push services must accept"
        )
        self.size = size


@dataclass(frozen=True)
class Vapid:
    """The server's VAPID identity: its private key, public key and contact."""

    private_pem: bytes
    public_pem: bytes
    application_server_key: str  # uncompressed P-256 point, base64url without padding
    subscriber: str  # the e-mail address of the `mailto:` subject

    @classmethod
    def from_settings(cls, private_pem: str, subject: str) -> Vapid:
        """Load the PEM key; the subject must be a `mailto:` address (webpush adds the scheme)."""
        if not subject.startswith("mailto:") or "@" not in subject:
            raise ValueError("LANGSO_VAPID_SUBJECT must be a mailto: address")
        key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
        public = key.public_key()
        point = public.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return cls(
            private_pem=private_pem.encode("ascii"),
            public_pem=public.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
            application_server_key=base64.urlsafe_b64encode(point).rstrip(b"=").decode(),
            subscriber=subject.removeprefix("mailto:"),
        )


@dataclass(frozen=True)
class Target:
    """Where one push goes: a subscription's endpoint and keys."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushRequest:
    """An encrypted push message, ready to POST."""

    url: str
    headers: dict[str, str]
    body: bytes


def build_request(
    vapid: Vapid, target: Target, payload: bytes, *, ttl: int = DEFAULT_TTL, topic: str = ""
) -> PushRequest:
    """Encrypt `payload` for `target` with a fresh webpush instance; refuse oversized payloads."""
    if len(payload) > MAX_PLAINTEXT:
        raise PayloadTooLarge(len(payload))
    pusher = WebPush(
        private_key=vapid.private_pem,
        public_key=vapid.public_pem,
        subscriber=vapid.subscriber,
        ttl=ttl,
    )
    subscription = WebPushSubscription.model_validate(
        {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
    )
    message = pusher.get(payload, subscription)
    body = bytes(message.encrypted)
    if len(body) != _HEADER + len(payload) + 1 + 16:  # one record, no padding: see above
        raise AssertionError(f"unexpected aes128gcm body of {len(body)} bytes")
    headers = {
        "TTL": message.headers["ttl"],
        "Content-Encoding": message.headers["content-encoding"],
        "Content-Type": "application/octet-stream",
        "Authorization": message.headers["authorization"],
        "Urgency": "normal",
    }
    if topic:
        # A newer message with the same Topic replaces one still waiting at the push service.
        digest = hashlib.sha256(topic.encode("utf-8")).digest()[:24]
        headers["Topic"] = base64.urlsafe_b64encode(digest).decode()
    return PushRequest(url=target.endpoint, headers=headers, body=body)


@dataclass(frozen=True)
class Result:
    """What the push service said about one message."""

    outcome: Outcome
    detail: str = ""
    retry_at: datetime | None = None


async def deliver(client: httpx.AsyncClient, request: PushRequest) -> Result:
    """POST one push request and classify the answer (never raises for HTTP or network errors)."""
    try:
        response = await client.post(
            request.url, content=request.body, headers=request.headers, timeout=REQUEST_TIMEOUT
        )
    except httpx.HTTPError as error:
        return Result("failed", f"{type(error).__name__}")
    status = response.status_code
    if status in (200, 201, 202):
        return Result("sent")
    if status in (404, 410):
        return Result("gone", f"HTTP {status}")
    if status == 429:
        return Result("rate_limited", "HTTP 429", retry_time(response.headers.get("retry-after")))
    return Result("failed", f"HTTP {status} {response.text[:120]}".strip())


def retry_time(header: str | None, now: datetime | None = None) -> datetime:
    """When to try again after a 429: Retry-After in seconds or as a date, kept within a day."""
    now = now or datetime.now(UTC)
    delay = _RETRY_DEFAULT
    if header:
        value = header.strip()
        try:
            if value.isascii() and value.isdigit():
                delay = timedelta(seconds=int(value))
            else:
                delay = parsedate_to_datetime(value) - now
        except (TypeError, ValueError, OverflowError):
            delay = _RETRY_DEFAULT
    return now + min(max(delay, timedelta(seconds=1)), _RETRY_MAX)
