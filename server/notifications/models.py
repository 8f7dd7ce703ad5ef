"""Web push subscriptions: one row per browser endpoint, tied to the user who turned push on."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.accounts.models import User

# Push services' endpoints are a few hundred characters; 2,048 keeps the unique index small.
ENDPOINT_MAX_LENGTH = 2048


class PushSubscription(Model):
    """A browser's PushSubscription (endpoint and keys) and what the last sends to it gave.

    `retry_after` is set from a push service's 429 answer and read by every worker, so no worker
    keeps rate-limit state in memory; `failures` counts errors since the last success.
    """

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "langso.User", related_name="push_subscriptions", on_delete=fields.CASCADE
    )
    endpoint = fields.CharField(max_length=ENDPOINT_MAX_LENGTH, unique=True)
    p256dh = fields.CharField(max_length=100)
    auth = fields.CharField(max_length=40)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_sent_at = fields.DatetimeField(null=True)
    retry_after = fields.DatetimeField(null=True)
    failures = fields.IntField(default=0)
    last_error = fields.CharField(max_length=200, default="")

    class Meta:
        table = "push_subscription"
