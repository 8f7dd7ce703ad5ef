"""Consent withdrawals: who asked a household's team to stop using its data, for what, and how."""

from __future__ import annotations

from tortoise import fields

from server.syncable.models import AREA_PULL_INDEXES, AreaSynced


class ConsentWithdrawal(AreaSynced):
    """One withdrawal of consent purposes for a household: insert-only, applied when stored.

    `purposes` lists the purpose keys withdrawn; `asked_by` is the person who asked (emptied when
    the household is erased), `channel` how (in person, by phone, in writing), `asked_at` when;
    `recorded_by` is the user who recorded it.
    """

    household_id = fields.UUIDField(db_index=True)
    purposes: fields.Field[list[str]] = fields.JSONField(default=list)
    asked_by = fields.CharField(max_length=120, default="")
    channel = fields.CharField(max_length=20, default="")
    asked_at = fields.DatetimeField(null=True)
    recorded_by = fields.UUIDField(null=True)

    class Meta:
        table = "consent_withdrawal"
        indexes = AREA_PULL_INDEXES
