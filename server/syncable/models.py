"""The synced base model and the sync bookkeeping tables: mutations, change log, conflicts."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Synced(Model):
    """Base of every record a device syncs.

    `id` is made on the device; `version` comes from one server-wide clock, `txid` is the
    PostgreSQL transaction that wrote the row (0 on SQLite), so pull never skips a late commit, and
    `field_meta` maps each field to `[version, device_id]` of its last write, for field merges.
    """

    id = fields.UUIDField(primary_key=True)
    version = fields.BigIntField(default=0)
    txid = fields.BigIntField(default=0)
    deleted = fields.BooleanField(default=False)
    field_meta: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        abstract = True


class AreaSynced(Synced):
    """A synced record that lives in a village, with its commune and province kept beside it.

    The three codes make scope filters and coverage counts plain indexed equalities.
    """

    village_code = fields.CharField(max_length=20)
    commune_code = fields.CharField(max_length=20)
    province_code = fields.CharField(max_length=20)

    class Meta:
        abstract = True


# Pull pages through each scope level in (txid, version) order: one index per level.
AREA_PULL_INDEXES = (
    ("village_code", "txid", "version"),
    ("commune_code", "txid", "version"),
    ("province_code", "txid", "version"),
)


class SyncClock(Model):
    """The version counter used on SQLite (PostgreSQL uses the `sync_version` sequence)."""

    id = fields.IntField(primary_key=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "sync_clock"


class SyncMutation(Model):
    """Every mutation id the server has answered, with its receipt, so a replay is a duplicate."""

    id = fields.UUIDField(primary_key=True)
    device_id = fields.CharField(max_length=64, db_index=True)
    user_id = fields.UUIDField()
    status = fields.CharField(max_length=10)
    receipt: fields.Field[dict[str, Any]] = fields.JSONField()
    received_at = fields.DatetimeField()

    class Meta:
        table = "sync_mutation"


# What the change log, conflicts and stored receipts keep in place of a value the household
# withdrew its consent for: that it changed, never what it was (docs/sync-protocol.md).
WITHDRAWN_VALUE = "[withdrawn]"


class ChangeLog(Model):
    """Append-only audit trail: who changed which record, when, from which device, before/after."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    user_id = fields.UUIDField(null=True)
    device_id = fields.CharField(max_length=64, null=True)
    mutation_id = fields.UUIDField(null=True)
    record_type = fields.CharField(max_length=30)
    record_id = fields.UUIDField()
    version = fields.BigIntField()
    op = fields.CharField(max_length=10)
    before: fields.Field[Any] = fields.JSONField(null=True)
    after: fields.Field[Any] = fields.JSONField(null=True)
    village_code = fields.CharField(max_length=20, null=True, db_index=True)

    class Meta:
        table = "change_log"
        indexes = (("record_type", "record_id"),)


class Conflict(Model):
    """A value that lost a same-field concurrent edit, kept for a coordinator to review."""

    id = fields.UUIDField(primary_key=True)
    record_type = fields.CharField(max_length=30)
    record_id = fields.UUIDField(db_index=True)
    field = fields.CharField(max_length=80)
    kept_value: fields.Field[Any] = fields.JSONField(null=True)
    kept_version = fields.BigIntField()
    kept_device_id = fields.CharField(max_length=64, null=True)
    lost_value: fields.Field[Any] = fields.JSONField(null=True)
    lost_device_id = fields.CharField(max_length=64)
    lost_user_id = fields.UUIDField()
    mutation_id = fields.UUIDField()
    base_version = fields.BigIntField()
    village_code = fields.CharField(max_length=20, null=True, db_index=True)
    commune_code = fields.CharField(max_length=20, null=True, db_index=True)
    created_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)
    resolved_by = fields.UUIDField(null=True)
    resolution = fields.CharField(max_length=10, null=True)

    class Meta:
        table = "sync_conflict"


class Device(Model):
    """A phone's last contact: what a coordinator reads as sync health."""

    id = fields.CharField(max_length=64, primary_key=True)
    user_id = fields.UUIDField(db_index=True)
    last_push_at = fields.DatetimeField(null=True)
    last_pull_at = fields.DatetimeField(null=True)
    app_version = fields.CharField(max_length=40, null=True)
    pending_changes = fields.IntField(null=True)
    # What a coordinator recognises the phone by, read from its User-Agent (`web/agents.py`).
    model = fields.CharField(max_length=60, null=True)
    browser = fields.CharField(max_length=40, null=True)
    first_seen_at = fields.DatetimeField(null=True)

    class Meta:
        table = "device"
