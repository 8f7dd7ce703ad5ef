"""The live server the browser tests share is set up as the fixture promises."""

from __future__ import annotations

from tests.browser.support import LiveServer


def test_village_and_accounts_exist(live_server: LiveServer) -> None:
    rows = live_server.sql(
        "SELECT phone, role FROM app_user WHERE phone IN (?, ?, ?) ORDER BY phone",
        live_server.member,
        live_server.second_member,
        live_server.coordinator,
    )
    assert rows == [
        (live_server.member, "member"),
        (live_server.second_member, "member"),
        (live_server.coordinator, "coordinator"),
    ]
    me = live_server.api("GET", "/api/v1/me", phone=live_server.member)
    assert me.status_code == 200, me.text
    assert live_server.village_code in me.text
