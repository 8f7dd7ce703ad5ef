"""Coordinators bring in the lists they keep: a real-looking file, a preview, then the import."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import load_workbook

from server.accounts import roles
from server.areas.models import Area
from server.households.models import Household
from server.search import fold
from server.syncable.models import ChangeLog
from tests.api.html import alert, csrf
from tests.data import COMMUNE_A, COMMUNE_B
from tests.export_corpus import FORMULAS
from tests.import_files import household_rows as _rows
from tests.import_files import household_xlsx as _xlsx


async def _upload(browser: Any, path: str, name: str, body: bytes, **fields: str) -> Any:
    page = await browser.get("/manage/import")
    data = {"csrf_token": csrf(page), **fields}
    return await browser.post(path, data=data, files={"file": (name, body)})


def _token(page: Any) -> str:
    match = re.search(r'name="token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def _count(page: Any, label: str) -> int:
    match = re.search(rf"{label}: (\d+)", page.text)
    assert match, page.text
    return int(match.group(1))


async def test_a_list_with_title_rows_and_three_bad_rows_is_previewed_then_imported(
    village, user, signed_in, login, pull_all
):
    place = await village()
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    member = await login(await user(roles.MEMBER, place.code))
    browser = await signed_in(coordinator)
    body = _xlsx(_rows(200, "Một"))

    preview = await _upload(
        browser, "/manage/import/households", "ds.xlsx", body, village=place.code
    )

    assert preview.status_code == 200, preview.text
    assert _count(preview, "Thêm mới") == 197
    assert _count(preview, "Dòng có lỗi, không nhập") == 3
    assert await Household.filter(village_code=place.code).count() == 0  # nothing saved yet
    text = preview.text
    assert "Cot cua xa" in text and "STT" in text  # extra columns are reported
    for row in (4 + 41, 4 + 102, 4 + 166):  # the header is on row 4
        assert f"<td>{row}</td>" in text
    assert "Nhập số điện thoại di động Việt Nam" in text
    assert "Hãy nhập số nguyên" in text
    errors = await browser.get(f"/manage/import/errors/{_token(preview)}")
    assert errors.status_code == 200
    sheet = load_workbook(io.BytesIO(errors.content), read_only=True).worksheets[0]
    got = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert got[0][-1] == "Lỗi cần sửa" and len(got) == 201
    assert got[41][-1] and not got[40][-1]

    done = await browser.post(
        "/manage/import/confirm", data={"csrf_token": csrf(preview), "token": _token(preview)}
    )

    assert done.status_code == 303
    saved = await Household.filter(village_code=place.code).order_by("head_name")
    assert len(saved) == 197
    first = next(h for h in saved if h.head_name == "Nguyễn Văn Một 1")
    assert first.phone == "0912000001" and first.people_count == 2
    assert first.consent["purposes"] == ["support_records"]
    assert first.consent["given_at"].startswith("2025-03-25T00:00:00+07:00")
    logged = await ChangeLog.filter(record_type="household", record_id=first.id).first()
    assert logged is not None and logged.device_id == f"web:{coordinator.id}"
    changes, _, _ = await pull_all(member, limit=500)
    pulled = {c["record_id"] for c in changes if c["type"] == "household"}
    assert {str(h.id) for h in saved} <= pulled

    again = await _upload(browser, "/manage/import/households", "ds.xlsx", body, village=place.code)
    assert _count(again, "Thêm mới") == 0
    assert _count(again, "Đã có, giữ nguyên") == 197
    assert 'name="token"' not in again.text
    assert await Household.filter(village_code=place.code).count() == 197


async def test_a_cp1252_csv_with_a_village_column_goes_into_each_rows_village(
    village, user, signed_in
):
    east, west = await village(), await village()
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Danh sach ho"])
    writer.writerow(["Thon", "Ho ten chu ho", "SDT", "Nguoi dong y", "Ngay dong y", "Dong y"])
    writer.writerow([east.code, "Vang A Dé", "0912 111 222", "Vang A Dé", "1/2/2025", "co"])
    writer.writerow([fold(west.name).upper(), "Lo Thi Mái", "", "Lo Van Binh", "2025-02-03", "x"])
    body = out.getvalue().encode("cp1252")

    preview = await _upload(
        browser, "/manage/import/households", "ds.csv", body, commune=COMMUNE_A, village=""
    )

    assert preview.status_code == 200, preview.text
    assert _count(preview, "Thêm mới") == 2
    await browser.post(
        "/manage/import/confirm", data={"csrf_token": csrf(preview), "token": _token(preview)}
    )
    assert (await Household.get(village_code=east.code)).head_name == "Vang A Dé"
    assert (await Household.get(village_code=west.code)).head_name == "Lo Thi Mái"


async def test_a_changed_row_updates_the_household_it_names(village, user, signed_in):
    place = await village()
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    rows = _rows(3, "Hai")
    first = await _upload(
        browser, "/manage/import/households", "a.xlsx", _xlsx(rows), village=place.code
    )
    await browser.post(
        "/manage/import/confirm", data={"csrf_token": csrf(first), "token": _token(first)}
    )
    twice = await browser.post(
        "/manage/import/confirm", data={"csrf_token": csrf(first), "token": _token(first)}
    )
    assert twice.status_code == 409
    assert alert(twice).startswith("Danh sách này đã được nhập")
    rows[0][2] = "Xóm mới"

    second = await _upload(
        browser, "/manage/import/households", "a.xlsx", _xlsx(rows), village=place.code
    )

    assert (_count(second, "Thêm mới"), _count(second, "Cập nhật")) == (0, 1)
    await browser.post(
        "/manage/import/confirm", data={"csrf_token": csrf(second), "token": _token(second)}
    )
    assert (await Household.get(head_name="Nguyễn Văn Hai 1")).address == "Xóm mới"
    assert await Household.filter(village_code=place.code).count() == 3


async def test_another_communes_village_is_refused(village, user, signed_in):
    elsewhere = await village(COMMUNE_B)
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))

    response = await _upload(
        browser,
        "/manage/import/households",
        "a.xlsx",
        _xlsx(_rows(2, "Ba")),
        village=elsewhere.code,
    )

    assert response.status_code == 403
    assert alert(response) == "Thôn này không thuộc địa bàn của bạn."
    assert await Household.filter(village_code=elsewhere.code).count() == 0
    admin = await signed_in(await user(roles.ADMIN))
    anywhere = await _upload(
        admin, "/manage/import/households", "a.xlsx", _xlsx(_rows(2, "Ba")), village=elsewhere.code
    )
    assert _count(anywhere, "Thêm mới") == 2


async def test_a_file_that_is_not_a_list_is_refused_in_vietnamese(village, user, signed_in):
    place = await village()
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))

    broken = await _upload(
        browser, "/manage/import/households", "a.xlsx", b"PK\x03\x04broken", village=place.code
    )
    headless = await _upload(
        browser, "/manage/import/households", "a.csv", b"a,b\n1,2\n", village=place.code
    )
    no_consent = await _upload(
        browser,
        "/manage/import/households",
        "a.xlsx",
        _xlsx([["Nguyễn Văn An", "0912345678"]], ["Ho ten chu ho", "So dien thoai"]),
        village=place.code,
    )

    assert broken.status_code == 422
    assert alert(broken).startswith("Không đọc được tệp này")
    assert headless.status_code == 422
    assert alert(headless).startswith("Không tìm thấy dòng tên cột")
    assert no_consent.status_code == 422
    assert "Người đồng ý" in alert(no_consent)


async def test_the_template_has_vietnamese_headers_and_an_example(user, signed_in):
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))

    response = await browser.get("/manage/import/households/template.xlsx")

    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    headers, example = list(sheet.iter_rows(values_only=True))
    assert "Họ tên chủ hộ" in headers and "Người đồng ý" in headers
    assert "Đồng ý: Lưu thông tin của hộ để tổ hỗ trợ" in headers
    assert example[headers.index("Họ tên chủ hộ")] == "Nguyễn Văn An"


async def test_villages_are_imported_for_a_commune(village, user, signed_in):
    known = await village(households=10)
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    tag = known.name.rsplit(" ", 1)[-1]
    rows = [
        [f"Bản Nhập {tag}", "ban", "45"],
        [f"Tổ dân phố Nhập {tag}", "Tổ dân phố", ""],
        [known.name, "thôn", 12],
        [f"Thôn Lỗi {tag}", "phường", 5],
    ]
    headers = ["Ten thon", "Loai", "So ho"]

    preview = await _upload(
        browser, "/manage/import/villages", "thon.xlsx", _xlsx(rows, headers), commune=COMMUNE_A
    )

    assert preview.status_code == 200, preview.text
    assert (_count(preview, "Thêm mới"), _count(preview, "Cập nhật")) == (2, 1)
    assert _count(preview, "Dòng có lỗi, không nhập") == 1
    await browser.post(
        "/manage/import/confirm", data={"csrf_token": csrf(preview), "token": _token(preview)}
    )
    ban = await Area.get(name=f"Bản Nhập {tag}")
    assert (ban.division_type, ban.household_estimate, ban.commune_code) == ("bản", 45, COMMUNE_A)
    assert (await Area.get(code=known.code)).household_estimate == 12


async def test_only_coordinators_and_admins_import_and_a_preview_is_its_senders(
    village, user, signed_in
):
    place = await village()
    member = await signed_in(await user(roles.MEMBER, place.code))
    trainer = await signed_in(await user(roles.TRAINER, COMMUNE_A))
    coordinator = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    other = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    preview = await _upload(
        coordinator,
        "/manage/import/households",
        "a.xlsx",
        _xlsx(_rows(2, "Bốn")),
        village=place.code,
    )

    for browser in (member, trainer):
        assert (await browser.get("/manage/import")).status_code == 403
        assert (await browser.get("/manage/import/households/template.xlsx")).status_code == 403
    stolen = await other.get(f"/manage/import/errors/{_token(preview)}")
    page = await other.get("/manage/import")
    confirm = await other.post(
        "/manage/import/confirm", data={"csrf_token": csrf(page), "token": _token(preview)}
    )
    assert (stolen.status_code, confirm.status_code) == (404, 404)
    assert alert(confirm) == "Bản xem trước đã hết hạn. Hãy chọn lại tệp."
    assert await Household.filter(village_code=place.code).count() == 0


async def test_a_file_over_5_mb_is_refused_before_it_is_read(village, user, signed_in):
    place = await village()
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    big = b"Ho ten chu ho,Nguoi dong y\n" + b"x" * (5 * 1024 * 1024)

    response = await _upload(browser, "/manage/import/households", "a.csv", big, village=place.code)

    assert response.status_code == 422
    assert alert(response) == "Tệp quá lớn (tối đa 5 MB). Hãy chia thành nhiều tệp nhỏ hơn."


async def test_an_older_consent_in_the_file_does_not_replace_a_newer_one(village, user, signed_in):
    place = await village()
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    rows = _rows(1, "Năm")
    first = await _upload(
        browser, "/manage/import/households", "a.xlsx", _xlsx(rows), village=place.code
    )
    await browser.post(
        "/manage/import/confirm", data={"csrf_token": csrf(first), "token": _token(first)}
    )
    rows[0][5], rows[0][6] = "Con gái chủ hộ", "01/01/2025"  # an older paper form

    older = await _upload(
        browser, "/manage/import/households", "a.xlsx", _xlsx(rows), village=place.code
    )
    rows[0][6] = "01/06/2025"
    newer = await _upload(
        browser, "/manage/import/households", "a.xlsx", _xlsx(rows), village=place.code
    )

    assert (_count(older, "Cập nhật"), _count(older, "Đã có, giữ nguyên")) == (0, 1)
    assert _count(newer, "Cập nhật") == 1


async def test_hostile_cells_come_back_as_text_in_the_error_file(village, user, signed_in):
    place = await village()
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    rows = _rows(len(FORMULAS), "Sáu")
    for row, formula in zip(rows, FORMULAS, strict=True):
        row[2] = formula  # the address column
        row[3] = "12"  # a bad phone: every row is in the error file's list
    preview = await _upload(
        browser, "/manage/import/households", "a.xlsx", _xlsx(rows), village=place.code
    )

    link = re.search(r'href="(/manage/import/errors/[^"]+)"', preview.text)
    assert link, preview.text
    errors = await browser.get(link.group(1))

    sheet = load_workbook(io.BytesIO(errors.content)).worksheets[0]
    addresses = [sheet.cell(row=n + 2, column=3) for n in range(len(FORMULAS))]
    assert [cell.value for cell in addresses] == [f.strip() for f in FORMULAS]
    assert {cell.data_type for cell in addresses} == {"s"}


async def test_a_row_for_another_village_is_not_put_into_the_chosen_one(village, user, signed_in):
    chosen, other = await village(), await village()
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    headers = ["Thon", "Ho ten chu ho", "Nguoi dong y", "Ngay dong y", "Dong y"]
    rows = [
        [chosen.name, "Đinh Văn Một", "Đinh Văn Một", "01/02/2025", "Có"],
        ["", "Đinh Văn Hai", "Đinh Văn Hai", "01/02/2025", "Có"],
        [other.code, "Đinh Văn Ba", "Đinh Văn Ba", "01/02/2025", "Có"],
    ]

    preview = await _upload(
        browser, "/manage/import/households", "a.xlsx", _xlsx(rows, headers), village=chosen.code
    )

    assert _count(preview, "Thêm mới") == 2
    assert "Dòng này thuộc thôn khác" in preview.text
