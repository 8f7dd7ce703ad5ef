"""A commune coordinator drills down to a village on a phone and downloads the Excel report."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page

from tests.browser.support import COMMUNE, LiveServer, Phones
from tests.data import household_data, mutation

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


def _seed(server: LiveServer) -> int:
    """Households in the test village through the sync API; returns how many meet the target."""
    indicators = [SKILLS, SKILLS, {"vneid": "level2"}, {}, {"skill_cyber_safety": True}]
    mutations = [
        mutation(uuid.uuid4(), household_data(server.village_code, indicators=values))
        for values in indicators
    ]
    receipts = server.push(server.second_member, "coverage-seed", mutations)
    assert {receipt["status"] for receipt in receipts} == {"applied"}, receipts
    return 2


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


def test_coordinator_drills_down_and_downloads_xlsx(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    before = live_server.api(
        "GET", f"/api/v1/coverage/{live_server.village_code}", phone=live_server.coordinator
    ).json()["area"]
    meeting = _seed(live_server)
    page = Phones.page(browser_context_factory.open("coordinator", accept_downloads=True))

    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Số điện thoại di động").fill(live_server.coordinator)
    page.get_by_label("Mật khẩu").fill(live_server.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Độ phủ, hoạt động của tổ và báo cáo").click()

    page.wait_for_url(f"**/coverage/{COMMUNE}")
    assert page.locator("#children-table").is_visible()
    _no_sideways_scroll(page)
    screenshots(page, "coverage-commune")
    page.locator("#children-table").get_by_role("link", name="Thôn Thử Nghiệm").click()

    page.wait_for_url(f"**/coverage/{live_server.village_code}")
    page.get_by_role("heading", level=1, name="Thôn Thử Nghiệm").wait_for()
    households = before["households"] + 5
    assert page.get_by_test_id("households").inner_text() == str(households)
    assert page.get_by_test_id("target").inner_text() == str(before["target"] + meeting)
    _no_sideways_scroll(page)
    screenshots(page, "coverage-village")

    with page.expect_download() as download_info:
        page.get_by_role("listitem").filter(has_text="Độ phủ theo thôn").get_by_role(
            "link", name="Excel (XLSX)"
        ).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    header, data = rows[1], rows[2:-1]  # a title above, the totals below
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["Mã thôn"] == live_server.village_code
    assert row["Thôn"] == "Thôn Thử Nghiệm"
    assert row["Số hộ ước tính"] == 2000
    assert row["Số hộ đã ghi nhận"] == households
    target = "Mục tiêu quốc gia: hộ có người sử dụng thành thạo 05 kỹ năng số cơ bản"
    assert row[target] == before["target"] + meeting
    page.get_by_role("link", name="Hoạt động của tổ và tình trạng đồng bộ").click()
    page.wait_for_url(f"**/coverage/{live_server.village_code}/activity")
    assert page.locator('tr[data-device="coverage-seed"]').is_visible()
    _no_sideways_scroll(page)
    screenshots(page, "coverage-activity")

    exports = live_server.sql(
        "SELECT count(*) FROM change_log WHERE record_type = ? AND op = ?", "export", "export"
    )
    assert exports[0][0] >= 1
