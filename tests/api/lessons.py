"""Lesson forms for the trainer-screen tests: a complete valid form, a fresh slug."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

_slugs = itertools.count(1)


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
        "q0-choices": "Có\nKhông bao giờ",
        "q0-answer": "2",
        "q0-explanation": "Công an không bao giờ yêu cầu chuyển tiền qua điện thoại.",
        "q1-prompt": "Khi nghi ngờ, nên làm gì?",
        "q1-choices": "Làm theo ngay\nGác máy và báo công an xã",
        "q1-answer": "2",
        "q1-explanation": "Gác máy, rồi báo công an xã.",
        "action": "save",
    }
    form.update(overrides)
    return form


def new_slug() -> str:
    """A lesson slug no other test uses."""
    return f"bai-thu-{next(_slugs)}-{uuid.uuid4().hex[:6]}"
