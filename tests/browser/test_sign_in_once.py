"""A member who opens the server's address signs in once and lands in the app (issue 12, 3)."""

from __future__ import annotations

from tests.browser.member import wait_synced
from tests.browser.support import LiveServer, Phones


def test_a_member_signs_in_on_the_server_page_and_lands_in_the_app_signed_in(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    page = phones.page(phones.open("sign-in-once"))

    page.goto(f"{live_server.url}/")  # the address a coordinator reads out
    page.get_by_label("Số điện thoại").fill(live_server.member)
    page.get_by_label("Mật khẩu").fill(live_server.password)
    page.get_by_role("button", name="Đăng nhập").click()

    # Straight into the app, signed in as that member: no second password.
    page.get_by_role("link", name="Thêm hộ").wait_for(timeout=30_000)
    wait_synced(page)
    assert page.url.startswith(f"{live_server.url}/app")
    assert "signed-in" not in page.url  # the hand-over marker is gone from the address
    assert page.get_by_label("Mật khẩu").count() == 0
    signed_in_as = page.evaluate("() => window.langso.app.account.user.name")
    assert signed_in_as == "Người Thử Một"

    page.reload()  # and it stays signed in, as after the app's own sign-in
    page.get_by_role("link", name="Thêm hộ").wait_for(timeout=30_000)
