"""A readable difference between two lesson versions, line by line, for the history page."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from server.lessons.models import LessonVersion


@dataclass(frozen=True)
class DiffLine:
    """One line of the comparison: `same`, `added` or `removed`, or `gap` for skipped lines."""

    kind: str
    text: str


def as_text(version: LessonVersion) -> list[str]:
    """A version as the lines a trainer reads: title, summary, objectives, text, quiz."""
    meta: dict[str, Any] = version.meta
    lines = [f"# {version.title}", "", version.summary, ""]
    lines += [f"• {objective}" for objective in meta.get("objectives", [])]
    lines += ["", *version.body_md.splitlines(), ""]
    for n, question in enumerate(version.quiz, start=1):
        lines.append(f"{n}. {question.get('prompt', '')}")
        for i, choice in enumerate(question.get("choices", [])):
            mark = "✓" if i == question.get("answer") else "–"
            lines.append(f"   {mark} {choice}")
        lines.append(f"   → {question.get('explanation', '')}")
    return lines


def compare(old: LessonVersion, new: LessonVersion, context: int = 2) -> list[DiffLine]:
    """The lines that changed from `old` to `new`, with a little context around them."""
    before, after = as_text(old), as_text(new)
    result: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if result:
            result.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result += [DiffLine("same", line) for line in before[i1:i2]]
                continue
            result += [DiffLine("removed", line) for line in before[i1:i2]]
            result += [DiffLine("added", line) for line in after[j1:j2]]
    return result
