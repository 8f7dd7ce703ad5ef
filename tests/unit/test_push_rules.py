"""Web push rules that need no server: Retry-After, extra push services, the VAPID subject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.notifications.endpoints import EndpointRule, SubscriptionError
from server.notifications.sender import Vapid, retry_time
from server.settings import Settings

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "wait"),
    [
        ("120", timedelta(seconds=120)),
        ("Wed, 25 Nov 2026 08:10:00 GMT", timedelta(minutes=10)),
        (None, timedelta(minutes=1)),  # missing: a minute
        ("soon", timedelta(minutes=1)),  # unreadable: a minute
        ("0", timedelta(seconds=1)),
        ("Wed, 25 Nov 2026 07:00:00 GMT", timedelta(seconds=1)),  # in the past
        ("9999999", timedelta(days=1)),  # never more than a day
    ],
)
def test_retry_after_is_read_and_kept_within_bounds(header, wait):
    assert retry_time(header, NOW) == NOW + wait


def test_the_operator_can_add_push_services(tmp_path):
    settings = Settings.from_env(
        {
            "LANGSO_DATA_DIR": str(tmp_path),
            "LANGSO_PUSH_SERVICES": " push.example.vn, *.push.example.org ,",
        }
    )
    assert settings.push_services == ("push.example.vn", "*.push.example.org")
    assert not settings.push_allow_localhost
    rule = EndpointRule(services=(*EndpointRule().services, *settings.push_services))

    for endpoint in (
        "https://push.example.vn/s/1",
        "https://a.push.example.org/s/1",
        "https://fcm.googleapis.com/fcm/send/1",
    ):
        assert rule.check_endpoint(endpoint) == endpoint
    for endpoint in ("https://push.example.org/s/1", "https://x.push.example.vn/s/1"):
        with pytest.raises(SubscriptionError):
            rule.check_endpoint(endpoint)


def test_the_vapid_subject_must_be_a_mailto_address(settings):
    with pytest.raises(ValueError, match="mailto"):
        Vapid.from_settings(settings.vapid_private_key, "https://langso.example.vn")
    vapid = Vapid.from_settings(settings.vapid_private_key, "mailto:ops@langso.example.vn")
    assert vapid.subscriber == "ops@langso.example.vn"
    assert len(vapid.application_server_key) == 87  # 65 bytes, base64url without padding
