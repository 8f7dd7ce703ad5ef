"""A lesson's sources and `checked` date, kept in LessonVersion.meta from import to export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.content import Source

STALE_AFTER = dt.timedelta(days=365)
"""A lesson whose facts were last checked longer ago than this is flagged on the trainer's list."""

KEPT = ("sources", "checked")
"""Meta keys the trainer's editor does not show; a saved draft keeps them from the last version."""


def to_meta(sources: tuple[Source, ...], checked: dt.date | None) -> dict[str, Any]:
    """The JSON form stored in meta (dates as ISO text); empty when the lesson names no sources."""
    meta: dict[str, Any] = {}
    if sources:
        meta["sources"] = [
            {
                "title": s.title,
                "publisher": s.publisher,
                "date": s.date.isoformat(),
                "url": s.url,
                **({"note": s.note} if s.note else {}),
            }
            for s in sources
        ]
    if checked is not None:
        meta["checked"] = checked.isoformat()
    return meta


def from_meta(meta: dict[str, Any]) -> tuple[tuple[Source, ...], dt.date | None]:
    """The sources and checked date stored by `to_meta`."""
    sources = tuple(
        Source(
            title=str(s["title"]),
            publisher=str(s["publisher"]),
            date=dt.date.fromisoformat(str(s["date"])),
            url=str(s["url"]),
            note=str(s.get("note", "")),
        )
        for s in meta.get("sources", [])
    )
    checked = meta.get("checked")
    return sources, dt.date.fromisoformat(str(checked)) if checked else None


def needs_check(meta: dict[str, Any], today: dt.date) -> bool:
    """Whether a version's facts were never checked, or not within the last 12 months."""
    _, checked = from_meta(meta)
    return checked is None or today - checked > STALE_AFTER
