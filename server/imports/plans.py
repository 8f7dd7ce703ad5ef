"""What an import would do (the preview), and what it did: rows to create, update or leave, and
the rows refused with the reason in the user's language."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from server.i18n import gettext
from server.imports.columns import Column, Layout
from server.imports.reading import Table

CREATE, UPDATE, SKIP = "create", "update", "skip"


@dataclass(frozen=True)
class RowError:
    """One problem of one row: the file's row number, the column's key, a message id."""

    row: int
    column: str
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str) -> str:
        """What is wrong and how to fix it, in `language`."""
        return gettext(language, self.msgid, self.params)


@dataclass(frozen=True)
class Change:
    """A row that passed: created, updated (with the fields that change) or left as it is."""

    row: int
    action: str
    record_id: uuid.UUID | None  # a household's; a village's code is in `data`
    data: dict[str, Any]


@dataclass
class Plan:
    """The preview of one file."""

    table: Table
    columns: tuple[Column, ...]
    layout: Layout
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, action: str) -> int:
        """How many rows will be created, updated or left (`CREATE`, `UPDATE`, `SKIP`)."""
        return sum(1 for change in self.changes if change.action == action)

    @property
    def refused(self) -> int:
        """How many rows have at least one error (nothing of them is saved)."""
        return len({error.row for error in self.errors})

    def header(self, key: str) -> str:
        """The column as the file names it (else as the template does)."""
        index = self.layout.positions.get(key)
        if index is not None:
            return self.table.headers[index]
        return next((c.header for c in self.columns if c.key == key), key)

    def by_row(self, language: str) -> dict[int, str]:
        """Each refused row's errors as one text: "Column: message; …"."""
        found: dict[int, list[str]] = {}
        for error in self.errors:
            found.setdefault(error.row, []).append(
                f"{self.header(error.column)}: {error.message(language)}"
            )
        return {row: "; ".join(texts) for row, texts in found.items()}


@dataclass(frozen=True)
class Result:
    """What an import saved."""

    created: int
    updated: int
    skipped: int
    refused: int
