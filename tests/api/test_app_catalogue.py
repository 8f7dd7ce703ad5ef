"""The phone downloads the translations of the member app's own messages, and only those."""

from __future__ import annotations

from server.i18n import translations
from server.shell.services import app_messages


async def test_the_vietnamese_catalogue_holds_every_message_of_the_app(client):
    response = await client.get("/app/i18n/vi.json")

    assert response.status_code == 200
    messages = response.json()["messages"]
    assert "Connect to the internet to turn notifications on." in app_messages()  # push.js
    vietnamese = translations("vi")
    assert messages == {m: vietnamese.gettext(m) for m in app_messages()}
    assert all(messages.values())


async def test_the_catalogue_leaves_out_what_only_other_screens_show(client):
    messages = (await client.get("/app/i18n/vi.json")).json()["messages"]

    coordinators_only = "Choose a commune of your area."  # the villages page, server-side
    assert translations("vi").gettext(coordinators_only) != coordinators_only
    assert coordinators_only not in messages
