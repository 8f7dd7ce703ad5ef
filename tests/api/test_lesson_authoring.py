"""Trainer screens: write, preview, quiz, images, drafts, publish, history, revert, audience."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from server.accounts import roles
from server.lessons import services
from server.lessons.media import MAX_SIDE, MAX_UPLOAD_BYTES
from server.lessons.models import Lesson
from server.lessons.rendering import render_markdown
from tests.api.html import csrf
from tests.api.lessons import lesson_form, new_slug
from tests.data import COMMUNE_A, COMMUNE_B


async def _trainer_browser(signed_in, user, *areas: str):
    trainer = await user(roles.TRAINER, *(areas or (COMMUNE_A,)))
    browser = await signed_in(trainer)
    return trainer, browser


async def _create(browser, slug: str, **overrides: Any):
    page = await browser.get("/trainer/lessons/new")
    assert page.status_code == 200, page.text
    form = lesson_form(csrf(page), slug=slug, **overrides)
    return await browser.post("/trainer/lessons/new", data=form)


async def test_only_trainers_and_admins_write_lessons(new_browser, user, village, signed_in):
    anonymous = await new_browser()
    response = await anonymous.get("/trainer/lessons")
    assert response.status_code == 303 and response.headers["location"] == "/sign-in"
    member = await signed_in(await user(roles.MEMBER, (await village()).code))
    assert (await member.get("/trainer/lessons")).status_code == 403
    _, trainer = await _trainer_browser(signed_in, user)
    page = await trainer.get("/trainer/lessons")
    assert page.status_code == 200
    assert "Cài VNeID và đăng ký tài khoản mức 1" in page.text
    home = await trainer.get("/home")
    assert 'href="/trainer/lessons"' in home.text and 'href="/trainer/reports"' in home.text


@pytest.mark.parametrize(
    "path",
    [
        "/trainer/lessons/new",
        "/trainer/lessons/preview",
        "/trainer/lessons/{slug}",
        "/trainer/lessons/{slug}/unpublish",
        "/trainer/lessons/{slug}/versions/1",
    ],
)
async def test_a_trainers_form_with_a_forged_token_changes_nothing(user, path, signed_in):
    _, trainer = await _trainer_browser(signed_in, user)
    slug, other = new_slug(), new_slug()
    assert (await _create(trainer, slug, action="publish")).status_code == 303
    forged = lesson_form("gia-mao", slug=other, action="revert")

    response = await trainer.post(path.format(slug=slug), data=forged)

    assert response.status_code == 403, response.text[:300]
    lesson = await services.get_lesson(slug)
    assert lesson is not None and lesson.published_version == 1
    assert len(await services.versions(lesson)) == 1
    assert await services.get_lesson(other) is None


async def test_a_draft_stays_off_phones_until_published(
    user, village, login, signed_in, lesson_changes, pulled_lesson
):
    member = await login(await user(roles.MEMBER, (await village()).code))
    _, trainer = await _trainer_browser(signed_in, user)
    slug = new_slug()
    response = await _create(trainer, slug)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/trainer/lessons/{slug}?saved=draft"
    record = str(services.published_id(slug))
    assert record not in await lesson_changes(member)

    page = await trainer.get(f"/trainer/lessons/{slug}")
    publish = lesson_form(csrf(page), action="publish")
    response = await trainer.post(f"/trainer/lessons/{slug}", data=publish)
    assert response.status_code == 303
    got = await pulled_lesson(member, slug)
    assert got["data"]["number"] == 1 and not got["deleted"]
    assert got["data"]["html"] == render_markdown(publish["body_md"])
    assert [q["answer"] for q in got["data"]["quiz"]] == [1, 1]
    assert [q["id"] for q in got["data"]["quiz"]] == ["q1", "q2"]

    edited = lesson_form(csrf(page), body_md="## Dấu hiệu mới\n\nĐã sửa.")
    assert (await trainer.post(f"/trainer/lessons/{slug}", data=edited)).status_code == 303
    still = await pulled_lesson(member, slug)
    assert still["data"]["number"] == 1, "a saved draft must not reach phones"
    listing = await trainer.get("/trainer/lessons")
    assert "a newer draft is waiting" in listing.text or "bản nháp mới hơn" in listing.text


async def test_unpublishing_sends_a_tombstone(user, village, login, signed_in, pulled_lesson):
    member = await login(await user(roles.MEMBER, (await village()).code))
    _, trainer = await _trainer_browser(signed_in, user)
    slug = new_slug()
    await _create(trainer, slug, action="publish")
    page = await trainer.get(f"/trainer/lessons/{slug}")
    response = await trainer.post(
        f"/trainer/lessons/{slug}/unpublish", data={"csrf_token": csrf(page)}
    )
    assert response.status_code == 303
    got = await pulled_lesson(member, slug)
    assert got["deleted"] is True and got["data"] == {}
    lesson = await Lesson.get(slug=slug)
    assert lesson.published_version is None


async def _unpublish(browser, slug: str):
    page = await browser.get(f"/trainer/lessons/{slug}")
    assert page.status_code == 200, page.text
    return await browser.post(f"/trainer/lessons/{slug}/unpublish", data={"csrf_token": csrf(page)})


async def _on_phones(slug: str) -> bool:
    lesson = await Lesson.get(slug=slug)
    return lesson.published_version is not None


async def test_only_trainers_of_every_area_a_lesson_reaches_may_unpublish_it(signed_in, user):
    """Issue 11, finding 13: any trainer could unpublish any province's lesson."""
    _, here = await _trainer_browser(signed_in, user, COMMUNE_A)
    _, there = await _trainer_browser(signed_in, user, COMMUNE_B)
    _, province = await _trainer_browser(signed_in, user, "38")
    for_commune, for_everyone = new_slug(), new_slug()
    assert (
        await _create(here, for_commune, action="publish", audience_areas=[COMMUNE_A])
    ).status_code == 303
    assert (await _create(here, for_everyone, action="publish")).status_code == 303

    refused = await _unpublish(there, for_commune)
    assert refused.status_code == 403
    assert "Bài học này đến cả những địa bàn ngoài địa bàn của bạn" in refused.text
    assert (await _unpublish(there, for_everyone)).status_code == 403
    # The national curriculum reaches everyone and no trainer wrote it: administrators only.
    assert (await _unpublish(here, "recognising-online-scams")).status_code == 403
    assert await _on_phones(for_commune) and await _on_phones(for_everyone)
    assert await _on_phones("recognising-online-scams")

    assert (await _unpublish(province, for_commune)).status_code == 303  # it covers commune A
    assert (await _unpublish(here, for_everyone)).status_code == 303  # its author
    assert not await _on_phones(for_commune) and not await _on_phones(for_everyone)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Hãy viết tên bài học."),
        ({"objectives": "  "}, "Hãy viết ít nhất một mục tiêu"),
        ({"q1-right": "3"}, "Hãy đánh dấu đáp án đúng"),
        ({"q1-right": ""}, "Hãy đánh dấu đáp án đúng"),
        ({"q1-choice-1": " "}, "Hãy viết ít nhất hai đáp án"),
        ({"q0-explanation": ""}, "Hãy giải thích vì sao"),
        ({"q0-choice-1": "Có"}, "Có hai đáp án giống nhau"),
        ({"q0-choice-1": "x" * 301}, "Có một đáp án quá dài"),
        ({"q0-prompt": "x" * 601}, "Câu hỏi quá dài"),
        ({"slug": "Bài Một"}, "Chỉ dùng chữ thường a-z"),
        ({"order": "đầu"}, "Hãy nhập một số nguyên"),
        ({"audience_roles": []}, "Hãy chọn ít nhất một vai trò"),
    ],
)
async def test_bad_input_is_explained_and_nothing_typed_is_lost(
    user, overrides, message, signed_in
):
    _, trainer = await _trainer_browser(signed_in, user)
    page = await trainer.get("/trainer/lessons/new")
    form = lesson_form(csrf(page), **{"slug": new_slug(), **overrides})
    response = await trainer.post("/trainer/lessons/new", data=form)
    assert response.status_code == 422
    assert message in response.text
    assert "Nothing you typed was lost" in response.text or "không mất" in response.text
    for name in ("q0-prompt", "q1-prompt", "summary"):
        value = form[name]
        assert value.replace("\n", "&#10;") in response.text or value in response.text
    assert "1. Gọi bằng số lạ." in response.text
    assert not await Lesson.exists(slug=form["slug"])


async def test_a_slug_cannot_be_used_twice(user, signed_in):
    _, trainer = await _trainer_browser(signed_in, user)
    slug = new_slug()
    assert (await _create(trainer, slug)).status_code == 303
    again = await _create(trainer, slug, title="Bài khác")
    assert again.status_code == 422
    assert "Bài khác" in again.text and "Một bài khác đã dùng tên ngắn này" in again.text


async def test_adding_a_question_keeps_the_form(user, signed_in):
    _, trainer = await _trainer_browser(signed_in, user)
    page = await trainer.get("/trainer/lessons/new")
    form = lesson_form(csrf(page), slug=new_slug(), action="add_question")
    response = await trainer.post("/trainer/lessons/new", data=form)
    assert response.status_code == 200
    assert 'name="q2-prompt"' in response.text
    assert form["q1-prompt"] in response.text


async def test_removing_a_question(user, village, login, signed_in, pulled_lesson):
    member = await login(await user(roles.MEMBER, (await village()).code))
    _, trainer = await _trainer_browser(signed_in, user)
    slug = new_slug()
    await _create(trainer, slug, **{"q0-remove": "1", "action": "publish"})
    got = await pulled_lesson(member, slug)
    assert [q["prompt"] for q in got["data"]["quiz"]] == ["Khi nghi ngờ, nên làm gì?"]


async def test_preview_uses_the_publishing_renderer_and_needs_the_token(user, signed_in):
    _, trainer = await _trainer_browser(signed_in, user)
    page = await trainer.get("/trainer/lessons/new")
    source = "## Bước 1\n\n**Mở** ứng dụng <script>alert(1)</script>\n\n| a |\n|---|\n| 1 |"
    response = await trainer.post(
        "/trainer/lessons/preview",
        data={"csrf_token": csrf(page), "body_md": source},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert render_markdown(source) in response.text
    assert "<script" not in response.text and "<strong>Mở</strong>" in response.text
    refused = await trainer.post("/trainer/lessons/preview", data={"body_md": source})
    assert refused.status_code == 403
    no_js = await trainer.post(
        "/trainer/lessons/new", data=lesson_form(csrf(page), slug=new_slug(), action="preview")
    )
    assert no_js.status_code == 200 and "<h2>Dấu hiệu</h2>" in no_js.text


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (11, 110, 79)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_an_uploaded_image_is_shrunk_served_and_listed_for_phones(
    user, village, client, login, signed_in, pulled_lesson
):
    member = await login(await user(roles.MEMBER, (await village()).code))
    _, trainer = await _trainer_browser(signed_in, user)
    page = await trainer.get("/trainer/lessons/new")
    slug = new_slug()
    form = lesson_form(csrf(page), slug=slug, action="upload")
    response = await trainer.post(
        "/trainer/lessons/new",
        data=form,
        files={"image": ("anh.png", _png(3000, 2000), "image/png")},
    )
    assert response.status_code == 200, response.text
    match = re.search(r"\]\(images/([0-9a-f]{20}\.webp)\)", response.text)
    assert match, response.text
    name = match.group(1)
    served = await client.get(f"/media/lessons/{name}")
    assert served.status_code == 200
    stored = Image.open(io.BytesIO(served.content))
    assert stored.format == "WEBP" and max(stored.size) == MAX_SIDE
    assert stored.size == (MAX_SIDE, MAX_SIDE * 2 // 3)
    body = re.search(r'<textarea id="body_md"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert body is not None
    text = body.group(1).replace("&#34;", '"').replace("&amp;", "&")
    assert form["q0-prompt"] in response.text
    publish = lesson_form(csrf(page), slug=slug, body_md=text, action="publish")
    assert (await trainer.post("/trainer/lessons/new", data=publish)).status_code == 303
    got = await pulled_lesson(member, slug)
    assert got["data"]["images"] == [f"/media/lessons/{name}"]
    assert f'src="/media/lessons/{name}"' in got["data"]["html"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "không phải"),
        (b"MZ\x90\x00 not a picture", "không phải"),
        (b"", "Hãy chọn một ảnh"),
        (b"\x89PNG" + b"0" * MAX_UPLOAD_BYTES, "quá lớn"),
    ],
)
async def test_a_file_that_is_not_a_usable_image_is_refused(user, content, message, signed_in):
    _, trainer = await _trainer_browser(signed_in, user)
    page = await trainer.get("/trainer/lessons/new")
    form = lesson_form(csrf(page), slug=new_slug(), action="upload")
    response = await trainer.post(
        "/trainer/lessons/new", data=form, files={"image": ("x.png", content, "image/png")}
    )
    assert response.status_code == 422
    assert message in response.text
    assert form["body_md"].split("\n")[0] in response.text


async def test_lesson_images_cannot_escape_their_folders(client):
    for name in ("..%2Fsecret_key", ".hidden", "a%2Fb.png"):
        assert (await client.get(f"/media/lessons/{name}")).status_code == 404


async def test_history_shows_what_changed_and_revert_brings_it_back(user, signed_in):
    _, trainer = await _trainer_browser(signed_in, user)
    slug = new_slug()
    await _create(trainer, slug, action="publish")
    page = await trainer.get(f"/trainer/lessons/{slug}")
    changed = lesson_form(
        csrf(page), body_md="## Dấu hiệu\n\n1. Gọi bằng số lạ.\n2. Dọa bắt giam.", action="save"
    )
    await trainer.post(f"/trainer/lessons/{slug}", data=changed)
    history = await trainer.get(f"/trainer/lessons/{slug}/history")
    assert history.status_code == 200
    assert re.search(r"<del class=\"line\">2\. Đòi chuyển tiền\.</del>", history.text)
    assert re.search(r"<ins class=\"line\">2\. Dọa bắt giam\.</ins>", history.text)
    assert "\n+2." not in history.text and "\n-2." not in history.text

    response = await trainer.post(
        f"/trainer/lessons/{slug}/versions/1", data={"csrf_token": csrf(page), "action": "revert"}
    )
    assert response.status_code == 303
    lesson = await Lesson.get(slug=slug)
    numbers = [v.number for v in await services.versions(lesson)]
    assert numbers == [3, 2, 1]
    third = await services.get_version(lesson, 3)
    first = await services.get_version(lesson, 1)
    assert third is not None and first is not None
    assert third.body_md == first.body_md and third.quiz == first.quiz
    assert lesson.published_version == 1

    await trainer.post(
        f"/trainer/lessons/{slug}/versions/2", data={"csrf_token": csrf(page), "action": "publish"}
    )
    assert (await Lesson.get(slug=slug)).published_version == 2


async def test_audience_by_area_and_role(user, village, login, signed_in, pulled_lesson):
    inside, outside = await village(COMMUNE_A), await village(COMMUNE_B)
    member_in = await user(roles.MEMBER, inside.code)
    member_out = await user(roles.MEMBER, outside.code)
    coordinator = await user(roles.COORDINATOR, COMMUNE_A)
    _, trainer = await _trainer_browser(signed_in, user, COMMUNE_A)
    slug = new_slug()
    page = await trainer.get("/trainer/lessons/new")
    assert f'value="{inside.code}"' in page.text, "the trainer's villages are offered"
    response = await _create(
        trainer,
        slug,
        audience_areas=[inside.code],
        audience_roles=["member", "coordinator"],
        action="publish",
    )
    assert response.status_code == 303, response.text
    got_in = await pulled_lesson(await login(member_in), slug)
    got_out = await pulled_lesson(await login(member_out), slug)
    got_coordinator = await pulled_lesson(await login(coordinator), slug)
    assert not got_in["deleted"] and got_in["data"]["audience_areas"] == [inside.code]
    assert got_out["deleted"] and got_out["data"] == {}
    assert not got_coordinator["deleted"]

    lesson = await Lesson.get(slug=slug)
    announced = await services.publish(lesson, 1)
    assert member_in.id in announced and coordinator.id in announced
    assert member_out.id not in announced

    outside_area = await _create(trainer, new_slug(), audience_areas=[outside.code])
    assert outside_area.status_code == 422
    assert "Hãy chọn khu vực nằm trong khu vực của bạn." in outside_area.text


def _row(listing: str, slug: str) -> str:
    """The <li> of one lesson on the trainer's list."""
    match = re.search(rf'<li><a href="/trainer/lessons/{re.escape(slug)}">.*?</li>', listing, re.S)
    assert match, f"{slug} is not on the list"
    return match.group(0)


async def test_the_list_flags_lessons_not_checked_against_their_sources_for_a_year(signed_in, user):
    _, trainer = await _trainer_browser(signed_in, user)
    unchecked, old, fresh = new_slug(), new_slug(), new_slug()
    for slug in (unchecked, old, fresh):
        assert (await _create(trainer, slug)).status_code == 303
    today = datetime.now(UTC).date()
    for slug, checked in ((old, today - timedelta(days=366)), (fresh, today - timedelta(days=30))):
        lesson = await Lesson.get(slug=slug)
        version = await services.latest_version(lesson)
        assert version is not None
        version.meta = {**version.meta, "checked": checked.isoformat()}
        await version.save()

    listing = (await trainer.get("/trainer/lessons")).text
    flag = "Cần kiểm tra lại: hơn 12 tháng chưa đối chiếu nguồn"
    assert flag in _row(listing, unchecked), "a lesson written on the screens has no checked date"
    assert flag in _row(listing, old)
    assert flag not in _row(listing, fresh)
    assert flag not in _row(listing, "vneid-level-1"), "the shipped lessons were checked"
    stale = len(re.findall(re.escape(flag), listing))
    assert f"Số bài học đã hơn 12 tháng chưa được kiểm tra lại với nguồn: {stale}." in listing
