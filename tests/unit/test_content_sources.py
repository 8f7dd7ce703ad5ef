"""Every shipped lesson and checklist says where its facts come from; quizzes cannot be guessed."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from server.content import (
    LessonDef,
    Source,
    load_checklist_templates,
    load_indicators,
    load_lessons,
)

CONTENT = Path(__file__).resolve().parents[2] / "content"
LESSONS = {lesson.slug: lesson for lesson in load_lessons(CONTENT)}
CHECKLISTS = {template.key: template for template in load_checklist_templates(CONTENT)}
LONGEST_SHARE_MAX = 0.40
SHORTEST_SHARE_MAX = 0.50


def _check(sources: tuple[Source, ...], checked: dt.date | None) -> None:
    assert sources, "no [[sources]]"
    for source in sources:
        assert source.title.strip() and source.publisher.strip()
        assert source.url.startswith(("https://", "http://"))
        assert source.date <= dt.date.today(), f"{source.title}: dated in the future"
    assert checked is not None, "no checked date"
    assert checked <= dt.date.today(), f"checked {checked} is in the future"
    assert checked >= max(source.date for source in sources), "checked before its newest source"


@pytest.mark.parametrize("slug", sorted(LESSONS))
def test_each_lesson_names_its_sources_and_when_it_was_checked(slug: str) -> None:
    lesson = LESSONS[slug]
    _check(lesson.sources, lesson.checked)


@pytest.mark.parametrize("key", sorted(CHECKLISTS))
def test_each_checklist_names_its_sources_and_when_it_was_checked(key: str) -> None:
    template = CHECKLISTS[key]
    _check(template.sources, template.checked)


def test_the_indicator_set_names_its_sources() -> None:
    indicators = load_indicators(CONTENT)
    _check(indicators.sources, indicators.checked)


def longest_answer_share(lesson: LessonDef) -> float:
    """The share of questions whose right answer is (one of) the longest choices."""
    longest = sum(
        len(q.choices[q.answer]) >= max(len(choice) for choice in q.choices) for q in lesson.quiz
    )
    return longest / len(lesson.quiz) if lesson.quiz else 0.0


def shortest_answer_share(lesson: LessonDef) -> float:
    """The share of questions whose right answer is (one of) the shortest choices."""
    shortest = sum(
        len(q.choices[q.answer]) <= min(len(choice) for choice in q.choices) for q in lesson.quiz
    )
    return shortest / len(lesson.quiz) if lesson.quiz else 0.0


@pytest.mark.parametrize("slug", sorted(LESSONS))
def test_the_right_answer_is_not_usually_the_longest(slug: str) -> None:
    lesson = LESSONS[slug]
    share = longest_answer_share(lesson)
    assert share <= LONGEST_SHARE_MAX, (
        f"{slug}: the right answer is the longest choice in {share:.0%} of the questions; "
        "shorten it or write wrong answers as full, believable misconceptions"
    )


@pytest.mark.parametrize("slug", sorted(LESSONS))
def test_the_right_answer_is_not_usually_the_shortest_either(slug: str) -> None:
    share = shortest_answer_share(LESSONS[slug])
    assert share <= SHORTEST_SHARE_MAX, (
        f"{slug}: the right answer is the shortest choice in {share:.0%} of the questions"
    )


@pytest.mark.parametrize("slug", sorted(LESSONS))
def test_the_right_answer_is_not_always_in_the_same_place(slug: str) -> None:
    places = {q.answer for q in LESSONS[slug].quiz}
    assert len(places) > 1, f"{slug}: every right answer is choice {places}"


def test_the_longest_answer_rule_can_fail() -> None:
    lesson = LESSONS["recognising-online-scams"]
    quiz = tuple(replace(q, choices=("a", "b" * 200), answer=1) for q in lesson.quiz)
    assert longest_answer_share(replace(lesson, quiz=quiz)) == 1.0
    quiz = tuple(replace(q, choices=("a" * 200, "b"), answer=1) for q in lesson.quiz)
    assert longest_answer_share(replace(lesson, quiz=quiz)) == 0.0
    assert shortest_answer_share(replace(lesson, quiz=quiz)) == 1.0
