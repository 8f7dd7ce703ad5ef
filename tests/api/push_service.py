"""A push service on 127.0.0.1 for tests: a real HTTP listener that records what it receives.

Each subscription gets its own path; `answers` says which status a path replies with (201 unless
told otherwise), so one listener plays FCM accepting a message, a 410 for an expired
subscription, a 429 with Retry-After, or a broken service.
"""

from __future__ import annotations

import base64
import os
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(raw: bytes) -> str:
    """Base64url without padding, as browsers write subscription keys."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The bytes of a base64url string with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    """One request the push service got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Device:
    """A browser's side of a subscription: the keys it generated and its endpoint."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    def subscription(self) -> dict[str, Any]:
        """The PushSubscription JSON a browser would post."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(self.auth_secret)},
        }


@dataclass
class PushService:
    """The listener's address, what it received and how it answers."""

    base_url: str
    received: list[Received] = field(default_factory=list)
    answers: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)

    def device(self, status: int = 201, headers: dict[str, str] | None = None) -> Device:
        """A new device whose endpoint answers `status` (with `headers`)."""
        path = f"/push/{uuid.uuid4().hex}"
        self.answers[path] = (status, headers or {})
        return Device(
            endpoint=f"{self.base_url}{path}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=os.urandom(16),
        )

    def to(self, device: Device) -> list[Received]:
        """What was sent to `device`."""
        path = device.endpoint.removeprefix(self.base_url)
        return [r for r in self.received if r.path == path]


def start() -> tuple[PushService, ThreadingHTTPServer, threading.Thread]:
    """Listen on a free port of 127.0.0.1 in a thread."""
    service = PushService(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            service.received.append(Received(self.path, dict(self.headers.items()), body))
            status, headers = service.answers.get(self.path, (404, {}))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return service, server, thread
