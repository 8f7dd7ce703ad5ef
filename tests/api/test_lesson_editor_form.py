"""The trainer's lesson form without Markdown: one field per answer with a radio for the right
one, answer fields added and removed, the short name taken from the title, a picture put where
the cursor was."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from server.accounts import roles
from server.lessons import services
from server.lessons.drafts import slug_from_title
from tests.api.html import csrf
from tests.api.lessons import lesson_form, new_slug
from tests.data import COMMUNE_A


async def _trainer(signed_in, user):
    return await signed_in(await user(roles.TRAINER, COMMUNE_A))


async def test_answers_can_be_added_and_removed_and_the_right_one_follows(user, signed_in):
    trainer = await _trainer(signed_in, user)
    page = await trainer.get("/trainer/lessons/new")
    assert 'name="q0-choice-2"' in page.text and 'name="q0-right"' in page.text
    form = lesson_form(csrf(page), slug=new_slug(), action="add_choice:1")
    added = await trainer.post("/trainer/lessons/new", data=form)
    assert added.status_code == 200
    assert 'name="q1-choice-2" value=""' in added.text
    assert 'name="q0-choice-2"' not in added.text

    form |= {"q1-choice-2": "Hỏi con cháu", "q1-right": "2", "action": "remove_choice:1:0"}
    removed = await trainer.post("/trainer/lessons/new", data=form)
    assert removed.status_code == 200
    assert 'name="q1-choice-0" value="Gác máy và báo công an xã"' in removed.text
    assert 'name="q1-choice-1" value="Hỏi con cháu"' in removed.text
    assert 'name="q1-right" value="1" checked' in removed.text  # it follows its text

    # Nonsense actions change nothing and never fail.
    for action in ("add_choice:99", "remove_choice:x:y", "remove_choice:0:9", "add_choice:"):
        same = await trainer.post("/trainer/lessons/new", data=form | {"action": action})
        assert same.status_code == 200, action


async def test_the_stored_quiz_skips_empty_answers_and_keeps_the_right_one(
    user, village, login, signed_in, pulled_lesson
):
    member = await login(await user(roles.MEMBER, (await village()).code))
    trainer = await _trainer(signed_in, user)
    page = await trainer.get("/trainer/lessons/new")
    slug = new_slug()
    form = lesson_form(
        csrf(page),
        slug=slug,
        action="publish",
        **{"q0-choice-1": "", "q0-choice-2": "Không bao giờ", "q0-right": "2"},
    )
    assert (await trainer.post("/trainer/lessons/new", data=form)).status_code == 303
    quiz = (await pulled_lesson(member, slug))["data"]["quiz"]
    assert quiz[0]["choices"] == ["Có", "Không bao giờ"] and quiz[0]["answer"] == 1

    # Editing shows each answer in its box with the right one ticked.
    edit = await trainer.get(f"/trainer/lessons/{slug}")
    assert 'name="q0-choice-1" value="Không bao giờ"' in edit.text
    assert 'name="q0-right" value="1" checked' in edit.text


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Tài khoản an sinh", "tai-khoan-an-sinh"),
        ("Đăng ký VNeID mức 2!", "dang-ky-vneid-muc-2"),
        ("  Bình dân học vụ số — 2026 ", "binh-dan-hoc-vu-so-2026"),
        ("???", ""),
        ("Ả" * 100, "a" * 80),
    ],
)
def test_the_short_name_is_the_title_with_diacritics_folded(title: str, slug: str) -> None:
    assert slug_from_title(title) == slug


async def test_a_lesson_without_a_short_name_takes_it_from_its_title(user, signed_in):
    trainer = await _trainer(signed_in, user)
    page = await trainer.get("/trainer/lessons/new")
    title = f"Tài khoản an sinh {new_slug()}"
    form = lesson_form(csrf(page), slug="", title=title)
    response = await trainer.post("/trainer/lessons/new", data=form)
    assert response.status_code == 303, response.text[:400]
    assert await services.get_lesson(slug_from_title(title)) is not None
    assert slug_from_title(title).startswith("tai-khoan-an-sinh-bai-thu-")


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (11, 110, 79)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_a_picture_goes_where_the_cursor_was(user, signed_in):
    trainer = await _trainer(signed_in, user)
    page = await trainer.get("/trainer/lessons/new")
    body = "Đoạn một.\n\nĐoạn hai."
    form = lesson_form(
        csrf(page), slug=new_slug(), action="upload", body_md=body, cursor=str(len("Đoạn một."))
    )
    response = await trainer.post(
        "/trainer/lessons/new", data=form, files={"image": ("a.png", _png(), "image/png")}
    )
    assert response.status_code == 200
    assert "Ảnh đã được thêm vào chỗ con trỏ" in response.text
    assert re.search(
        r"Đoạn một\.\n\n!\[Mô tả ảnh ở đây\]\(images/[0-9a-f]{20}\.webp\)\n\nĐoạn hai\.",
        response.text,
    ), response.text
