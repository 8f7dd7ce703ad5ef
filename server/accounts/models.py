"""Users, their areas, API tokens and the sign-in throttle's counts."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.areas.models import Area


class User(Model):
    """A person who signs in with a Vietnamese mobile number."""

    id = fields.UUIDField(primary_key=True)
    phone = fields.CharField(max_length=15, unique=True)
    name = fields.CharField(max_length=120)
    # `name` without diacritics or case (`server.search.fold`), for the coordinators' search.
    search_name = fields.CharField(max_length=120, default="")
    role = fields.CharField(max_length=12, db_index=True)
    password_hash = fields.CharField(max_length=200)
    language = fields.CharField(max_length=5, default="vi")
    is_active = fields.BooleanField(default=True)
    # Bumped on password change and sign-out-everywhere: old sessions and tokens stop working.
    session_epoch = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "app_user"


class UserArea(Model):
    """An area a user works in: a member's village, a coordinator's commune or province."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "langso.User", related_name="areas", on_delete=fields.CASCADE
    )
    area: fields.ForeignKeyRelation[Area] = fields.ForeignKeyField(
        "langso.Area", related_name="users", on_delete=fields.CASCADE
    )

    class Meta:
        table = "user_area"
        unique_together = (("user", "area"),)


class ApiToken(Model):
    """A bearer token for the JSON API: only its SHA-256 is stored."""

    token_hash = fields.CharField(max_length=64, primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "langso.User", related_name="tokens", on_delete=fields.CASCADE
    )
    session_epoch = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"


class SignInThrottle(Model):
    """Password checks counted per key (phone and address, phone, address): `accounts.throttle`."""

    key = fields.CharField(max_length=120, primary_key=True)
    checks = fields.IntField()
    window_start = fields.FloatField()  # seconds since the epoch: the window's first check
    next_at = fields.FloatField()  # when a paced key allows its next check
    ticket = fields.CharField(max_length=16)  # the last admitted check's own random mark

    class Meta:
        table = "sign_in_throttle"
