"""The record of processing: purposes, data, people, recipients, storage, security, requests and
incidents, as Markdown and XLSX, counted from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from server.accounts import roles
from server.content import curriculum
from server.rights import clocks, record, record_files
from server.rights.models import DataRequest, Incident
from server.rights.services import clock_of
from tests.data import COMMUNE_A


async def _tally(kind: str) -> tuple[int, int, int, int]:
    """Received, on time, late, open: counted here from the table, not by the report's code."""
    found = await DataRequest.filter(kind=kind)
    today = clocks.local_date()
    closed = [r for r in found if r.done_at or r.refused_at]
    on_time = sum(
        clock_of(r, today).complete_by >= clocks.local_date(r.done_at or r.refused_at)
        for r in closed
    )
    return len(found), on_time, len(closed) - on_time, len(found) - len(closed)


async def test_the_report_counts_requests_by_kind_and_timeliness(
    client, user, login, settings, tmp_path: Path
):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))
    today = clocks.local_date()
    base = {"requester": "Ông An", "channel": "phone", "area_code": COMMUNE_A}
    ids = []
    for kind, received in (
        ("erasure", today),
        ("erasure", today - timedelta(days=60)),
        ("objection", today),
    ):
        response = await client.post(
            "/api/v1/data-requests",
            json={**base, "kind": kind, "received_on": received.isoformat()},
            headers=headers,
        )
        ids.append(response.json()["id"])
    await client.post(f"/api/v1/data-requests/{ids[0]}/done", json={}, headers=headers)
    await client.post(
        f"/api/v1/data-requests/{ids[2]}/refuse",
        json={"reason": "Không có căn cứ"},
        headers=headers,
    )
    await client.post(
        "/api/v1/incidents",
        json={
            "what": '=HYPERLINK("x")',
            "discovered_at": datetime.now(UTC).isoformat(),
            "severity": "low",
            "area_code": COMMUNE_A,
            "household_count": 3,
        },
        headers=headers,
    )
    now = datetime.now(UTC)

    sections = await record.build("vi", record.Where.of(settings), now)
    md, xlsx = record_files.write(sections, "vi", tmp_path / "out", now)

    text = md.read_text(encoding="utf-8")
    for kind in ("erasure", "objection"):
        received, on_time, late, open_ = await _tally(kind)
        row = next(r for r in sections[6].rows if r[0] == _vi(kind))
        assert row[1:4] == (received, on_time, late) and row[5] == open_, row
        assert f"| {_vi(kind)} | {received} | {on_time} | {late} |" in text
    assert "## Mục đích" in text and "support_records" in text
    assert "argon2" in text and str(settings.data_dir) in text
    assert len(sections[7].rows) == await Incident.all().count()
    book = openpyxl.load_workbook(xlsx)
    assert len(book.sheetnames) == len(sections)
    requests_sheet = book[book.sheetnames[6]]
    values = [[c.value for c in row] for row in requests_sheet.iter_rows()]
    assert [_vi("erasure"), *(await _tally("erasure"))[:3]] == values[1 + 3][:4]
    for sheet in book.worksheets:  # every text cell is text, never a formula
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def _vi(kind: str) -> str:
    return {
        "erasure": "Xoá dữ liệu",
        "objection": "Phản đối việc xử lý dữ liệu",
    }[kind]


@dataclass(frozen=True)
class _Purpose:
    key: str
    required: bool
    label: dict[str, str]
    help: dict[str, str]
    retention_days: int


async def test_retention_is_read_from_each_purpose_when_content_gives_it(
    app, settings, monkeypatch: pytest.MonkeyPatch
):
    kept = _Purpose("support_records", True, {"vi": "Lưu", "en": "Keep"}, {"vi": "", "en": ""}, 730)
    monkeypatch.setattr(curriculum, "consent_purposes", lambda: (kept,))

    sections = await record.build("en", record.Where.of(settings))

    assert sections[0].rows == [
        ("support_records", "Keep", "required", 730, "consent of the household")
    ]
    assert record.retention(object()) is None  # before consent.toml has `retention_days`
