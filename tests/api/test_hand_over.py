"""A member signs in once: from the server's pages straight into the app (issue 12, point 3).

The page sign-in sends a member to `/app?signed-in`; the app asks for the page session's CSRF
token and exchanges the cookie for a bearer token of its own. Without the token, from a bearer
caller, or with no page session, nothing is handed over.
"""

from __future__ import annotations

from server.accounts import roles
from tests.api.html import csrf
from tests.data import COMMUNE_A, PASSWORD


async def test_a_member_who_signs_in_on_the_pages_lands_in_the_app(new_browser, user, village):
    member = await user(roles.MEMBER, (await village()).code)
    browser = await new_browser()
    form = await browser.get("/sign-in")

    signed = await browser.post(
        "/sign-in", data={"csrf_token": csrf(form), "phone": member.phone, "password": PASSWORD}
    )
    again = await browser.get("/")

    assert signed.status_code == 303
    assert signed.headers["location"] == "/app?signed-in"
    assert again.headers["location"] == "/app?signed-in"
    assert 'href="/app?signed-in"' in (await browser.get("/home")).text


async def test_the_app_takes_the_page_sign_in_over_with_the_csrf_token(signed_in, user, village):
    member = await user(roles.MEMBER, (await village()).code)
    browser = await signed_in(member)

    token = (await browser.get("/api/v1/session/csrf")).json()["csrf_token"]
    handed = await browser.post("/api/v1/session/hand-over", headers={"X-CSRF-Token": token})

    assert handed.status_code == 200
    body = handed.json()
    assert body["user"]["id"] == str(member.id)
    me = await browser.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["id"] == str(member.id)


async def test_nothing_is_handed_over_without_the_token_or_a_page_session(
    signed_in, new_browser, login, user, village
):
    member = await user(roles.MEMBER, (await village()).code)
    browser = await signed_in(member)
    stranger = await new_browser()
    bearer = await login(member)

    forged = await browser.post("/api/v1/session/hand-over", headers={"X-CSRF-Token": "gia"})
    bare = await browser.post("/api/v1/session/hand-over")
    anonymous = await stranger.post("/api/v1/session/hand-over")
    by_token = await stranger.post("/api/v1/session/hand-over", headers=bearer)
    token_csrf = await stranger.get("/api/v1/session/csrf", headers=bearer)

    assert (forged.status_code, bare.status_code) == (403, 403)
    assert (anonymous.status_code, by_token.status_code, token_csrf.status_code) == (401, 401, 401)
    assert "token" not in forged.json()


async def test_coordinators_still_land_on_their_home_page(signed_in, new_browser, user):
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await new_browser()
    form = await browser.get("/sign-in")

    signed = await browser.post(
        "/sign-in",
        data={"csrf_token": csrf(form), "phone": coordinator.phone, "password": PASSWORD},
    )

    assert signed.headers["location"] == "/home"
