"""What the signed page-session cookie holds (Starlette's SessionMiddleware signs it)."""

from __future__ import annotations

# A server-side sign-in token (the kind the API's bearer header carries): signing out revokes it,
# so a copy of the cookie stops working too. Read by accounts/gate.py and web/limits.py.
SESSION_TOKEN = "token"
