"""The one shape of a problem the user can fix, which each domain names for itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.i18n import gettext


class UserError(ValueError):
    """A problem the user can fix: `msgid` is translated for them, `field` is the input at fault."""

    def __init__(
        self,
        msgid: str,
        field: str | None = None,
        *,
        status: int = 422,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.field = field
        self.status = status
        self.params = dict(params or {})

    def message(self, language: str) -> str:
        """What went wrong, in the user's language, its parameters filled in."""
        return gettext(language, self.msgid, self.params)
