"""How large a request may be, by kind of route: the one table (docs/security.md, "Request limits").

`web/middleware.py` applies it before any route reads a body; forms are parsed with the field and
file bounds below. Nobody signed in gets only `ANONYMOUS_BYTES`, whatever the route: a body that
may be larger is let through only once its bearer token or session has been checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.types import Scope

from server.errors import UserError
from server.i18n import N_
from server.web.session import SESSION_TOKEN

KB = 1024
MB = 1024 * KB

ANONYMOUS_BYTES = 16 * KB  # sign-in forms and calls, and any call without a session or token
FORM_BYTES = 1 * MB  # a page's form (a lesson's text is the longest)
JSON_BYTES = 1 * MB  # a JSON API call
SYNC_PUSH_BYTES = 8 * MB  # up to MAX_BATCH (500) mutations; the member app sends 100 at a time
FORM_MAX_FIELDS = 1000  # fields of one form (a lesson: 30 questions, audience areas)
FORM_MAX_FILES = 1  # the one picture of the lesson form, or the list of an import form
IMPORT_BYTES = 5 * MB  # an XLSX or CSV list to import (server/imports/): 10,000 rows fit


class BodyTooLarge(UserError):
    """The request's body is over the limit of its route."""

    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            N_("This is too large to send (at most %(kb)s KB). Send less at a time."),
            params={"kb": limit // KB},
        )


@dataclass(frozen=True)
class BodyLimits:
    """The cap of each kind of route; `upload_bytes` is the lesson form with its picture."""

    upload_bytes: int
    anonymous_bytes: int = ANONYMOUS_BYTES
    form_bytes: int = FORM_BYTES
    json_bytes: int = JSON_BYTES
    sync_push_bytes: int = SYNC_PUSH_BYTES

    def for_signed_in(self, path: str) -> int:
        """The most bytes a signed-in user's body may hold on this route."""
        if path in _ANONYMOUS_PATHS:
            return self.anonymous_bytes
        if path == "/api/v1/sync/push":
            return self.sync_push_bytes
        if path.startswith("/api/"):
            return self.json_bytes
        if _LESSON_FORM.fullmatch(path):
            return self.upload_bytes + self.form_bytes
        if path in _IMPORT_FORMS:
            return IMPORT_BYTES + self.form_bytes
        return self.form_bytes


# Answered before anyone is signed in: never worth more than a few KB.
_ANONYMOUS_PATHS = frozenset({"/sign-in", "/api/v1/session", "/language"})
# The lesson form may carry one picture (lessons/routes.py save_lesson).
_LESSON_FORM = re.compile(r"/trainer/lessons/(?!preview$)[^/]+")
# The import forms carry one spreadsheet (imports/routes.py).
_IMPORT_FORMS = frozenset({"/manage/import/households", "/manage/import/villages"})


def has_credentials(scope: Scope) -> bool:
    """A bearer header, or a session (signed by us) that holds a sign-in token: not yet checked."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return True
    session = scope.get("session")
    return isinstance(session, dict) and SESSION_TOKEN in session
