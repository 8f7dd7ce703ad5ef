"""The one shape of a problem the user can fix, and its kinds; one handler turns it into a response.

Routes and services raise these; `server/web/errors.py` answers `{"error": {"message", "field"}}`
under /api/ and an error page elsewhere, in the user's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.i18n import N_, gettext


class UserError(ValueError):
    """A problem the user can fix: `msgid` is translated for them, `field` is the input at fault."""

    status = 422

    def __init__(
        self,
        msgid: str,
        field: str | None = None,
        *,
        status: int | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.field = field
        self.status = status or type(self).status
        self.params = dict(params or {})
        self.headers = dict(headers or {})  # e.g. Retry-After

    def message(self, language: str) -> str:
        """What went wrong, in the user's language, its parameters filled in."""
        return gettext(language, self.msgid, self.params)


class Unreadable(UserError):
    """The request's body or parameters could not be read."""

    status = 400

    def __init__(self, msgid: str = N_("The request could not be read."), **kwargs: Any) -> None:
        super().__init__(msgid, **kwargs)


class SignInRequired(UserError):
    """Nobody is signed in: a 401 for the API, the sign-in page for a page."""

    status = 401

    def __init__(self, msgid: str = N_("Please sign in again."), **kwargs: Any) -> None:
        super().__init__(msgid, **kwargs)


class Forbidden(UserError):
    """The signed-in user's role or area does not allow this."""

    status = 403

    def __init__(self, msgid: str = N_("Your role cannot do this."), **kwargs: Any) -> None:
        super().__init__(msgid, **kwargs)


class NotFound(UserError):
    """The thing asked for does not exist, or is outside the user's area (the same to them)."""

    status = 404

    def __init__(self, msgid: str = N_("This page does not exist."), **kwargs: Any) -> None:
        super().__init__(msgid, **kwargs)
