"""Field rules for synced records: one declarative source for the server and the device.

A rule checks one incoming value and returns a `FieldError` or the cleaned value. The same
rules are published as JSON (`describe()`), so the device validates exactly as the server does.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from server.i18n import LANGUAGES, N_, gettext
from server.phones import normalize_phone

MAX_TEXT = 2000
# Bounds of every map field unless its rule says less (docs/security.md, "Sync input limits").
MAX_KEYS = 100
MAX_KEY_LENGTH = 60
MAX_VALUE_SIZE = 500  # characters of one entry's value written as JSON
# The instants a device may write: anything outside is a typing or clock mistake.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# How deeply any JSON value a rule accepts may nest (a map with object entries is 2).
MAX_DEPTH = 6


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
    # For `map` fields: at most this many keys (in one push and in the stored map), each key
    # at most `max_key_length` characters, each value at most `max_value_size` as JSON.
    max_keys: int = MAX_KEYS
    max_key_length: int = MAX_KEY_LENGTH
    max_value_size: int = MAX_VALUE_SIZE
    # Set when the record is made, never changed after (e.g. the parent a record belongs to).
    fixed: bool = False
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
        if self.is_map and isinstance(value, dict):
            self.check_size(value)  # before anything walks a million keys
        if isinstance(value, dict | list) and _too_deep(value, MAX_DEPTH):
            raise FieldError(self.name, N_("This value has the wrong shape."))
        cleaner = _CLEANERS[self.kind]
        return cleaner(self, value)

    def describe(self) -> dict[str, Any]:
        """The rule as JSON for the device."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "required": self.required}
        for key in ("max_length", "min", "max"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.is_map:
            out["max_keys"] = self.max_keys
            out["max_key_length"] = self.max_key_length
            out["max_value_size"] = self.max_value_size
        if self.kind in ("map", "object"):
            out["max_depth"] = MAX_DEPTH
        if self.kind == "datetime":
            out["earliest"], out["latest"] = EARLIEST.isoformat(), LATEST.isoformat()
        if self.fixed:
            out["fixed"] = True
        if self.label:
            out["label"] = {language: gettext(language, self.label) for language in LANGUAGES}
        return out

    def check_size(self, value: dict[str, Any]) -> None:
        """Refuse a map (as pushed, or as merged) with more keys than the rule allows."""
        if len(value) > self.max_keys:
            raise FieldError(self.name, N_("Use at most %(max)s entries."), {"max": self.max_keys})


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
    rule.check_size(value)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not key or len(key) > rule.max_key_length or not key.isprintable():
            raise FieldError(rule.name, N_("This value has the wrong shape."))
        if _json_size(item) > rule.max_value_size:
            raise FieldError(
                f"{rule.name}.{key}",
                N_("Use at most %(max)s characters."),
                {"max": rule.max_value_size},
            )
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
    """Parse an ISO 8601 instant with a time zone, from 2000 to 2100, or raise `FieldError`."""
    if not isinstance(value, str) or len(value) > 40:
        raise FieldError(name, N_("Enter a date and time."))
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        # Year 1 at +14:00 is before year 1 in UTC: Python cannot even convert it.
        in_utc = parsed.astimezone(UTC) if parsed.tzinfo is not None else None
    except (ValueError, OverflowError):
        raise FieldError(name, N_("Enter a date and time.")) from None
    if in_utc is None:
        raise FieldError(name, N_("Enter a date and time."))
    if not EARLIEST <= in_utc < LATEST:
        raise FieldError(name, N_("Enter a date between 2000 and 2100."))
    return parsed


def _json_size(value: Any) -> int:
    """About the characters `value` takes as JSON (exact for objects and lists)."""
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, dict | list):
        return len(json.dumps(value, ensure_ascii=False))
    return len(str(value))


def _too_deep(value: Any, limit: int) -> bool:
    """Whether lists and objects nest deeper than `limit` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


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
