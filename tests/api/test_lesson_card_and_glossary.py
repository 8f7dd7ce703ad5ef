"""The card of things to remember and the glossary words, as trainers preview them and as
members' phones receive them (inside the lesson, so they work offline)."""

from __future__ import annotations

from server.accounts import roles
from server.content import curriculum
from tests.api.html import csrf
from tests.api.lessons import lesson_form, new_slug
from tests.data import COMMUNE_A


async def test_a_published_lesson_carries_its_card_and_the_words_it_links_to(
    user, village, login, signed_in, pulled_lesson
):
    member = await login(await user(roles.MEMBER, (await village()).code))
    trainer = await signed_in(await user(roles.TRAINER, COMMUNE_A))
    page = await trainer.get("/trainer/lessons/new")
    assert 'name="remember"' in page.text
    slug = new_slug()
    form = lesson_form(
        csrf(page),
        slug=slug,
        action="publish",
        remember="Cúp máy\nKhông đọc mã <OTP>\nGọi công an xã",
        body_md="Không đọc [mã OTP](glossary:otp) cho ai, kể cả [người lạ](glossary:khong_co).",
    )
    response = await trainer.post("/trainer/lessons/new", data=form)
    assert response.status_code == 303, response.text[:500]

    html = (await pulled_lesson(member, slug))["data"]["html"]
    assert html.startswith('<section class="remember"><h2>3 điều cần nhớ</h2>')
    assert "<li>Không đọc mã &lt;OTP&gt;</li>" in html
    assert '<a class="term" data-term="otp" href="#term-otp"' in html
    otp = curriculum.glossary().get("otp")
    assert otp is not None and otp.definition["vi"] in html
    assert "người lạ" in html and "khong_co" not in html

    # The form shows the points again, one per line, for the next version.
    edit = await trainer.get(f"/trainer/lessons/{slug}")
    assert "Cúp máy\nKhông đọc mã &lt;OTP&gt;\nGọi công an xã" in edit.text


async def test_the_preview_shows_the_card_and_more_than_three_points_are_refused(user, signed_in):
    trainer = await signed_in(await user(roles.TRAINER, COMMUNE_A))
    page = await trainer.get("/trainer/lessons/new")
    preview = await trainer.post(
        "/trainer/lessons/preview",
        data={"csrf_token": csrf(page), "body_md": "Chữ", "remember": "Một\nHai", "language": "vi"},
        headers={"HX-Request": "true"},
    )
    assert preview.status_code == 200
    assert "2 điều cần nhớ" in preview.text and "<li>Hai</li>" in preview.text

    form = lesson_form(csrf(page), slug=new_slug(), remember="1\n2\n3\n4")
    refused = await trainer.post("/trainer/lessons/new", data=form)
    assert refused.status_code == 422
    assert "Viết nhiều nhất ba điều cần nhớ, mỗi điều một dòng." in refused.text
