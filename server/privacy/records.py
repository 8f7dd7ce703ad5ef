"""The consent withdrawal as the devices push it: insert-only, checked against the purposes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.accounts import roles
from server.content import curriculum
from server.i18n import N_
from server.privacy.models import ConsentWithdrawal
from server.syncable.fields import FieldError, Rule
from server.syncable.types import SCOPE_PARENT, SyncType

# How the person asked: in person, by phone, in writing.
CHANNELS = ("in_person", "phone", "writing")


def _check_purposes(value: Any) -> list[str]:
    known, _required = curriculum.consent_rules()
    if not isinstance(value, list) or not value or len(value) > len(known):
        raise FieldError("purposes", N_("Choose what the household withdraws its consent for."))
    if not all(isinstance(key, str) and key in known for key in value):
        raise FieldError("purposes", N_("Choose what the household withdraws its consent for."))
    return sorted(set(value))


def _check_channel(value: Any) -> str:
    if value not in CHANNELS:
        raise FieldError("channel", N_("Choose how the household asked."))
    return str(value)


def _never_changed(current: Mapping[str, Any], paths: dict[str, Any]) -> None:
    """A second `create` with a stored withdrawal's id changes nothing: it is refused."""
    raise FieldError("record_id", N_("A withdrawal cannot be changed once recorded."))


CONSENT_WITHDRAWAL = SyncType(
    name="consent_withdrawal",
    model=ConsentWithdrawal,
    scope=SCOPE_PARENT,
    parent=("household_id", "household"),
    rules=(
        Rule("household_id", "uuid", required=True, fixed=True),
        Rule("purposes", "object", required=True, check=_check_purposes, label=N_("Withdrawn")),
        Rule("asked_by", "text", required=True, max_length=120, label=N_("Who asked")),
        Rule("channel", "object", required=True, check=_check_channel, label=N_("How")),
        Rule("asked_at", "datetime", required=True, label=N_("When")),
    ),
    extra_pull_fields=("recorded_by",),
    creator_field="recorded_by",
    # A withdrawal is a fact: recorded once, never edited or taken back by deleting it.
    device_ops=frozenset({"create"}),
    writer_roles=roles.RECORD_WRITERS,
    # The phone applies its own withdrawals; the others reach phones as the emptied household.
    reader_roles=frozenset(),
    guard=_never_changed,
    parent_missing=N_("This household is not on the server, or its data was erased."),
)
