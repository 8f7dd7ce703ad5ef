"""The requests register (data subjects' requests, on the legal clocks) and the incidents register.

Both are server-side records of the coordinators' work, not synced to phones. Each row carries the
area codes of the household or area it concerns, so `Scope.area_filter()` limits who sees it.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from server.i18n import N_

# What a data subject may ask (Law 91/2025/QH15; docs/data-protection.md).
ACCESS = "access"  # to see or receive a copy
CORRECTION = "correction"
WITHDRAWAL = "withdrawal"  # of a consent
ERASURE = "erasure"
RESTRICTION = "restriction"
OBJECTION = "objection"
KINDS = (ACCESS, CORRECTION, WITHDRAWAL, ERASURE, RESTRICTION, OBJECTION)
KIND_LABELS = {
    ACCESS: N_("See the data or get a copy"),
    CORRECTION: N_("Correct the data"),
    WITHDRAWAL: N_("Withdraw a consent"),
    ERASURE: N_("Erase the data"),
    RESTRICTION: N_("Restrict processing"),
    OBJECTION: N_("Object to processing"),
}

# How the request reached the team.
IN_PERSON = "in_person"
PHONE = "phone"
WRITING = "writing"
EMAIL = "email"
CHANNELS = (IN_PERSON, PHONE, WRITING, EMAIL)
CHANNEL_LABELS = {
    IN_PERSON: N_("In person"),
    PHONE: N_("By phone"),
    WRITING: N_("In writing"),
    EMAIL: N_("By email"),
}

# How serious an incident is.
SEVERITIES = ("low", "medium", "high")
SEVERITY_LABELS = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High")}

REQUESTER_MAX = 120
TEXT_MAX = 1000
REASON_MAX = 500


class DataRequest(Model):
    """One request from a data subject, from its receipt to done or refused.

    `village_code` is empty when the request concerns a commune (the requester may not be in the
    register). `notified_state` is the clock state the coordinators were last pushed about, so a
    request is pushed once when it becomes due soon and once when it becomes overdue.
    """

    id = fields.UUIDField(primary_key=True)
    kind = fields.CharField(max_length=20)
    household_id = fields.UUIDField(null=True)
    village_code = fields.CharField(max_length=20, default="")
    commune_code = fields.CharField(max_length=10)
    province_code = fields.CharField(max_length=10)
    requester = fields.CharField(max_length=REQUESTER_MAX)
    channel = fields.CharField(max_length=12)
    details = fields.TextField(default="")
    received_on = fields.DateField()
    received_by = fields.UUIDField()
    acknowledged_at = fields.DatetimeField(null=True)
    other_party = fields.BooleanField(default=False)
    extension_days = fields.IntField(default=0)
    extension_reason = fields.CharField(max_length=REASON_MAX, default="")
    done_at = fields.DatetimeField(null=True)
    refused_at = fields.DatetimeField(null=True)
    refusal_reason = fields.CharField(max_length=REASON_MAX, default="")
    notified_state = fields.CharField(max_length=12, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "data_request"
        indexes = (("commune_code", "received_on"), ("province_code", "received_on"))


class Incident(Model):
    """A personal data incident: what happened, which households, who was told and when."""

    id = fields.UUIDField(primary_key=True)
    village_code = fields.CharField(max_length=20, default="")
    commune_code = fields.CharField(max_length=10)
    province_code = fields.CharField(max_length=10)
    what = fields.TextField()
    discovered_at = fields.DatetimeField()
    severity = fields.CharField(max_length=10)
    household_count = fields.IntField(default=0)
    household_ids: fields.Field[list[Any]] = fields.JSONField(default=list)
    authority_notified_at = fields.DatetimeField(null=True)
    households_notified_at = fields.DatetimeField(null=True)
    recorded_by = fields.UUIDField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "incident"
        indexes = (("commune_code", "discovered_at"), ("province_code", "discovered_at"))
