"""Who is asking: the one gate for pages and API calls, by role group (accounts/roles.py)."""

from __future__ import annotations

from starlette.requests import Request

from server.accounts import services as accounts
from server.accounts.models import User
from server.errors import Forbidden, SignInRequired
from server.web.requests import USER_KEY, check_api_csrf
from server.web.session import SESSION_TOKEN


async def current_user(request: Request) -> User | None:
    """The signed-in user, by bearer token or session cookie (with its CSRF header on the API)."""
    if USER_KEY in request.scope:
        user: User | None = request.scope[USER_KEY]
        return user
    user = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = await accounts.user_for_token(header[7:].strip())
    elif isinstance(request.session.get(SESSION_TOKEN), str):
        if request.url.path.startswith("/api/"):
            check_api_csrf(request)  # a cookie is sent by any site's form: the token is not
        # A page session holds a server-side token, so signing out (or a reset) revokes it
        # even in a copy of the cookie.
        user = await accounts.user_for_token(request.session[SESSION_TOKEN])
    request.scope[USER_KEY] = user
    return user


async def require_user(request: Request, *allowed_roles: str) -> User:
    """The signed-in user, if their role is allowed (any role when none is named).

    Raises `SignInRequired` (a 401 under /api/, the sign-in page elsewhere) or `Forbidden`.
    """
    user = await current_user(request)
    if user is None:
        raise SignInRequired()
    if allowed_roles and user.role not in allowed_roles:
        raise Forbidden()
    return user
