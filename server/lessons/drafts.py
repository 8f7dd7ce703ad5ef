"""A lesson as a trainer edits it: read from the form, checked, with errors per field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from server.accounts import roles
from server.content import LANGUAGES, normalise_body
from server.content.lessons import REMEMBER_ITEM_MAX, REMEMBER_MAX
from server.i18n import N_

SLUG = re.compile(r"^[a-z0-9-]+$")
SLUG_MAX = 80
TITLE_MAX = 200
MAX_QUESTIONS = 30
MAX_CHOICES = 6  # answer fields per question on the form
MIN_CHOICES = 2
CHOICE_MAX = 300
PROMPT_MAX = 600
EXPLANATION_MAX = 1200
_RESERVED = {"new", "preview"}  # trainer page addresses under /trainer/lessons/


def _blank_choices() -> list[str]:
    return [""] * 3


@dataclass
class Question:
    """One quiz question as typed: one field per answer, and which field holds the right one.

    `right` is the position of the right answer's field on the form (from 0), as the radio
    button posts it; empty fields are dropped when the question is stored.
    """

    id: str = ""
    prompt: str = ""
    choices: list[str] = field(default_factory=_blank_choices)
    right: str = ""
    explanation: str = ""

    @property
    def choice_list(self) -> list[str]:
        return [choice.strip() for choice in self.choices if choice.strip()]

    @property
    def right_index(self) -> int | None:
        """The right answer's position among the non-empty answers, or None when none is."""
        if not (self.right.isascii() and self.right.isdigit()):
            return None
        at = int(self.right)
        if at >= len(self.choices) or not self.choices[at].strip():
            return None
        return sum(1 for choice in self.choices[:at] if choice.strip())

    @property
    def blank(self) -> bool:
        typed = any(choice.strip() for choice in self.choices)
        return not (self.prompt.strip() or typed or self.explanation.strip())

    def stored(self) -> dict[str, Any]:
        """The question as LessonVersion.quiz and the devices hold it (answer from 0)."""
        return {
            "id": self.id,
            "prompt": self.prompt.strip(),
            "choices": self.choice_list,
            "answer": self.right_index,
            "explanation": self.explanation.strip(),
        }


@dataclass
class LessonDraft:
    """Everything a trainer types for one version of a lesson."""

    title: str = ""
    summary: str = ""
    language: str = "vi"
    order: str = "0"
    objectives: str = ""
    remember: str = ""
    body_md: str = ""
    audience_roles: list[str] = field(default_factory=lambda: [roles.MEMBER])
    audience_areas: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    @property
    def objective_list(self) -> list[str]:
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]

    @property
    def remember_list(self) -> list[str]:
        """The points of the "remember" card at the top of the lesson, one per line."""
        return [line.strip() for line in self.remember.splitlines() if line.strip()]

    def meta(self) -> dict[str, Any]:
        """LessonVersion.meta: order, objectives, the points to remember and audience."""
        return {
            "order": int(self.order),
            "objectives": self.objective_list,
            **({"remember": self.remember_list} if self.remember_list else {}),
            "audience_roles": list(self.audience_roles),
            "audience_areas": list(self.audience_areas),
        }

    def quiz(self) -> list[dict[str, Any]]:
        return [q.stored() for q in self.questions if not q.blank]


def from_form(form: dict[str, str], roles_chosen: list[str], areas: list[str]) -> LessonDraft:
    """Read the editing form (text fields; checkbox lists passed separately)."""
    questions = []
    for n in range(MAX_QUESTIONS):
        if f"q{n}-prompt" not in form:
            continue
        if form.get(f"q{n}-remove"):
            continue
        choices = [
            form[f"q{n}-choice-{k}"] for k in range(MAX_CHOICES + 1) if f"q{n}-choice-{k}" in form
        ]
        questions.append(
            Question(
                id=form.get(f"q{n}-id", "").strip(),
                prompt=form.get(f"q{n}-prompt", ""),
                choices=choices,
                right=form.get(f"q{n}-right", "").strip(),
                explanation=form.get(f"q{n}-explanation", ""),
            )
        )
    return LessonDraft(
        title=form.get("title", "").strip(),
        summary=form.get("summary", "").strip(),
        language=form.get("language", "vi"),
        order=form.get("order", "0").strip(),
        objectives=form.get("objectives", ""),
        remember=form.get("remember", ""),
        body_md=normalise_body(form.get("body_md", "")),
        audience_roles=[r for r in roles_chosen if r in roles.ROLES],
        audience_areas=areas,
        questions=questions,
    )


def from_version(
    title: str,
    summary: str,
    language: str,
    body_md: str,
    quiz: list[dict[str, Any]],
    meta: dict[str, Any],
) -> LessonDraft:
    """A stored version, ready to edit."""
    return LessonDraft(
        title=title,
        summary=summary,
        language=language,
        order=str(meta.get("order", 0)),
        objectives="\n".join(meta.get("objectives", [])),
        remember="\n".join(str(point) for point in meta.get("remember", [])),
        body_md=body_md,
        audience_roles=list(meta.get("audience_roles", [roles.MEMBER])),
        audience_areas=list(meta.get("audience_areas", [])),
        questions=[
            Question(
                id=str(q.get("id", "")),
                prompt=str(q.get("prompt", "")),
                choices=[str(choice) for choice in q.get("choices", [])],
                right=str(int(q.get("answer", 0))),
                explanation=str(q.get("explanation", "")),
            )
            for q in quiz
        ],
    )


def check(draft: LessonDraft, allowed_areas: set[str]) -> dict[str, str]:
    """Field name → English msgid for each problem; empty when the draft can be saved."""
    errors: dict[str, str] = {}
    if not draft.title:
        errors["title"] = N_("Write the lesson's title.")
    elif len(draft.title) > TITLE_MAX:
        errors["title"] = N_("The title is too long: keep it under 200 characters.")
    if not draft.summary:
        errors["summary"] = N_("Write one or two sentences saying what the lesson is about.")
    if draft.language not in LANGUAGES:
        errors["language"] = N_("Choose one of the listed options.")
    if not (draft.order.isascii() and draft.order.isdigit() and len(draft.order) <= 6):
        errors["order"] = N_("Enter a whole number (0 or more).")
    if not draft.objective_list:
        errors["objectives"] = N_("Write at least one objective, one per line.")
    if len(draft.remember_list) > REMEMBER_MAX:
        errors["remember"] = N_("Write at most three points to remember, one per line.")
    elif any(len(point) > REMEMBER_ITEM_MAX for point in draft.remember_list):
        errors["remember"] = N_("A point to remember is too long: keep each under 300 characters.")
    if not draft.body_md.strip():
        errors["body_md"] = N_("Write the lesson's text.")
    if not draft.audience_roles:
        errors["audience_roles"] = N_("Choose at least one role the lesson is for.")
    if any(code not in allowed_areas for code in draft.audience_areas):
        errors["audience_areas"] = N_("Choose areas inside your own areas.")
    _number_questions(draft)
    for n, question in enumerate(q for q in draft.questions if not q.blank):
        problem = _question_problem(question)
        if problem:
            errors[f"q{n}"] = problem
    return errors


def _question_problem(question: Question) -> str | None:
    choices = question.choice_list
    if not question.prompt.strip():
        return N_("Write the question.")
    if len(question.prompt.strip()) > PROMPT_MAX:
        return N_("The question is too long: keep it under 600 characters.")
    if len(choices) < MIN_CHOICES:
        return N_("Write at least two answers.")
    if len(question.choices) > MAX_CHOICES:
        return N_("A question takes at most six answers.")
    if any(len(choice) > CHOICE_MAX for choice in choices):
        return N_("An answer is too long: keep each under 300 characters.")
    if len(set(choices)) != len(choices):
        return N_("Two answers are the same: make each answer different.")
    if question.right_index is None:
        return N_("Mark the right answer: tick “This is the right answer” beside it.")
    if not question.explanation.strip():
        return N_("Explain why the right answer is right.")
    if len(question.explanation.strip()) > EXPLANATION_MAX:
        return N_("The explanation is too long: keep it under 1200 characters.")
    return None


def add_choice(question: Question) -> None:
    """One more empty answer field, up to MAX_CHOICES."""
    if len(question.choices) < MAX_CHOICES:
        question.choices.append("")


def remove_choice(question: Question, at: int) -> None:
    """Drop the answer field at `at`; the right answer follows its text."""
    if not 0 <= at < len(question.choices) or len(question.choices) <= MIN_CHOICES:
        return
    right = int(question.right) if question.right.isascii() and question.right.isdigit() else -1
    del question.choices[at]
    if right == at:
        question.right = ""
    elif right > at:
        question.right = str(right - 1)


def _number_questions(draft: LessonDraft) -> None:
    """Give new questions a stable id (q1, q2, ...) that no other question uses."""
    used = {q.id for q in draft.questions if q.id}
    counter = 1
    for index, question in enumerate(draft.questions):
        if question.id:
            continue
        while f"q{counter}" in used:
            counter += 1
        draft.questions[index] = replace(question, id=f"q{counter}")
        used.add(f"q{counter}")


def slug_from_title(title: str) -> str:
    """ "Tài khoản an sinh" → "tai-khoan-an-sinh": diacritics folded, đ → d, words joined by
    dashes (pwa/static/trainer/lesson-editor.js fills the field by the same rule)."""
    decomposed = unicodedata.normalize("NFD", title)
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    plain = plain.replace("đ", "d").replace("Đ", "d").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:SLUG_MAX].rstrip("-")


def insert_at(body: str, cursor: str, block: str) -> tuple[str, bool]:
    """The body with `block` as a paragraph of its own at `cursor` (a character offset, as the
    editor posts it), or at the end when the cursor is missing or outside the text; and whether
    it went in before the end."""
    at = int(cursor) if cursor.isascii() and cursor.isdigit() and len(cursor) < 9 else len(body)
    before, after = body[: min(at, len(body))].rstrip(), body[min(at, len(body)) :].lstrip()
    if not after:
        return f"{before}\n\n{block}\n".lstrip(), False
    return f"{before}\n\n{block}\n\n{after}".lstrip(), True


def check_slug(slug: str) -> str | None:
    """An English msgid when `slug` cannot name a new lesson."""
    if not slug:
        return N_("Write a short name for the web address, e.g. vneid-level-2.")
    if len(slug) > SLUG_MAX or not SLUG.match(slug) or slug in _RESERVED:
        return N_("Use only small letters a-z, digits and dashes, e.g. vneid-level-2.")
    return None
