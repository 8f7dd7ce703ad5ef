"""A province coordinator reads the province's 166 communes on a 360 × 640 phone (issue 12, item 7).

The communes furthest behind come first, a page at a time; the communes with no household yet
are one line, closed until opened. The page stays a few screens tall.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page

from tests.browser.support import LiveServer, Phones, _cli
from tests.data import household_data, mutation

PROVINCE = "38"
PROVINCE_COORDINATOR = "0987000038"
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


def _village_in(server: LiveServer, commune: str, name: str) -> str:
    printed = _cli(
        server.env, "village", "add", "--commune", commune, "--name", name, "--households", "100"
    )
    return printed.strip().splitlines()[-1].split()[-1]


def _seed(server: LiveServer) -> tuple[str, str]:
    """Two more communes with households: `ahead` meets the target once, `behind` never."""
    communes = [
        str(row[0])
        for row in server.sql(
            "SELECT code FROM area WHERE kind = 'commune' AND province_code = ? ORDER BY code",
            PROVINCE,
        )
    ]
    assert len(communes) > 150, len(communes)
    ahead, behind = communes[-1], communes[-2]
    _cli(
        server.env, "user", "add", "--phone", PROVINCE_COORDINATOR, "--name", "Điều Phối Tỉnh",
        "--role", "coordinator", "--area", PROVINCE, "--password-stdin",
        stdin=f"{server.password}\n",
    )  # fmt: skip
    for commune, values in ((ahead, [SKILLS]), (behind, [{}, {}, {}])):
        village = _village_in(server, commune, f"Thôn Tỉnh {commune}")
        member = f"09871{commune}"
        _cli(
            server.env, "user", "add", "--phone", member, "--name", "Tổ Viên Tỉnh",
            "--role", "member", "--area", village, "--password-stdin",
            stdin=f"{server.password}\n",
        )  # fmt: skip
        mutations = [mutation(uuid.uuid4(), household_data(village, indicators=v)) for v in values]
        receipts = server.push(member, f"province-{commune}", mutations)
        assert {r["status"] for r in receipts} == {"applied"}, receipts
    return ahead, behind


def test_province_dashboard_puts_the_communes_behind_first_and_folds_the_empty_ones(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    ahead, behind = _seed(live_server)
    page = Phones.page(browser_context_factory.open("province"))
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Số điện thoại di động").fill(PROVINCE_COORDINATOR)
    page.get_by_label("Mật khẩu").fill(live_server.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/coverage/{PROVINCE}")
    page.locator("#children-table").wait_for()
    screenshots(page, "province-dashboard-after")
    page.evaluate("document.querySelector('#children-table').scrollIntoView()")
    screenshots(page, "province-dashboard-communes-after")
    page.evaluate("window.scrollTo(0, 0)")

    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 5_000, height  # was about 16,000 px
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width

    shown = page.locator("#children-table tbody tr").evaluate_all(
        "(rows) => rows.map((r) => r.dataset.code)"
    )
    assert shown.index(behind) < shown.index(ahead)  # furthest behind first
    assert len(shown) <= 20
    idle = page.locator("#children-idle")
    assert not idle.evaluate("(d) => d.open")
    summary = idle.locator("summary").inner_text()
    assert "chưa có hộ nào" in summary, summary
    idle.locator("summary").click()
    assert idle.get_by_role("link").count() > 100  # each commune still one tap away
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
