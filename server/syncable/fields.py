"""Field rules for synced records: one declarative source for the server and the device.

A rule checks one incoming value and returns a `FieldError` or the cleaned value. The same
rules are published as JSON (`describe()`), so the device validates exactly as the server does.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from server.i18n import LANGUAGES, N_, gettext
from server.phones import normalize_phone

MAX_TEXT = 2000


@dataclass
class FieldError(Exception):
    """A message id (translated later) about one field, with its parameters."""

    field: str
    msgid: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """How one field of a synced record is validated and merged."""

    name: str
    kind: str  # text | phone | int | uuid | datetime | area | map | object
    required: bool = False
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    # For `map` fields: each key merges on its own; `entry` checks one (key, value).
    entry: Callable[[str, Any], Any] | None = None
    # For `object` fields: a custom check of the whole value.
    check: Callable[[Any], Any] | None = None
    # For `map` fields of dict entries: the server stamps each entry with the user ("by").
    stamp_user: bool = False
    # Set by the server, never accepted from a device.
    server_only: bool = False
    # What the member calls the field (an N_ message id): the phone's conflict notes use it.
    label: str | None = None

    @property
    def is_map(self) -> bool:
        return self.kind == "map"

    def clean(self, value: Any) -> Any:
        """Return the stored form of `value` or raise `FieldError`."""
        if value is None:
            if self.required:
                raise FieldError(self.name, N_("This field is required."))
            return None
        cleaner = _CLEANERS[self.kind]
        return cleaner(self, value)

    def describe(self) -> dict[str, Any]:
        """The rule as JSON for the device."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "required": self.required}
        for key in ("max_length", "min", "max"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.label:
            out["label"] = {language: gettext(language, self.label) for language in LANGUAGES}
        return out


def _clean_text(rule: Rule, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldError(rule.name, N_("Enter text."))
    text = value.strip()
    if rule.required and not text:
        raise FieldError(rule.name, N_("This field is required."))
    limit = rule.max_length or MAX_TEXT
    if len(text) > limit:
        raise FieldError(rule.name, N_("Use at most %(max)s characters."), {"max": limit})
    return text


def _clean_phone(rule: Rule, value: Any) -> str | None:
    if not isinstance(value, str):
        raise FieldError(rule.name, N_("Enter a Vietnamese mobile number, e.g. 0912 345 678."))
    if not value.strip():
        if rule.required:
            raise FieldError(rule.name, N_("This field is required."))
        return None
    phone = normalize_phone(value)
    if phone is None:
        raise FieldError(rule.name, N_("Enter a Vietnamese mobile number, e.g. 0912 345 678."))
    return phone


def _clean_int(rule: Rule, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(rule.name, N_("Enter a whole number."))
    low = rule.min if rule.min is not None else -(2**31)
    high = rule.max if rule.max is not None else 2**31 - 1
    if not low <= value <= high:
        raise FieldError(
            rule.name,
            N_("Enter a whole number between %(min)s and %(max)s."),
            {"min": low, "max": high},
        )
    return value


def _clean_uuid(rule: Rule, value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise FieldError(rule.name, N_("This is not a valid identifier.")) from None


def _clean_datetime(rule: Rule, value: Any) -> datetime:
    # An aware datetime, as the column holds it: the same instant compares equal, whatever the
    # offset the device wrote it with.
    return parse_instant(rule.name, value).astimezone(UTC)


def _clean_area(rule: Rule, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 20:
        raise FieldError(rule.name, N_("Choose a village."))
    return value.strip()


def _clean_map(rule: Rule, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FieldError(rule.name, N_("This value has the wrong shape."))
    out: dict[str, Any] = {}
    for key, item in value.items():
        out[key] = item if rule.entry is None else rule.entry(key, item)
    return out


def _clean_object(rule: Rule, value: Any) -> Any:
    return value if rule.check is None else rule.check(value)


_CLEANERS: dict[str, Callable[[Rule, Any], Any]] = {
    "text": _clean_text,
    "phone": _clean_phone,
    "int": _clean_int,
    "uuid": _clean_uuid,
    "datetime": _clean_datetime,
    "area": _clean_area,
    "map": _clean_map,
    "object": _clean_object,
}


def parse_instant(name: str, value: Any) -> datetime:
    """Parse an ISO 8601 instant with a time zone, or raise `FieldError` for field `name`."""
    if not isinstance(value, str):
        raise FieldError(name, N_("Enter a date and time."))
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FieldError(name, N_("Enter a date and time.")) from None
    if parsed.tzinfo is None:
        raise FieldError(name, N_("Enter a date and time."))
    return parsed


def jsonable(value: Any) -> Any:
    """The value with UUIDs and datetimes as text, as JSON carries them."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
