"""A lesson as a trainer edits it: read from the form, checked, with errors per field."""

from __future__ import annotations

import re
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
_RESERVED = {"new", "preview"}  # trainer page addresses under /trainer/lessons/


@dataclass
class Question:
    """One quiz question as typed: choices one per line, the right one counted from 1."""

    id: str = ""
    prompt: str = ""
    choices: str = ""
    answer: str = ""
    explanation: str = ""

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def blank(self) -> bool:
        return not (self.prompt.strip() or self.choices.strip() or self.explanation.strip())

    def stored(self) -> dict[str, Any]:
        """The question as LessonVersion.quiz and the devices hold it (answer from 0)."""
        return {
            "id": self.id,
            "prompt": self.prompt.strip(),
            "choices": self.choice_list,
            "answer": int(self.answer) - 1,
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
        questions.append(
            Question(
                id=form.get(f"q{n}-id", "").strip(),
                prompt=form.get(f"q{n}-prompt", ""),
                choices=form.get(f"q{n}-choices", ""),
                answer=form.get(f"q{n}-answer", "").strip(),
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
                choices="\n".join(q.get("choices", [])),
                answer=str(int(q.get("answer", 0)) + 1),
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
    if len(choices) < 2:
        return N_("Write at least two answers, one per line.")
    if len(set(choices)) != len(choices):
        return N_("Two answers are the same: make each answer different.")
    answer = question.answer
    if not (answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(choices)):
        return N_("Enter the number of the right answer, from 1 to the number of answers.")
    if not question.explanation.strip():
        return N_("Explain why the right answer is right.")
    return None


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


def check_slug(slug: str) -> str | None:
    """An English msgid when `slug` cannot name a new lesson."""
    if not slug:
        return N_("Write a short name for the web address, e.g. vneid-level-2.")
    if len(slug) > SLUG_MAX or not SLUG.match(slug) or slug in _RESERVED:
        return N_("Use only small letters a-z, digits and dashes, e.g. vneid-level-2.")
    return None
