"""The shipped curriculum covers what the teams need, each lesson teachable and checkable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.content import LessonDef, load_lessons
from server.lessons.rendering import render_markdown

CONTENT = Path(__file__).resolve().parents[2] / "content"
LESSONS = {lesson.slug: lesson for lesson in load_lessons(CONTENT)}

# The topics the curriculum must cover (issue 4), with words the lesson must use.
TOPICS = {
    "team-role-consent": ("đồng ý", "hộ"),
    "five-digital-skills": ("05 kỹ năng", "dịch vụ công", "thanh toán"),
    "vneid-level-1": ("CH Play", "App Store", "mức 1", "OTP", "NFC"),
    "vneid-level-2": ("công an xã", "số định danh cá nhân", "OTP", "passcode", "mật khẩu"),
    "public-services-login": ("dịch vụ công", "VNeID"),
    "mobile-money-safe-payment": ("chính chủ", "OTP"),
    "selling-local-products-online": ("OCOP",),
    "recognising-online-scams": ("công an", "trúng thưởng", "vay", "điều khiển từ xa"),
    "personal-data-protection": ("91/2025/QH15", "1/1/2026", "đồng ý", "không đánh dấu sẵn"),
    "helping-older-people": ("mắt", "chữ"),
    # The five lessons teams needed most in 2026 (issue 17).
    "social-welfare-account-vneid": ("An sinh xã hội", "mức 2", "đứng tên"),
    "biometrics-bank-sim": ("sinh trắc học", "10 triệu", "SIM", "không gửi tin có link"),
    "binh-dan-hoc-vu-so": ("binhdanhocvuso.gov.vn", "VNeID", "05 kỹ năng"),
    "vneid-after-level-2": ("bảo hiểm y tế", "passcode", "tố giác", "NFC"),
    "selling-online-2026": ("hoàn thuế", "VNeID", "nhãn", "thuế khoán"),
}


def test_at_least_ten_vietnamese_lessons_cover_every_topic() -> None:
    vietnamese = [lesson for lesson in LESSONS.values() if lesson.language == "vi"]
    assert len(vietnamese) >= 10
    for slug, words in TOPICS.items():
        assert slug in LESSONS, f"no lesson on {slug}"
        text = _all_text(LESSONS[slug]).lower()
        missing = [word for word in words if word.lower() not in text]
        assert not missing, f"{slug} does not mention {missing}"


@pytest.mark.parametrize("slug", sorted(LESSONS))
def test_each_lesson_has_objectives_steps_and_a_quiz_with_explanations(slug: str) -> None:
    lesson = LESSONS[slug]
    assert lesson.objectives and all(len(o) > 10 for o in lesson.objectives)
    assert re.search(r"^1\. .+\n2\. ", lesson.body_md, re.M), "step-by-step guidance (1., 2., …)"
    assert len(lesson.quiz) >= 3
    for question in lesson.quiz:
        assert len(question.choices) >= 2 and len(question.explanation) > 20
    html = render_markdown(lesson.body_md)
    assert "<h2>" in html


@pytest.mark.parametrize("slug", sorted(LESSONS))
def test_every_picture_a_lesson_shows_is_in_content(slug: str) -> None:
    for name in re.findall(r"\]\(images/([^)]+)\)", LESSONS[slug].body_md):
        assert (CONTENT / "lessons" / "images" / name).is_file(), name


def _all_text(lesson: LessonDef) -> str:
    quiz = " ".join(
        " ".join((q.prompt, *q.choices, q.explanation)) for q in lesson.quiz
    )  # fmt: skip
    return " ".join((lesson.title, lesson.summary, *lesson.objectives, lesson.body_md, quiz))
