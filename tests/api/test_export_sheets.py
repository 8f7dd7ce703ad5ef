"""Issue 12, item 8: an XLSX export is a sheet a commune officer can hand upward as it is.

A title row saying what, where and when; the header frozen and filterable; numbers, percents and
dates as real numbers and dates; a totals row whose numbers are the sums; the record id last.
"""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from server.accounts import roles
from server.areas.services import add_village
from tests.data import COMMUNE_A, household_data, mutation

SKILLS = {
    key: True
    for key in (
        "skill_public_services",
        "skill_online_shopping",
        "skill_online_payment",
        "skill_cyber_safety",
        "skill_local_platforms",
    )
}


@pytest.fixture
async def two_villages(push, user, login):
    """Two villages of commune A, each with households of known sizes."""
    made = []
    for estimate, people in ((10, (3, 5)), (8, (6,))):
        place = await add_village(COMMUNE_A, f"Thôn Báo Cáo {uuid.uuid4().hex[:6]}", estimate)
        member = await login(await user(roles.MEMBER, place.code))
        mutations = [
            mutation(
                uuid.uuid4(),
                household_data(
                    place.code,
                    people_count=n,
                    adult_count=2,
                    indicators={**SKILLS, "vneid": "level2"},
                ),
            )
            for n in people
        ]
        await push(member, f"d-{place.code}", mutations, expect={"applied"})
        made.append(place)
    return made


def _sheet(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def _values(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


async def test_coverage_sheet_has_title_frozen_header_filter_percents_and_totals(
    client, login, user, two_villages
):
    village = two_villages[0]
    headers = await login(await user(roles.COORDINATOR, village.code, language="en"))

    response = await client.get(f"/coverage/{village.code}/export/coverage.xlsx", headers=headers)

    assert response.status_code == 200, response.text
    sheet = _sheet(response.content)
    rows = _values(sheet)
    title = rows[0][0]
    assert title.startswith("Coverage by village — ") and village.name in title
    assert datetime.now().strftime("%Y") in title  # when
    assert sheet["A1"].font.b
    header = rows[1]
    assert header[:3] == ("Province", "Commune", "Village")
    assert sheet.freeze_panes == "D3"  # header and the place's names stay in view
    assert sheet.auto_filter.ref == f"A2:{sheet.cell(2, len(header)).column_letter}3"
    line, total = sheet[3], sheet[4]
    assert (line[4].value, line[5].value) == (10, 2)  # numbers are numbers
    assert line[6].value == pytest.approx(0.2) and line[6].number_format == "0.0%"
    assert total[0].value == "Total" and total[0].font.b
    assert (total[4].value, total[5].value) == (10, 2)
    assert all(sheet.column_dimensions[c].width >= 12 for c in "ABCDEFG")


async def test_a_commune_coverage_total_is_the_sum_of_its_villages(
    client, login, user, two_villages
):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A, language="en"))

    response = await client.get(f"/coverage/{COMMUNE_A}/export/coverage.xlsx", headers=headers)

    sheet = _sheet(response.content)
    rows = _values(sheet)
    header, data, total = rows[1], rows[2:-1], rows[-1]
    assert total[0] == "Total"
    assert "Thôn Báo Cáo" not in str(total)
    for i, name in enumerate(header):
        if i < 4:
            continue
        cell = sheet.cell(len(rows), i + 1)
        if "percent" in name.lower() or name.startswith("Percent"):
            assert cell.number_format == "0.0%", name
            assert total[i] is None or 0 <= total[i] <= 1, name
        else:
            assert total[i] == sum(row[i] or 0 for row in data), name
    onboarded = header.index("Households onboarded")
    share = header.index("Onboarded, percent of estimate")
    assert total[share] == pytest.approx(
        round(total[onboarded] / total[onboarded - 1], 3), abs=0.001
    )
    assert len(data) >= 2 and sheet.auto_filter.ref.endswith(str(len(rows) - 1))


async def test_household_sheet_has_dates_totals_and_the_record_id_last(
    client, login, user, two_villages
):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A, language="vi"))
    place = two_villages[0]

    response = await client.get(f"/coverage/{place.code}/export/households.xlsx", headers=headers)

    assert response.status_code == 200, response.text
    sheet = _sheet(response.content)
    rows = _values(sheet)
    assert rows[0][0].startswith("Danh sách hộ — ") and place.name in rows[0][0]
    header = rows[1]
    assert header[0] == "Xã" and header[-1] == "Mã hồ sơ"
    assert sheet.freeze_panes == "D3"
    assert sheet.auto_filter.ref == f"A2:{sheet.cell(2, len(header)).column_letter}4"
    data, total = rows[2:-1], rows[-1]
    assert len(data) == 2
    people, adults = header.index("Số người"), header.index("Số người lớn")
    assert sorted(row[people] for row in data) == [3, 5]
    assert (total[people], total[adults]) == (8, 4)
    assert total[0] == "Tổng: 2 hộ"
    onboarded = header.index("Ngày ghi nhận")
    assert isinstance(data[0][onboarded], datetime)
    assert sheet.cell(3, onboarded + 1).number_format == "DD/MM/YYYY"
    target = header.index("Mục tiêu quốc gia: hộ có người sử dụng thành thạo 05 kỹ năng số cơ bản")
    assert {row[target] for row in data} == {"Có"} and total[target] == 2
    assert all(len(str(row[-1])) == 36 for row in data)  # the record id, for the next export
