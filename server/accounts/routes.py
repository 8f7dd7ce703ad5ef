"""Signing in and out, the account page and each role's home: pages and JSON API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.accounts import home as home_panels
from server.accounts import roles, services
from server.accounts.gate import current_user, require_user
from server.accounts.models import User
from server.areas import services as areas
from server.errors import SignInRequired, UserError
from server.i18n import LANGUAGES, N_, gettext
from server.web.requests import csrf_token, json_body, language_of, posted_form
from server.web.session import SESSION_TOKEN
from server.web.templating import render


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def api_sign_in(request: Request) -> Response:
    """Exchange a phone number and password for a bearer token."""
    body = await json_body(request)
    phone, password = body.get("phone"), body.get("password")
    if not isinstance(phone, str) or not isinstance(password, str):
        raise UserError(N_("Enter your phone number and password."))
    user = await services.authenticate(phone, password, _client_address(request))
    if user is None:
        raise SignInRequired(_WRONG_CREDENTIALS)
    token = await services.issue_token(user)
    return JSONResponse({"token": token, "user": await _user_json(user)})


async def api_sign_out(request: Request) -> Response:
    """Revoke the bearer token used for this request."""
    await require_user(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        await services.revoke_token(header[7:].strip())
    else:
        await _end_page_session(request)
    return Response(status_code=204)


async def api_page_csrf(request: Request) -> Response:
    """The page session's CSRF token, for the member app's hand-over call (same origin only:
    no other site can read this answer)."""
    await _page_session_user(request)
    return JSONResponse({"csrf_token": csrf_token(request)})


async def api_hand_over(request: Request) -> Response:
    """Signed in on the pages a moment ago: a bearer token for the member app, so a member signs
    in once. The cookie alone is not enough: the call carries the session's CSRF token."""
    user = await _page_session_user(request)
    token = await services.issue_token(user)
    return JSONResponse({"token": token, "user": await _user_json(user)})


async def _page_session_user(request: Request) -> User:
    """The user of the page session (cookie); a bearer token is not a page session."""
    if request.headers.get("authorization") or not isinstance(
        request.session.get(SESSION_TOKEN), str
    ):
        raise SignInRequired()
    return await require_user(request)


async def _end_page_session(request: Request) -> None:
    """Revoke the page session's token on the server and forget the cookie's contents."""
    token = request.session.get(SESSION_TOKEN)
    if isinstance(token, str):
        await services.revoke_token(token)
    request.session.clear()


async def api_me(request: Request) -> Response:
    """Who is signed in, with their areas and villages."""
    user = await require_user(request)
    return JSONResponse(await _user_json(user))


async def api_change_password(request: Request) -> Response:
    """Change the caller's password; other sessions and tokens stop working."""
    user = await require_user(request)
    body = await json_body(request)
    current, new = body.get("current_password"), body.get("new_password")
    if not isinstance(current, str) or not isinstance(new, str):
        raise UserError(N_("The request could not be read."))
    await services.change_password(user, current, new, _client_address(request))
    return JSONResponse({"token": await services.issue_token(user)})


async def _user_json(user: User) -> dict[str, object]:
    scope = await services.scope_of(user)
    codes = sorted(scope.villages | scope.communes | scope.provinces)
    villages = await areas.villages_in(codes) if not scope.everywhere else []
    return {
        "id": str(user.id),
        "phone": user.phone,
        "name": user.name,
        "role": user.role,
        "language": user.language,
        "areas": codes,
        "villages": [
            {"code": v.code, "name": v.name, "commune_code": v.commune_code} for v in villages
        ],
    }


_WRONG_CREDENTIALS = N_("The phone number or password is not right.")


async def sign_in_page(request: Request) -> Response:
    """The sign-in form; a signed-in user goes straight home."""
    user = await current_user(request)
    if user is not None:
        return RedirectResponse(_landing(user), status_code=303)
    return render(request, "sign_in.html", {"phone": "", "error": None}, language_of(request))


async def sign_in_submit(request: Request) -> Response:
    """Check the form, start a session, go home; errors keep what was typed."""
    form = await posted_form(request)
    phone, password = str(form.get("phone", "")), str(form.get("password", ""))
    lang = language_of(request)
    try:
        user = await services.authenticate(phone, password, _client_address(request))
    except services.SignInRefused as refused:
        error = refused.message(lang)
        response = render(request, "sign_in.html", {"phone": phone, "error": error}, lang, 429)
        response.headers["Retry-After"] = str(refused.seconds)
        return response
    if user is None:
        error = gettext(lang, _WRONG_CREDENTIALS)
        return render(request, "sign_in.html", {"phone": phone, "error": error}, lang, 401)
    await _end_page_session(request)
    request.session[SESSION_TOKEN] = await services.issue_token(user)
    return RedirectResponse(_landing(user), status_code=303)


# A member works in the app: it takes the page's sign-in over (`api_hand_over`) on opening.
APP_HAND_OVER = "/app?signed-in"


def _landing(user: User) -> str:
    return APP_HAND_OVER if user.role == roles.MEMBER else "/home"


async def sign_out(request: Request) -> Response:
    """End the page session."""
    await posted_form(request)  # checks the CSRF token
    await _end_page_session(request)
    return RedirectResponse("/sign-in", status_code=303)


async def home(request: Request) -> Response:
    """Each role's landing page."""
    user = await current_user(request)
    if user is None:
        return RedirectResponse("/sign-in", status_code=303)
    scope = await services.scope_of(user)
    codes = sorted(scope.villages | scope.communes | scope.provinces)
    context = {
        "user": user,
        "areas": [await areas.get_area(code) for code in codes],
        "villages": await areas.villages_in(codes) if not scope.everywhere else [],
        **await home_panels.context(user, scope),
    }
    return render(request, f"home_{user.role}.html", context, language_of(request, user))


async def password_page(request: Request) -> Response:
    """The change-password form, and its submission."""
    user = await current_user(request)
    if user is None:
        return RedirectResponse("/sign-in", status_code=303)
    lang = language_of(request, user)
    context: dict[str, object] = {"user": user, "error": None, "done": False}
    if request.method == "POST":
        form = await posted_form(request)
        current, new = str(form.get("current_password", "")), str(form.get("new_password", ""))
        try:
            await services.change_password(user, current, new, _client_address(request))
        except services.SignInRefused as refused:
            context["error"] = refused.message(lang)
            response = render(request, "password.html", context, lang, 429)
            response.headers["Retry-After"] = str(refused.seconds)
            return response
        except services.AccountError as error:
            context["error"] = error.message(lang)
            return render(request, "password.html", context, lang, error.status)
        # Every session and token ended with the old password: this page gets a new one.
        request.session[SESSION_TOKEN] = await services.issue_token(user)
        context["done"] = True
    return render(request, "password.html", context, lang)


async def choose_language(request: Request) -> Response:
    """Switch the page language (kept in the session, and on the user when signed in)."""
    form = await posted_form(request)
    language = str(form.get("language", ""))
    if language in LANGUAGES:
        request.session["language"] = language
        user = await current_user(request)
        if user is not None:
            user.language = language
            await user.save(update_fields=["language"])
    back = str(form.get("next", "/"))
    local = back.startswith("/") and not back.startswith(("//", "/\\"))
    return RedirectResponse(back if local else "/", status_code=303)


async def root(request: Request) -> Response:
    """Send people to their home page (a member to the app) or to sign in."""
    user = await current_user(request)
    return RedirectResponse(_landing(user) if user else "/sign-in", status_code=303)


routes = [
    Route("/api/v1/session", api_sign_in, methods=["POST"]),
    Route("/api/v1/session", api_sign_out, methods=["DELETE"]),
    Route("/api/v1/session/csrf", api_page_csrf, methods=["GET"]),
    Route("/api/v1/session/hand-over", api_hand_over, methods=["POST"]),
    Route("/api/v1/me", api_me, methods=["GET"]),
    Route("/api/v1/me/password", api_change_password, methods=["POST"]),
    Route("/", root, methods=["GET"]),
    Route("/sign-in", sign_in_page, methods=["GET"]),
    Route("/sign-in", sign_in_submit, methods=["POST"]),
    Route("/sign-out", sign_out, methods=["POST"]),
    Route("/home", home, methods=["GET"]),
    Route("/account/password", password_page, methods=["GET", "POST"]),
    Route("/language", choose_language, methods=["POST"]),
]
