"""The pages a person sees in a browser: sign in, each role's home, password, language, errors."""

from __future__ import annotations

import re

import httpx
import pytest

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.models import User
from tests.api.html import csrf
from tests.data import COMMUNE_A, PASSWORD
from tests.paths import REPO_ROOT

NEW_PASSWORD = "mat-khau-moi-2026"
TEMPLATES = REPO_ROOT / "pwa" / "templates"


def _field(page: httpx.Response, name: str) -> str:
    """The `<input>` tag of a form field."""
    match = re.search(rf'<input[^>]*\sname="{name}"[^>]*>', page.text)
    assert match, page.text
    return match.group(0)


def _alert(page: httpx.Response) -> str:
    match = re.search(r'<p[^>]*role="alert"[^>]*>(.*?)</p>', page.text, re.S)
    assert match, page.text
    return match.group(1).strip()


async def _sign_in(
    browser: httpx.AsyncClient, phone: str, password: str = PASSWORD
) -> httpx.Response:
    form = await browser.get("/sign-in")
    return await browser.post(
        "/sign-in", data={"csrf_token": csrf(form), "phone": phone, "password": password}
    )


# Signing in


async def test_the_start_page_sends_people_to_sign_in(new_browser):
    response = await (await new_browser()).get("/")

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


@pytest.mark.parametrize(
    ("accept_language", "lang", "title", "label"),
    [
        (None, "vi", "Đăng nhập", "Số điện thoại di động"),
        ("fr-FR,fr;q=0.9", "vi", "Đăng nhập", "Số điện thoại di động"),
        ("en-GB,en;q=0.8", "en", "Sign in", "Mobile number"),
    ],
    ids=["default", "unsupported", "en"],
)
async def test_sign_in_page_speaks_vietnamese_first(
    new_browser, accept_language, lang, title, label
):
    response = await (await new_browser(accept_language)).get("/sign-in")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert f'<html lang="{lang}">' in response.text
    assert f"<h1>{title}</h1>" in response.text
    assert label in response.text


@pytest.mark.parametrize("token", [None, "", "gia-mao"], ids=["missing", "empty", "forged"])
async def test_sign_in_without_the_forms_token_is_refused(new_browser, user, token):
    member = await user(roles.MEMBER)
    browser = await new_browser()
    await browser.get("/sign-in")
    form = {"phone": member.phone, "password": PASSWORD}
    if token is not None:
        form["csrf_token"] = token

    response = await browser.post("/sign-in", data=form)

    assert response.status_code == 403
    assert _alert(response) == "Biểu mẫu này đã hết hạn. Vui lòng quay lại và thử lại."
    assert (await browser.get("/home")).headers["location"] == "/sign-in"


async def test_wrong_password_keeps_what_was_typed(new_browser, user):
    member = await user(roles.MEMBER)
    typed = f"{member.phone[:4]} {member.phone[4:7]} {member.phone[7:]}"
    browser = await new_browser()

    response = await _sign_in(browser, typed, "sai-mat-khau")

    assert response.status_code == 401
    assert _alert(response) == "Số điện thoại hoặc mật khẩu chưa đúng. Hãy nhập lại."
    assert f'value="{typed}"' in _field(response, "phone")
    assert "value=" not in _field(response, "password")  # a password is never sent back
    assert (await browser.get("/home")).headers["location"] == "/sign-in"


async def test_what_was_typed_is_shown_escaped(new_browser):
    typed = '"><script>alert(1)</script>'

    response = await _sign_in(await new_browser(), typed, "sai-mat-khau")

    assert response.status_code == 401
    assert "<script>alert(1)</script>" not in response.text
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


async def test_too_many_failures_show_a_wait_message_in_the_form(new_browser, user, monkeypatch):
    monkeypatch.setattr(accounts, "SLOW_AFTER", accounts.REFUSE_AFTER)  # no waiting in tests
    member = await user(roles.MEMBER)
    browser = await new_browser("en")
    for _ in range(accounts.REFUSE_AFTER):
        assert (await _sign_in(browser, member.phone, "wrong")).status_code == 401

    response = await _sign_in(browser, member.phone)

    assert response.status_code == 429
    assert _alert(response) == "Too many failed attempts. Wait 15 minutes, then try again."
    assert f'value="{member.phone}"' in _field(response, "phone")


async def test_right_password_starts_a_session_in_a_safe_cookie(new_browser, user):
    coordinator = await user(roles.COORDINATOR)
    browser = await new_browser()

    response = await _sign_in(browser, coordinator.phone)

    assert response.status_code == 303
    assert response.headers["location"] == "/home"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("langso_session=")
    flags = {flag.strip().lower() for flag in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    assert (await browser.get("/home")).status_code == 200
    for page in ("/", "/sign-in"):
        again = await browser.get(page)
        assert (again.status_code, again.headers["location"]) == (303, "/home")


# Each role's home


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        (roles.MEMBER, "Xin chào, {name}"),
        (roles.TRAINER, "Giảng viên: {name}"),
        (roles.COORDINATOR, "Điều phối viên: {name}"),
        (roles.ADMIN, "Quản trị viên: {name}"),
    ],
)
async def test_each_role_has_a_home_page_with_their_name(village, user, role, heading, signed_in):
    area = await village(COMMUNE_A, 1234)
    areas = {roles.MEMBER: [area.code], roles.ADMIN: []}.get(role, [COMMUNE_A])
    who = await user(role, *areas)
    browser = await signed_in(who)

    response = await browser.get("/home")

    assert response.status_code == 200
    assert f"<h1>{heading.format(name=who.name)}</h1>" in response.text
    assert "Đổi mật khẩu" in response.text
    assert "Đăng xuất" in response.text
    if role != roles.ADMIN:
        assert f"<strong>{area.name}</strong>" in response.text
        assert "Khoảng 1.234 hộ" in response.text


async def test_a_members_home_shows_their_village_and_no_other(village, user, signed_in):
    mine, neighbour = await village(), await village()
    member = await user(roles.MEMBER, mine.code)

    response = await (await signed_in(member)).get("/home")

    assert f'<strong>{mine.name}</strong> <span class="muted">{mine.code}</span>' in (response.text)
    assert neighbour.name not in response.text


async def test_home_without_a_session_goes_to_sign_in(new_browser):
    response = await (await new_browser()).get("/home")

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


# Signing out


async def test_signing_out_ends_the_session(user, signed_in):
    browser = await signed_in(await user(roles.MEMBER))
    home = await browser.get("/home")

    refused = await browser.post("/sign-out", data={})
    assert refused.status_code == 403
    assert (await browser.get("/home")).status_code == 200

    response = await browser.post("/sign-out", data={"csrf_token": csrf(home)})

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    after = await browser.get("/home")
    assert (after.status_code, after.headers["location"]) == (303, "/sign-in")


# Changing the password


async def test_changing_the_password_keeps_this_session_and_ends_the_others(
    new_browser, client, user, login, signed_in
):
    member = await user(roles.MEMBER)
    api_headers = await login(member)
    other_browser = await signed_in(member)
    browser = await signed_in(member)
    form = await browser.get("/account/password")
    assert form.status_code == 200
    assert "<h1>Đổi mật khẩu</h1>" in form.text

    response = await browser.post(
        "/account/password",
        data={
            "csrf_token": csrf(form),
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert '<p class="ok" role="status">Đã đổi mật khẩu.</p>' in response.text
    assert (await browser.get("/home")).status_code == 200
    assert (await other_browser.get("/home")).headers["location"] == "/sign-in"
    assert (await client.get("/api/v1/me", headers=api_headers)).status_code == 401
    assert (await _sign_in(await new_browser(), member.phone, NEW_PASSWORD)).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("khong-phai", NEW_PASSWORD, "Mật khẩu hiện tại chưa đúng. Hãy nhập lại."),
        (PASSWORD, "ngan", "Hãy dùng mật khẩu có ít nhất 8 ký tự."),
    ],
    ids=["wrong current", "too short"],
)
async def test_a_refused_password_change_says_why(user, current, new, message, signed_in):
    member = await user(roles.MEMBER)
    browser = await signed_in(member)
    form = await browser.get("/account/password")

    response = await browser.post(
        "/account/password",
        data={"csrf_token": csrf(form), "current_password": current, "new_password": new},
    )

    assert response.status_code == 422
    assert _alert(response) == message
    assert (await browser.get("/home")).status_code == 200
    assert (await User.get(id=member.id)).password_hash == member.password_hash


async def test_guessing_the_current_password_on_the_page_is_throttled(signed_in, user, monkeypatch):
    """Issue 11, finding 4: every password check counts, the change-password form's too."""
    monkeypatch.setattr(accounts, "SLOW_AFTER", accounts.REFUSE_AFTER)  # no waiting in tests
    member = await user(roles.MEMBER, language="en")
    browser = await signed_in(member)
    form = await browser.get("/account/password")
    guess = {"csrf_token": csrf(form), "new_password": NEW_PASSWORD}
    for n in range(accounts.REFUSE_AFTER):
        wrong = await browser.post("/account/password", data={**guess, "current_password": f"{n}"})
        assert wrong.status_code == 422

    right = await browser.post("/account/password", data={**guess, "current_password": PASSWORD})

    assert right.status_code == 429
    assert _alert(right) == "Too many failed attempts. Wait 15 minutes, then try again."
    assert 0 < int(right.headers["Retry-After"]) <= 900
    assert (await User.get(id=member.id)).password_hash == member.password_hash


async def test_password_page_needs_a_session_and_the_forms_token(new_browser, user, signed_in):
    anonymous = await (await new_browser()).get("/account/password")
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/sign-in")

    browser = await signed_in(await user(roles.MEMBER))
    response = await browser.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 403


# Language


async def test_the_language_switch_changes_the_page_language(new_browser):
    browser = await new_browser()
    page = await browser.get("/sign-in")
    assert '<button name="language" value="en" lang="en">English</button>' in page.text

    response = await browser.post(
        "/language", data={"csrf_token": csrf(page), "language": "en", "next": "/sign-in"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    english = await browser.get("/sign-in")
    assert "<h1>Sign in</h1>" in english.text
    assert '<button name="language" value="vi" lang="vi">Tiếng Việt</button>' in english.text

    await browser.post("/language", data={"csrf_token": csrf(english), "language": "vi"})
    assert "<h1>Đăng nhập</h1>" in (await browser.get("/sign-in")).text


async def test_an_unknown_language_is_ignored(new_browser):
    browser = await new_browser()
    page = await browser.get("/sign-in")

    response = await browser.post(
        "/language", data={"csrf_token": csrf(page), "language": "fr", "next": "/sign-in"}
    )

    assert response.status_code == 303
    assert "<h1>Đăng nhập</h1>" in (await browser.get("/sign-in")).text


async def test_a_signed_in_users_language_choice_is_remembered(village, user, signed_in):
    member = await user(roles.MEMBER, (await village()).code)
    browser = await signed_in(member)
    home = await browser.get("/home")

    await browser.post(
        "/language", data={"csrf_token": csrf(home), "language": "en", "next": "/home"}
    )

    assert f"<h1>Hello, {member.name}</h1>" in (await browser.get("/home")).text
    assert (await User.get(id=member.id)).language == "en"
    elsewhere = await signed_in(member)
    assert f"<h1>Hello, {member.name}</h1>" in (await elsewhere.get("/home")).text


async def test_the_language_switch_needs_the_forms_token(new_browser):
    browser = await new_browser()
    await browser.get("/sign-in")

    response = await browser.post("/language", data={"language": "en", "next": "/sign-in"})

    assert response.status_code == 403
    assert "<h1>Đăng nhập</h1>" in (await browser.get("/sign-in")).text


@pytest.mark.parametrize(
    "target", ["//evil.example/", "///evil.example/", "/\\evil.example/", "https://evil.example/"]
)
async def test_the_language_switch_only_goes_back_to_our_own_pages(new_browser, target):
    browser = await new_browser()
    page = await browser.get("/sign-in")

    response = await browser.post(
        "/language", data={"csrf_token": csrf(page), "language": "en", "next": target}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/"


# Errors


@pytest.mark.parametrize(
    ("accept_language", "message", "link"),
    [
        (None, "Không có trang này.", "Về trang đầu"),
        ("en", "This page does not exist.", "Go to the start page"),
    ],
    ids=["vi", "en"],
)
async def test_a_missing_page_is_friendly_and_translated(
    new_browser, accept_language, message, link
):
    response = await (await new_browser(accept_language)).get("/khong-co-trang-nay")

    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert _alert(response) == message
    assert f'<a href="/">{link}</a>' in response.text


async def test_a_wrong_method_on_a_page_is_explained(new_browser):
    response = await (await new_browser()).get("/sign-out")

    assert response.status_code == 405
    assert _alert(response) == "Không được làm việc này ở đây."


async def test_a_missing_api_route_answers_json(client):
    response = await client.get("/api/v1/khong-co", headers={"Accept-Language": "en"})

    assert response.status_code == 404
    assert response.json() == {"error": {"message": "This page does not exist.", "field": None}}


# Static files: nothing from the Internet


async def test_htmx_and_the_stylesheet_are_served_by_us(client):
    htmx = await client.get("/static/htmx-2.0.4.min.js")
    css = await client.get("/static/app.css")

    assert htmx.status_code == 200
    assert "javascript" in htmx.headers["content-type"]
    assert "htmx" in htmx.text[:2000]
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


def test_no_template_loads_scripts_or_styles_from_the_internet():
    external = re.compile(r"""<(script|link)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", re.I)
    templates = sorted(TEMPLATES.glob("**/*.html"))
    assert templates

    offenders = [
        f"{path.name}: {match.group(0)}"
        for path in templates
        for match in external.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    stylesheet = (REPO_ROOT / "pwa" / "static" / "app.css").read_text(encoding="utf-8")
    assert not re.search(r"@import|url\(\s*[\"']?(https?:)?//", stylesheet)


async def test_every_script_and_stylesheet_of_a_page_is_local(new_browser):
    page = await (await new_browser()).get("/sign-in")

    sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page.text)
    sheets = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', page.text)

    assert sources == ["/static/htmx-2.0.4.min.js"]
    assert sheets == ["/static/app.css"]


async def test_signing_out_ends_the_session_even_in_a_copied_cookie(
    new_browser, signed_in, user, village
):
    """Issue 11, finding 9: a cookie copied before "Đăng xuất" kept working for 30 days."""
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    browser = await signed_in(coordinator)
    assert (await browser.get("/manage/members")).status_code == 200
    thief = await new_browser()
    thief.cookies.update(browser.cookies)
    assert (await thief.get("/manage/members")).status_code == 200

    page = await browser.get("/home")
    signed_out = await browser.post("/sign-out", data={"csrf_token": csrf(page)})

    assert signed_out.status_code == 303
    stolen = await thief.get("/manage/members")
    assert (stolen.status_code, stolen.headers["location"]) == (303, "/sign-in")
    again = await signed_in(coordinator)  # signing in again works as before
    assert (await again.get("/manage/members")).status_code == 200


async def test_a_password_reset_ends_a_members_page_sessions(new_browser, signed_in, user, village):
    member = await user(roles.MEMBER, (await village()).code)
    browser = await signed_in(member)
    assert (await browser.get("/home")).status_code == 200

    await accounts.change_password(member, PASSWORD, NEW_PASSWORD, "203.0.113.200")

    page = await browser.get("/home")
    assert (page.status_code, page.headers["location"]) == (303, "/sign-in")
