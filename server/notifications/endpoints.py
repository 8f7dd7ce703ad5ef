"""Which push subscriptions the server accepts, so that it never POSTs where a member points it.

Any signed-in member can post a subscription, and the server later sends requests to its
endpoint: without a rule, that is a way to make the server call addresses inside its own network.
The rule (docs/notifications.md): the endpoint is `https://` on the default port, without a user
name or fragment, on a browser's push service (below) or a host the operator added with
`LANGSO_PUSH_SERVICES`. `LANGSO_PUSH_ALLOW_LOCALHOST=1` (development and tests only) also accepts
`http(s)://127.0.0.1:<port>` and `http(s)://localhost:<port>`.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from server.errors import UserError
from server.i18n import N_
from server.notifications.models import ENDPOINT_MAX_LENGTH
from server.notifications.sender import Target

# Chrome, Android, Opera, Samsung Internet and Cốc Cốc use FCM; Firefox uses Mozilla's
# autopush; Safari uses Apple's; Edge uses Windows Push Notification Services.
BROWSER_PUSH_SERVICES = (
    "fcm.googleapis.com",
    "*.push.services.mozilla.com",
    "*.push.apple.com",
    "*.notify.windows.com",
)
_LOCAL_HOSTS = ("127.0.0.1", "localhost")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


class SubscriptionError(UserError):
    """A subscription the server refuses: a msgid to show and the field at fault."""

    def __init__(self, field: str, msgid: str) -> None:
        super().__init__(msgid, field)


@dataclass(frozen=True)
class EndpointRule:
    """The push services this server may send to."""

    services: tuple[str, ...] = BROWSER_PUSH_SERVICES
    allow_localhost: bool = False

    def host_allowed(self, host: str) -> bool:
        """True when `host` is one of the services, or under a `*.domain` entry."""
        for entry in self.services:
            if entry.startswith("*."):
                if host.endswith(entry[1:]) and len(host) > len(entry) - 1:
                    return True
            elif host == entry:
                return True
        return False

    def check_endpoint(self, value: object) -> str:
        """The endpoint if it is allowed, or a SubscriptionError."""
        if not isinstance(value, str) or not value.strip():
            raise SubscriptionError("endpoint", N_("The subscription has no push address."))
        endpoint = value.strip()
        refused = SubscriptionError(
            "endpoint",
            N_("This push address is not from a known push service. Turn notifications on again."),
        )
        if len(endpoint) > ENDPOINT_MAX_LENGTH or not endpoint.isascii():
            raise refused
        try:
            parts = urlsplit(endpoint)
            port = parts.port
        except ValueError:
            raise refused from None
        host = (parts.hostname or "").lower()
        if parts.username is not None or parts.password is not None or parts.fragment:
            raise refused
        if self.allow_localhost and host in _LOCAL_HOSTS and parts.scheme in ("http", "https"):
            return endpoint
        if parts.scheme != "https" or port not in (None, 443) or not _HOST.match(host):
            raise refused
        if _is_address(host):
            raise refused
        if not self.host_allowed(host):
            raise refused
        return endpoint


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _b64url(value: object) -> bytes | None:
    if not isinstance(value, str) or not value or len(value) > 200:
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def check_subscription(rule: EndpointRule, body: dict[str, Any]) -> Target:
    """A browser's PushSubscription JSON ({endpoint, keys: {p256dh, auth}}), checked."""
    endpoint = rule.check_endpoint(body.get("endpoint"))
    keys = body.get("keys")
    bad_keys = N_("The subscription's keys are not valid. Turn notifications off and on again.")
    if not isinstance(keys, dict):
        raise SubscriptionError("keys", bad_keys)
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    point, secret = _b64url(p256dh), _b64url(auth)
    if point is None or len(point) != 65 or point[0] != 4:
        raise SubscriptionError("keys.p256dh", bad_keys)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise SubscriptionError("keys.p256dh", bad_keys) from None
    if secret is None or len(secret) != 16:
        raise SubscriptionError("keys.auth", bad_keys)
    return Target(endpoint=endpoint, p256dh=_b64url_text(point), auth=_b64url_text(secret))


def _b64url_text(raw: bytes) -> str:
    """The canonical form stored: base64url without padding."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
