"""Reading the TOML files in content/: field names, checks and errors shared by every kind.

The file formats are described field by field in docs/content.md; `server/content/__init__.py`
is the entry point that loads them.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("vi", "en")
INDICATOR_TYPES = ("bool", "choice", "int")

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_SLUG = re.compile(r"^[a-z0-9-]+$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_KEY_MAX = 60  # checklist_template.key and friends are CharField(max_length=60)
_SLUG_MAX = 80  # lesson.slug is CharField(max_length=80)
_TITLE_MAX = 200  # lesson_version.title is CharField(max_length=200)
_FENCE = "+++"


def N_(message: str) -> str:
    """Mark a message for extraction (Babel's `N_`); it is translated where it is shown."""
    return message


MSG_BOOL = N_("Choose yes or no.")
MSG_CHOICE = N_("Choose one of the listed options.")
MSG_INT = N_("Enter a whole number between %(min)s and %(max)s.")

ACCEPTED_FIELDS: Mapping[str, frozenset[str]] = {
    "text": frozenset(LANGUAGES),
    "indicators": frozenset({"version", "group", "indicator", "target", "sources", "checked"}),
    "indicators.target": frozenset({"key", "label", "group"}),
    "indicators.group": frozenset({"key", "label"}),
    "indicators.indicator": frozenset(
        {"key", "group", "type", "label", "help", "choices", "min", "max", "meets", "meets_min"}
        | {"not_applicable"}
    ),
    "indicators.indicator.choices": frozenset({"value", "label"}),
    "consent": frozenset({"purpose"}),
    "consent.purpose": frozenset(
        {"key", "required", "label", "help", "fields", "retention_days", "version"}
        | {"previous_versions"}
    ),
    "checklist": frozenset(
        {"key", "version", "title", "description", "item", "sources", "checked"}
    ),
    "checklist.item": frozenset({"key", "label", "help", "sets_indicator"}),
    "checklist.item.sets_indicator": frozenset({"key", "value"}),
    "lesson": frozenset(
        {"slug", "title", "language", "order", "summary", "objectives", "audience_roles", "quiz"}
        | {"sources", "checked", "remember"}
    ),
    "lesson.quiz": frozenset({"id", "prompt", "choices", "answer", "explanation"}),
    "sources": frozenset({"title", "publisher", "date", "url", "note"}),
    "glossary": frozenset({"term", "checked"}),
    "glossary.term": frozenset({"key", "term", "definition", "sources"}),
    "holidays": frozenset({"day_off", "working_day", "sources", "checked"}),
    "holidays.day": frozenset({"date", "name", "source"}),
}
"""Every field name each kind of table accepts; anything else is rejected as unknown."""


class ContentError(ValueError):
    """A content file is missing or invalid; the message names the file and the field."""


@dataclass(frozen=True)
class Source:
    """A public source a lesson, checklist or the indicator set was checked against."""

    title: str
    publisher: str
    date: dt.date
    url: str
    note: str = ""


class _Table:
    """One TOML table being read: rejects unknown fields, checks types, raises ContentError."""

    def __init__(self, data: object, file: Path, where: str, kind: str) -> None:
        self.file = file
        self.where = where
        if not isinstance(data, dict):
            raise ContentError(f"{file}: {where or 'file'}: must be a table")
        self.data: dict[str, object] = data
        allowed = ACCEPTED_FIELDS[kind]
        for name in data:
            if name not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.error(name, f"unknown field; expected one of {expected}")

    def error(self, field: str, problem: str) -> ContentError:
        at = f"{self.where}.{field}" if self.where else field
        return ContentError(f"{self.file}: {at}: {problem}")

    def raw(self, field: str) -> object:
        if field not in self.data:
            raise self.error(field, "is required")
        return self.data[field]

    def text(self, field: str, *, max_len: int | None = None) -> str:
        value = self.raw(field)
        if not isinstance(value, str):
            raise self.error(field, "must be text in quotes")
        if not value.strip():
            raise self.error(field, "must not be empty")
        if max_len is not None and len(value) > max_len:
            raise self.error(field, f"must be at most {max_len} characters")
        return value

    def key(self, field: str) -> str:
        value = self.text(field, max_len=_KEY_MAX)
        if not _KEY.match(value):
            raise self.error(field, f"{value!r} must be lowercase snake_case, like 'vneid_level'")
        return value

    def integer(self, field: str, *, minimum: int | None = None) -> int:
        value = self.raw(field)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(field, "must be a whole number")
        if minimum is not None and value < minimum:
            raise self.error(field, f"must be at least {minimum}")
        return value

    def boolean(self, field: str) -> bool:
        value = self.raw(field)
        if not isinstance(value, bool):
            raise self.error(field, "must be true or false")
        return value

    def texts(self, field: str, *, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        if field not in self.data and default is not None:
            return default
        value = self.raw(field)
        if not isinstance(value, list) or not value:
            raise self.error(field, "must be a non-empty list of texts")
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise self.error(field, "every entry must be non-empty text in quotes")
        if len(set(value)) != len(value):
            raise self.error(field, "has the same entry twice")
        return tuple(value)

    def day(self, field: str) -> dt.date:
        value = self.raw(field)
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise self.error(field, "must be a date written like 2026-01-31, without quotes")
        return value

    def url(self, field: str) -> str:
        value = self.text(field)
        if not _URL.match(value):
            raise self.error(
                field, f"{value!r} must be a web address starting with https:// or http://"
            )
        return value

    def sources(self) -> tuple[Source, ...]:
        """The optional `[[sources]]` tables; each needs title, publisher, date and url."""
        if "sources" not in self.data:
            return ()
        found: list[Source] = []
        for t in self.tables("sources", "sources"):
            url = t.url("url")
            found.append(
                Source(
                    title=t.text("title"),
                    publisher=t.text("publisher"),
                    date=t.day("date"),
                    url=url,
                    note=t.text("note") if "note" in t.data else "",
                )
            )
        return tuple(found)

    def checked(self) -> dt.date | None:
        """The optional `checked` date: when the facts were last checked against the sources."""
        return self.day("checked") if "checked" in self.data else None

    def translated(self, field: str) -> dict[str, str]:
        inner = _Table(self.raw(field), self.file, f"{self.where}.{field}".lstrip("."), "text")
        return {language: inner.text(language) for language in LANGUAGES}

    def tables(self, field: str, kind: str) -> list[_Table]:
        value = self.raw(field)
        if not isinstance(value, list) or not value:
            raise self.error(field, f"needs at least one [[{field}]] entry")
        prefix = f"{self.where}." if self.where else ""
        return [_Table(v, self.file, f"{prefix}{field}[{i}]", kind) for i, v in enumerate(value)]

    def unique(self, field: str, value: str, seen: dict[str, str]) -> None:
        if value in seen:
            raise self.error(field, f"{value!r} is used twice (also at {seen[value]})")
        seen[value] = self.where


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(f"{path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: not valid UTF-8 TOML: {exc}") from None
