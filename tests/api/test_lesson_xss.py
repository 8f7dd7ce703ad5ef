"""No XSS payload survives lesson rendering: not in the preview, not in what devices pull."""

from __future__ import annotations

import pytest

from server.accounts import roles
from server.lessons.rendering import render_markdown
from tests.api.html import csrf
from tests.api.lessons import lesson_form, new_slug
from tests.data import COMMUNE_A
from tests.xss_corpus import PAYLOADS, corpus_markdown, dangerous_parts


def test_the_corpus_is_big_enough_and_the_inspector_catches_raw_payloads() -> None:
    assert len(PAYLOADS) >= 30
    caught = [p for p in PAYLOADS if dangerous_parts(p)]
    assert len(caught) >= 25, "the inspector must recognise the payloads it guards against"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_rendering(payload: str) -> None:
    rendered = render_markdown(payload)
    assert dangerous_parts(rendered) == [], rendered


async def test_preview_and_pulled_lesson_are_clean(user, village, login, signed_in, pulled_lesson):
    member = await login(await user(roles.MEMBER, (await village()).code))
    trainer = await signed_in(await user(roles.TRAINER, COMMUNE_A))
    page = await trainer.get("/trainer/lessons/new")
    body = corpus_markdown()
    preview = await trainer.post(
        "/trainer/lessons/preview", data={"csrf_token": csrf(page), "body_md": body}
    )
    assert preview.status_code == 200
    assert dangerous_parts(preview.text) == []
    assert "Kết thúc bài." in preview.text

    slug = new_slug()
    form = lesson_form(csrf(page), slug=slug, body_md=body, action="publish")
    edit_page = await trainer.post("/trainer/lessons/new", data=form)
    assert edit_page.status_code == 303, edit_page.text
    shown = await trainer.get(f"/trainer/lessons/{slug}")
    assert dangerous_parts(shown.text.split('id="preview"', 1)[1].split("</div>", 1)[0]) == []
    change = await pulled_lesson(member, slug)
    assert dangerous_parts(change["data"]["html"]) == []
    # Form posts lose NUL characters (web/requests.py posted_form): compare with that text.
    assert change["data"]["html"] == render_markdown(body.replace("\x00", ""))
