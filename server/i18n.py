"""Languages: Vietnamese first, English second; catalogues read from locales/*.po at start."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from server import shipped

DEFAULT_LANGUAGE = "vi"
_VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
LANGUAGES = ("vi", "en")
LOCALES_DIR = shipped("locales", "locales")  # not from settings: settings imports this module


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


@cache
def translations(language: str) -> Translations:
    """The catalogue for `language`, compiled in memory from its .po file."""
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if language not in LANGUAGES or not po_path.exists():
        return Translations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(language: str, message: str, params: dict[str, Any] | None = None) -> str:
    """Translate `message` into `language` and fill in `%(name)s` parameters."""
    text = translations(language).gettext(message)
    return text % params if params else text


def negotiate(preferred: str | None, accept_language: str | None) -> str:
    """The user's own setting wins, then the browser's Accept-Language, then Vietnamese."""
    if preferred in LANGUAGES:
        return preferred
    if accept_language:
        weighted: list[tuple[float, str]] = []
        for part in accept_language.split(","):
            tag, _, quality = part.strip().partition(";q=")
            try:
                weight = float(quality) if quality else 1.0
            except ValueError:
                continue
            weighted.append((weight, tag.split("-")[0].strip().lower()))
        for _weight, tag in sorted(weighted, key=lambda pair: -pair[0]):
            if tag in LANGUAGES:
                return tag
    return DEFAULT_LANGUAGE


def localized(text: Mapping[str, str], language: str) -> str:
    """A content label (`{"vi": …, "en": …}`) in `language`, falling back to Vietnamese."""
    return text.get(language) or text.get(DEFAULT_LANGUAGE) or next(iter(text.values()), "")


def format_number(language: str, value: float | int) -> str:
    """`1.234.567,8` in Vietnamese, `1,234,567.8` in English."""
    return format_decimal(value, locale=Locale.parse(language))


def format_datetime(language: str, value: datetime) -> str:
    """A date and time in the language's medium format, in Vietnam's time zone."""
    return _format_datetime(value, "medium", tzinfo=_VIETNAM, locale=language)


def format_day(language: str, value: datetime) -> str:
    """The day of an instant (02/12/2026 in Vietnamese, Dec 2, 2026 in English), Vietnam time."""
    day = value.astimezone(_VIETNAM).date()
    return _format_date(day, "dd/MM/yyyy" if language == "vi" else "medium", locale=language)
