"""The glossary in content/glossary.toml: plain definitions of the words lessons use.

Lessons link a word to its entry with `[word](glossary:key)`; the format is described in
docs/content.md ("glossary.toml").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from server.content.toml import Source, _read_toml, _Table

GLOSSARY_LINK = "glossary:"
"""A Markdown link to this address prefix and a term's key opens that term's definition."""


@dataclass(frozen=True)
class Term:
    key: str
    term: dict[str, str]  # the word as a lesson writes it, by language
    definition: dict[str, str]  # one or two plain sentences, by language
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()
    checked: dt.date | None = None

    def get(self, key: str) -> Term | None:
        return next((term for term in self.terms if term.key == key), None)


def load_glossary(content_dir: Path) -> Glossary:
    """Read content/glossary.toml; an empty glossary when the file is missing."""
    path = content_dir / "glossary.toml"
    if not path.exists():
        return Glossary()
    top = _Table(_read_toml(path), path, "", "glossary")
    terms: list[Term] = []
    seen: dict[str, str] = {}
    for t in top.tables("term", "glossary.term"):
        key = t.key("key")
        t.unique("key", key, seen)
        terms.append(
            Term(
                key=key,
                term=t.translated("term"),
                definition=t.translated("definition"),
                sources=t.sources(),
            )
        )
    return Glossary(terms=tuple(terms), checked=top.checked())
