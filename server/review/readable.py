"""Field names and values of synced records, in words a coordinator reads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from server.checklists.records import CHECKLIST
from server.content import curriculum
from server.households.records import HOUSEHOLD
from server.i18n import N_, format_day, gettext, localized
from server.syncable.models import WITHDRAWN_VALUE

# The labels the schema gives each field (`Rule.label`), then the fields without one.
_RULE_LABELS = {
    sync_type.name: {rule.name: rule.label for rule in sync_type.rules if rule.label}
    for sync_type in (HOUSEHOLD, CHECKLIST)
}
_FIELD_LABELS = {
    "village_code": N_("Village"),
    "head_name": N_("Head of household"),
    "address": N_("Address"),
    "phone": N_("Phone"),
    "people_count": N_("People in the household"),
    "adult_count": N_("Adults"),
    "consent": N_("Consent"),
    "notes": N_("Notes"),
    "restricted": N_("Restricted"),
    "deleted": N_("Deleted"),
    "household_id": N_("Household"),
    "template_key": N_("Checklist"),
    "template_version": N_("Checklist version"),
}


def field_label(
    record_type: str, path: str, language: str, template: dict[str, Any] | None = None
) -> str:
    """The label of a field path such as `indicators.vneid` or `items.install_app`.

    `template` is the checklist's template version (`{"title", "items"}`) for `items.*` paths.
    """
    name, _, key = path.partition(".")
    if name == "indicators" and key:
        indicator = curriculum.indicator_set().by_key.get(key)
        if indicator is not None:
            return localized(indicator.label, language)
    if name == "items" and key:
        for item in (template or {}).get("items", []):
            if item["key"] == key:
                return localized(item["label"], language)
    msgid = _RULE_LABELS.get(record_type, {}).get(name) or _FIELD_LABELS.get(name)
    return gettext(language, msgid) if msgid else path


def is_empty(value: Any) -> bool:
    """Nothing entered: a line saying "(empty)" tells a reader nothing."""
    return value is None or value == "" or value == [] or value == {}


def value_text(
    path: str, value: Any, language: str, places: Mapping[str, str] | None = None
) -> str:
    """A stored value as text: choice labels, yes/no, done/not done, consent in a sentence,
    a village's name (from `places`, by code)."""
    if is_empty(value):
        return gettext(language, N_("(empty)"))
    if value == WITHDRAWN_VALUE:  # erased because the household withdrew its consent
        return gettext(language, N_("(erased at the household's request)"))
    name, _, key = path.partition(".")
    if name == "village_code" and places and str(value) in places:
        return places[str(value)]
    if name == "indicators" and key:
        indicator = curriculum.indicator_set().by_key.get(key)
        for choice in indicator.choices if indicator else ():
            if choice.value == value:
                return localized(choice.label, language)
    if isinstance(value, bool):
        return gettext(language, N_("Yes") if value else N_("No"))
    if name == "items" and isinstance(value, dict) and "done" in value:
        return gettext(language, N_("Done") if value["done"] else N_("Not done"))
    if name == "consent" and isinstance(value, dict):
        return gettext(
            language,
            N_("Given by %(name)s on %(when)s"),
            {"name": value.get("given_by", ""), "when": _day(value.get("given_at"), language)},
        )
    if name == "restricted" and isinstance(value, dict):
        return gettext(
            language,
            N_("Since %(when)s: %(reason)s"),
            {"when": _day(value.get("since"), language), "reason": value.get("reason", "")},
        )
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _day(value: Any, language: str) -> str:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return format_day(language, when) if when.tzinfo else when.date().isoformat()
