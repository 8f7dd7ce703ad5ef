"""The files an import hands back: the template, the preview's rows with their errors, and the
uploaded list kept between the preview and the coordinator's confirmation.

The upload is kept server-side in the data folder (`imports/<token>.json`), under a random token,
for `KEEP_FOR` and for the user who sent it only; confirming reads it back and checks it again.
Every cell written goes through `web/cells.py`.
"""

from __future__ import annotations

import io
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from server.errors import NotFound, UserError
from server.i18n import N_
from server.imports.columns import Column
from server.imports.plans import Plan
from server.imports.reading import Table
from server.web.cells import xlsx_row

KEEP_FOR = 60 * 60  # seconds an upload waits for its confirmation
_TOKEN_LENGTH = 24
ERROR_HEADER = "Lỗi cần sửa"


@dataclass(frozen=True)
class Kept:
    """An upload waiting for confirmation: who sent it, what it is for, its rows."""

    user_id: str
    kind: str
    target: dict[str, str]
    table: Table


def keep(
    data_dir: Path, user_id: uuid.UUID, kind: str, target: dict[str, str], table: Table
) -> str:
    """Keep a parsed upload; return its token. Expired uploads are removed on the way."""
    folder = data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.json*"):
        if old.stat().st_mtime < now - KEEP_FOR:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(_TOKEN_LENGTH)
    body = {
        "user": str(user_id),
        "kind": kind,
        "target": target,
        "header_row": table.header_row,
        "headers": table.headers,
        "rows": table.rows,
    }
    (folder / f"{token}.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return token


def kept(data_dir: Path, token: str, user_id: uuid.UUID) -> Kept:
    """The upload under `token`, if this user sent it and it has not expired."""
    path = data_dir / "imports" / f"{token}.json"
    if not _valid(token) or not path.is_file() or path.stat().st_mtime < time.time() - KEEP_FOR:
        raise NotFound(N_("This preview has expired. Choose the file again."))
    body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if body.get("user") != str(user_id):
        raise NotFound(N_("This preview has expired. Choose the file again."))
    table = Table(body["header_row"], body["headers"], [(n, c) for n, c in body["rows"]])
    return Kept(body["user"], body["kind"], body["target"], table)


def claim(data_dir: Path, token: str, user_id: uuid.UUID) -> Kept:
    """The upload under `token`, taken for its import: a second confirmation (a double click,
    another tab) gets a 409 instead of importing the rows twice."""
    held = kept_or_claimed(data_dir, token, user_id)
    path = data_dir / "imports" / f"{token}.json"
    try:
        path.rename(path.with_suffix(".json.claimed"))  # atomic: only one request wins
    except FileNotFoundError:
        raise UserError(_ALREADY, status=409) from None
    return held


def kept_or_claimed(data_dir: Path, token: str, user_id: uuid.UUID) -> Kept:
    """`kept`, but a 409 when the upload has already been taken for its import."""
    claimed = data_dir / "imports" / f"{token}.json.claimed"
    if _valid(token) and claimed.is_file():
        raise UserError(_ALREADY, status=409)
    return kept(data_dir, token, user_id)


def forget(data_dir: Path, token: str) -> None:
    """Drop a kept upload's rows once it is imported; an empty marker stays until it expires,
    so a late second confirmation is told the list was imported."""
    claimed = data_dir / "imports" / f"{token}.json.claimed"
    if claimed.is_file():
        claimed.write_bytes(b"")


def _valid(token: str) -> bool:
    return token.replace("-", "").replace("_", "").isalnum() and len(token) < 64


_ALREADY = N_("This list has already been imported. Open the import page to see what was saved.")


def template(columns: tuple[Column, ...], example: list[Any]) -> bytes:
    """An XLSX file with the columns' Vietnamese headers and one example row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    sheet.append(xlsx_row(sheet, [column.header for column in columns]))
    sheet.append(xlsx_row(sheet, example))
    return _saved(book)


def with_errors(plan: Plan, language: str) -> bytes:
    """The uploaded rows as they were, and a last column with each row's errors (empty if none)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Kiểm tra")
    errors = plan.by_row(language)
    width = len(plan.table.headers)
    sheet.append(xlsx_row(sheet, [*plan.table.headers, ERROR_HEADER]))
    for number, cells in plan.table.rows:
        padded = (cells + [""] * width)[:width]
        sheet.append(xlsx_row(sheet, [*padded, errors.get(number, "")]))
    return _saved(book)


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
