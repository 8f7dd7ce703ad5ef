"""The notifications Làng Số sends, each written once as msgids and translated per user."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from server.i18n import N_, gettext
from server.notifications.sender import MAX_PLAINTEXT, PayloadTooLarge


@dataclass(frozen=True)
class Message:
    """A notification written as msgids; each user gets it in their own language."""

    title: str
    body: str
    params: Mapping[str, object] = field(default_factory=dict)
    url: str = "/app"
    tag: str = ""

    def payload(self, language: str) -> bytes:
        """The JSON the service worker shows, in `language`; refused when too large."""
        params = dict(self.params)
        data = {
            "title": gettext(language, self.title, params),
            "body": gettext(language, self.body, params),
            "url": self.url,
            "tag": self.tag,
            "lang": language,
        }
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(raw) > MAX_PLAINTEXT:
            raise PayloadTooLarge(len(raw))
        return raw


def lesson_published(slug: str, title: str) -> Message:
    """A lesson was published: open it in the member app."""
    return Message(
        title=N_("New lesson"),
        body=N_("“%(title)s” is on your phone now. You can read it even without signal."),
        params={"title": title},
        url=f"/app#/lessons/{slug}",
        tag=f"lesson-{slug}",
    )


def assignment_given(assignment_id: str, household_name: str, due_date: str) -> Message:
    """A coordinator gave the member some work (a household, a checklist): open their list."""
    body = N_("Please help the household “%(household)s” by %(due)s.")
    if not household_name:
        body = N_("You have new work to do by %(due)s. Open Làng Số to see it.")
    return Message(
        title=N_("New assignment"),
        body=body,
        params={"household": household_name, "due": due_date},
        url="/app#/assignments",
        tag=f"assignment-{assignment_id}",
    )


def data_request_due(request_id: str, overdue: bool, received: str, due: str) -> Message:
    """A personal data request is due soon or overdue: open it in the register.

    No name in the text: a push is shown on a lock screen.
    """
    if overdue:
        title = N_("A data request is overdue")
        body = N_("The request received on %(received)s had to be answered by %(due)s.")
    else:
        title = N_("A data request is due soon")
        body = N_("Please answer the request received on %(received)s by %(due)s.")
    return Message(
        title=title,
        body=body,
        params={"received": received, "due": due},
        url=f"/manage/requests/{request_id}",
        tag=f"data-request-{request_id}",
    )


def test_message() -> Message:
    """`langso push test`: shows that pushes reach this device."""
    return Message(
        title=N_("Làng Số notifications work"),
        body=N_("This phone will be told about new lessons."),
        url="/app#/settings",
        tag="test",
    )
