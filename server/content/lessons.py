"""The lessons in content/: Markdown with TOML front matter, read and written back.

The file format is described field by field in docs/content.md.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from server.accounts.roles import MEMBER, ROLES
from server.content.toml import (
    _FENCE,
    _SLUG,
    _SLUG_MAX,
    _TITLE_MAX,
    LANGUAGES,
    ContentError,
    Source,
    _Table,
)


@dataclass(frozen=True)
class QuizQuestion:
    id: str
    prompt: str
    choices: tuple[str, ...]
    answer: int
    explanation: str


@dataclass(frozen=True)
class LessonDef:
    slug: str
    title: str
    language: str
    summary: str
    objectives: tuple[str, ...]
    order: int
    audience_roles: tuple[str, ...]
    body_md: str
    quiz: tuple[QuizQuestion, ...]
    source_path: Path
    sources: tuple[Source, ...] = ()
    checked: dt.date | None = None
    remember: tuple[str, ...] = ()


REMEMBER_MAX = 3
"""At most this many points on a lesson's "remember" card."""
REMEMBER_ITEM_MAX = 300


def load_lessons(content_dir: Path) -> tuple[LessonDef, ...]:
    """Read content/lessons/*.md sorted by (order, slug); empty if the folder is missing."""
    lessons: list[LessonDef] = []
    seen: dict[str, Path] = {}
    for path in sorted((content_dir / "lessons").glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ContentError(f"{path}: not valid UTF-8: {exc}") from None
        lesson = parse_lesson(text, path)
        if not re.fullmatch(r"\d+-" + re.escape(lesson.slug), path.stem):
            raise ContentError(f"{path}: slug: file name must be NN-{lesson.slug}.md")
        if lesson.slug in seen:
            also = seen[lesson.slug]
            raise ContentError(f"{path}: slug: {lesson.slug!r} is used twice (also in {also})")
        seen[lesson.slug] = path
        lessons.append(lesson)
    return tuple(sorted(lessons, key=lambda lesson: (lesson.order, lesson.slug)))


def parse_lesson(text: str, source_path: Path) -> LessonDef:
    """Parse one lesson file: TOML front matter between `+++` lines, then the Markdown body."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if lines[0].strip() != _FENCE:
        raise ContentError(f"{source_path}: must start with a line of {_FENCE}")
    try:
        end = next(i for i, line in enumerate(lines) if i > 0 and line.strip() == _FENCE)
    except StopIteration:
        raise ContentError(f"{source_path}: front matter has no closing {_FENCE} line") from None
    try:
        front = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{source_path}: front matter is not valid TOML: {exc}") from None
    t = _Table(front, source_path, "", "lesson")
    slug = t.text("slug", max_len=_SLUG_MAX)
    if not _SLUG.match(slug):
        raise t.error("slug", f"{slug!r} may use only a-z, 0-9 and -")
    language = t.text("language")
    if language not in LANGUAGES:
        raise t.error("language", f"{language!r} must be one of {', '.join(LANGUAGES)}")
    roles = t.texts("audience_roles", default=(MEMBER,))
    for role in roles:
        if role not in ROLES:
            raise t.error("audience_roles", f"{role!r} must be one of {', '.join(ROLES)}")
    quiz: list[QuizQuestion] = []
    ids: dict[str, str] = {}
    for q in t.tables("quiz", "lesson.quiz") if "quiz" in t.data else []:
        quiz.append(_question(q))
        q.unique("id", quiz[-1].id, ids)
    remember = t.texts("remember", default=())
    if len(remember) > REMEMBER_MAX:
        raise t.error("remember", f"has {len(remember)} points; write at most {REMEMBER_MAX}")
    if any(len(point) > REMEMBER_ITEM_MAX for point in remember):
        raise t.error("remember", f"each point must be at most {REMEMBER_ITEM_MAX} characters")
    body = normalise_body("\n".join(lines[end + 1 :]))
    if not body:
        raise ContentError(f"{source_path}: body: the lesson text after {_FENCE} is empty")
    return LessonDef(
        slug=slug,
        title=t.text("title", max_len=_TITLE_MAX),
        language=language,
        summary=t.text("summary"),
        objectives=t.texts("objectives"),
        order=t.integer("order", minimum=0),
        audience_roles=roles,
        body_md=body,
        quiz=tuple(quiz),
        source_path=source_path,
        sources=t.sources(),
        checked=t.checked(),
        remember=remember,
    )


def _question(q: _Table) -> QuizQuestion:
    choices = q.texts("choices")
    if len(choices) < 2:
        raise q.error("choices", "needs at least 2 choices")
    answer = q.integer("answer", minimum=0)
    if answer >= len(choices):
        last = len(choices) - 1
        raise q.error(
            "answer", f"{answer} is out of range: choices count from 0, the last is {last}"
        )
    return QuizQuestion(
        id=q.text("id"),
        prompt=q.text("prompt"),
        choices=choices,
        answer=answer,
        explanation=q.text("explanation"),
    )


def normalise_body(body: str) -> str:
    """A lesson body as stored: Unix line ends, no leading blank lines, no trailing whitespace."""
    return re.sub(r"\A(?:[ \t]*\n)+", "", body.replace("\r\n", "\n")).rstrip()


def dump_lesson(lesson: LessonDef) -> str:
    """Write a lesson back in the file format; parse_lesson() of the result equals the lesson.

    The body is stored without leading blank lines or trailing whitespace.
    """
    out = [
        _FENCE,
        f"slug = {_toml_str(lesson.slug)}",
        f"title = {_toml_str(lesson.title)}",
        f"language = {_toml_str(lesson.language)}",
        f"order = {lesson.order}",
        f"summary = {_toml_str(lesson.summary)}",
        f"objectives = {_toml_list(lesson.objectives)}",
        f"audience_roles = {_toml_list(lesson.audience_roles)}",
    ]
    if lesson.remember:
        out.append(f"remember = {_toml_list(lesson.remember)}")
    if lesson.checked is not None:
        out.append(f"checked = {lesson.checked.isoformat()}")
    for s in lesson.sources:
        out += [
            "",
            "[[sources]]",
            f"title = {_toml_str(s.title)}",
            f"publisher = {_toml_str(s.publisher)}",
            f"date = {s.date.isoformat()}",
            f"url = {_toml_str(s.url)}",
        ]
        if s.note:
            out.append(f"note = {_toml_str(s.note)}")
    for q in lesson.quiz:
        out += [
            "",
            "[[quiz]]",
            f"id = {_toml_str(q.id)}",
            f"prompt = {_toml_str(q.prompt)}",
            f"choices = {_toml_list(q.choices)}",
            f"answer = {q.answer}",
            f"explanation = {_toml_str(q.explanation)}",
        ]
    out += [_FENCE, normalise_body(lesson.body_md), ""]
    return "\n".join(out)


_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_str(value: str) -> str:
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return _ESCAPES.get(char, f"\\u{ord(char):04X}")

    return '"' + re.sub(r'[\\"\x00-\x1f\x7f]', escape, value) + '"'


def _toml_list(values: tuple[str, ...]) -> str:
    if sum(len(v) for v in values) < 60:
        return "[" + ", ".join(_toml_str(v) for v in values) + "]"
    return "[\n" + "".join(f"  {_toml_str(v)},\n" for v in values) + "]"
