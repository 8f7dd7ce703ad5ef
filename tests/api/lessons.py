"""Lessons in tests: a complete valid trainer form, a fresh slug, a member taking a quiz."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from server.lessons.models import PublishedLesson
from tests.data import mutation

_slugs = itertools.count(1)
SLUG = "recognising-online-scams"  # a shipped lesson with a quiz


def lesson_form(csrf: str, **overrides: Any) -> dict[str, Any]:
    """A complete, valid lesson form with two quiz questions."""
    form: dict[str, Any] = {
        "csrf_token": csrf,
        "title": "Nhận biết cuộc gọi giả danh công an",
        "summary": "Cách nhận ra và xử lý cuộc gọi lừa đảo.",
        "language": "vi",
        "order": "40",
        "objectives": "Nhận ra dấu hiệu lừa đảo\nBiết báo cho ai",
        "body_md": "## Dấu hiệu\n\n1. Gọi bằng số lạ.\n2. Đòi chuyển tiền.",
        "audience_roles": ["member"],
        "q0-prompt": "Công an có gọi điện đòi chuyển tiền không?",
        "q0-choice-0": "Có",
        "q0-choice-1": "Không bao giờ",
        "q0-right": "1",
        "q0-explanation": "Công an không bao giờ yêu cầu chuyển tiền qua điện thoại.",
        "q1-prompt": "Khi nghi ngờ, nên làm gì?",
        "q1-choice-0": "Làm theo ngay",
        "q1-choice-1": "Gác máy và báo công an xã",
        "q1-right": "1",
        "q1-explanation": "Gác máy, rồi báo công an xã.",
        "action": "save",
    }
    form.update(overrides)
    return form


def new_slug() -> str:
    """A lesson slug no other test uses."""
    return f"bai-thu-{next(_slugs)}-{uuid.uuid4().hex[:6]}"


async def take_quiz(push, headers, lesson: PublishedLesson, wrong: set[str], done=True):
    """Push what the member app stores: status, score and {question id: chosen index}."""
    answers = {
        q["id"]: (q["answer"] + 1) % len(q["choices"]) if q["id"] in wrong else q["answer"]
        for q in lesson.quiz
    }
    right = sum(1 for q in lesson.quiz if q["id"] not in wrong)
    data = {"lesson_slug": lesson.slug, "lesson_version": lesson.number, "status": "started"}
    if done:
        score = round(100 * right / len(lesson.quiz))
        data |= {"status": "completed", "score": score, "answers": answers}
    m = mutation(uuid.uuid4(), data, type_="lesson_progress")
    [receipt] = await push(headers, f"d-{uuid.uuid4().hex[:8]}", [m])
    assert receipt["status"] == "applied", receipt
