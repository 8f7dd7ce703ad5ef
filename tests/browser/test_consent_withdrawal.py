"""Withdrawing consent on the phone, offline (issue 13, "Done means"): the phone number leaves the
server, a colleague's phone, the exports and the history; an erasure empties every personal field
everywhere, the coverage numbers stay right, and a replayed old change brings nothing back."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.browser.member import open_screen, sign_in, sync_now, wait_synced
from tests.browser.support import LiveServer, Phones
from tests.data import mutation

if TYPE_CHECKING:
    from playwright.sync_api import Page

NAME = "Hộ Rút Đồng Ý"
PHONE, STORED_PHONE = "0912 777 888", "0912777888"


def _add_household_with_phone(page: Page) -> str:
    open_screen(page, "#/households/new")
    page.get_by_label(re.compile("Lưu thông tin của hộ")).check()
    page.get_by_label(re.compile("Được gọi điện")).check()
    page.get_by_label("Tên người đồng ý", exact=True).fill(NAME)
    page.get_by_label("Chủ hộ", exact=True).fill(NAME)
    page.get_by_label("Địa chỉ", exact=True).fill("Xóm Đình")
    page.get_by_label("Số điện thoại", exact=True).fill(PHONE)
    page.get_by_label("Số người", exact=True).fill("3")
    page.get_by_label("Số người lớn", exact=True).fill("2")
    page.locator("input[name=ind-vneid][value=level1]").check()
    page.get_by_role("button", name="Lưu trên máy").click()
    page.wait_for_url(re.compile(r"#/households/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[-1]


def _withdraw(page: Page, household: str, purpose: re.Pattern[str], who: str) -> None:
    open_screen(page, f"#/households/{household}")
    page.get_by_role("link", name="Rút lại đồng ý").click()
    page.get_by_label(purpose).check()
    page.get_by_label("Người yêu cầu", exact=True).fill(who)
    page.get_by_label("Qua điện thoại").check()
    page.get_by_role("button", name="Rút lại đồng ý").click()


def _stored(page: Page, household: str) -> Any:
    return page.evaluate("async (id) => window.langso.app.store.get('household', id)", household)


def _everything_about(server: LiveServer, household: str) -> str:
    """Every stored row that names the household, as text (history, conflicts, receipts)."""
    rows: list[Any] = []
    rows += server.sql("SELECT * FROM household WHERE id = ?", household)
    rows += server.sql("SELECT * FROM change_log WHERE record_id = ?", household)
    rows += server.sql("SELECT * FROM sync_conflict WHERE record_id = ?", household)
    rows += [r for r in server.sql("SELECT receipt FROM sync_mutation") if household in str(r)]
    return str(rows)


def test_a_withdrawal_made_offline_reaches_everything_and_an_erasure_empties_it(
    live_server: LiveServer,
    browser_context_factory: Phones,
    screenshots: Callable[[Page, str], Path],
) -> None:
    from playwright.sync_api import expect

    mine = browser_context_factory.open("withdraw-mine")
    page = Phones.page(mine)
    sign_in(page, live_server, live_server.member)
    household = _add_household_with_phone(page)
    wait_synced(page)
    colleague = browser_context_factory.open("withdraw-colleague")
    other = Phones.page(colleague)
    sign_in(other, live_server, live_server.second_member)
    assert _stored(other, household)["data"]["phone"] == STORED_PHONE
    version = _stored(page, household)["version"]
    # A change an old phone sent long ago, with personal data in it: replayed after the erasure.
    old = mutation(household, {"address": "Xóm Đình, cạnh chợ"}, "update", version)
    [first] = live_server.push(live_server.member, "old-phone", [old])
    assert first["status"] == "applied", first

    # Offline, in the household's yard: the household withdraws consent to be called.
    mine.set_offline(True)
    _withdraw(page, household, re.compile("Được gọi điện"), "Chị Hoa, vợ chủ hộ")
    page.wait_for_url(re.compile(rf"#/households/{household}$"))
    expect(page.locator("dl.facts")).not_to_contain_text(PHONE)
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    outbox = page.evaluate("async () => window.langso.app.store.outbox()")
    assert [e["type"] for e in outbox] == ["consent_withdrawal"]
    assert STORED_PHONE not in str(outbox) and PHONE not in str(outbox)
    screenshots(page, "29-consent-withdrawn-offline")

    mine.set_offline(False)
    sync_now(page)
    wait_synced(page)

    [(phone, consent)] = live_server.sql(
        "SELECT phone, consent FROM household WHERE id = ?", household
    )
    consent = json.loads(consent) if isinstance(consent, str) else consent
    assert phone is None and consent["purposes"] == ["support_records"]
    assert STORED_PHONE not in _everything_about(live_server, household)
    sync_now(other)
    wait_synced(other)
    assert _stored(other, household)["data"]["phone"] is None
    open_screen(other, f"#/households/{household}")
    expect(other.locator("dl.facts")).not_to_contain_text(PHONE)
    [(village, commune)] = live_server.sql(
        "SELECT village_code, commune_code FROM household WHERE id = ?", household
    )
    history = live_server.api(
        "GET", f"/api/v1/households/{household}/history", live_server.coordinator
    )
    assert history.status_code == 200 and STORED_PHONE not in history.text
    export = live_server.api(
        "GET", f"/coverage/{commune}/export/households.csv", live_server.coordinator
    )
    assert export.status_code == 200 and NAME in export.text and STORED_PHONE not in export.text
    coverage = live_server.api("GET", f"/api/v1/coverage/{village}", live_server.coordinator)

    # The household then asks for everything to be erased: the colleague records it.
    other.once("dialog", lambda dialog: dialog.accept())
    _withdraw(other, household, re.compile("Lưu thông tin của hộ"), "Ông chủ hộ")
    other.wait_for_url(re.compile(r"#/households$"))
    expect(other.locator("#view")).not_to_contain_text(NAME)
    sync_now(other)
    wait_synced(other)

    [row] = live_server.sql(
        "SELECT head_name, address, phone, notes, consent, deleted FROM household WHERE id = ?",
        household,
    )
    assert row[:4] == ("", "", None, "") and row[4] is None and row[5]
    stored = _everything_about(live_server, household)
    for value in (NAME, "Xóm Đình", STORED_PHONE, "Chị Hoa", "Ông chủ hộ"):
        assert value not in stored, value
    after = live_server.api("GET", f"/api/v1/coverage/{village}", live_server.coordinator)
    assert after.json() == coverage.json()
    export = live_server.api(
        "GET", f"/coverage/{commune}/export/households.csv", live_server.coordinator
    )
    assert household not in export.text and NAME not in export.text
    sync_now(page)
    wait_synced(page)
    assert _stored(page, household)["deleted"] is True
    open_screen(page, "#/households")
    expect(page.locator("#view")).not_to_contain_text(NAME)
    screenshots(page, "30-erased-household-gone")

    [replayed] = live_server.push(live_server.member, "old-phone", [old])
    stale = mutation(household, {"head_name": NAME}, "update", version)
    [refused] = live_server.push(live_server.member, "stale-phone", [stale])
    assert replayed["status"] == "duplicate" and "Xóm Đình" not in str(replayed)
    assert refused["status"] == "rejected" and "đã bị xoá" in refused["errors"][0]["message"]
    assert NAME not in _everything_about(live_server, household)
