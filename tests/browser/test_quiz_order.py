"""The quiz on the phone shows its choices in an order of their own for each attempt: the same
order when the member comes back to an unfinished attempt, a new one after checking the answers,
and the answer saved is still the choice itself (its index in the lesson), never its place."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.browser.member import open_screen, sign_in, sync_now, wait_synced
from tests.browser.support import LiveServer, Phones

if TYPE_CHECKING:
    from playwright.sync_api import Page

SLUG = "recognising-online-scams"


def _order(page: Page) -> list[list[str]]:
    """The radio values of each question, top to bottom."""
    page.locator("form.quiz").wait_for()
    return page.evaluate(
        """() => [...document.querySelectorAll("form.quiz fieldset")].map((f) =>
            [...f.querySelectorAll("input[type=radio]")].map((i) => i.value))"""
    )


def _open(page: Page) -> list[list[str]]:
    open_screen(page, "#/lessons")
    open_screen(page, f"#/lessons/{SLUG}")
    return _order(page)


def test_choices_are_shuffled_per_attempt_and_the_answer_keeps_its_identity(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    phones = browser_context_factory
    context = phones.open("member-quiz-order")
    page = phones.page(context)
    sign_in(page, live_server, live_server.second_member)
    quiz = page.evaluate(
        """async (slug) => (await window.langso.app.store.all("lesson"))
            .find((l) => l.data.slug === slug).data.quiz""",
        SLUG,
    )
    natural = [[str(i) for i in range(len(q["choices"]))] for q in quiz]

    first = _open(page)
    assert sorted(map(sorted, first)) == sorted(map(sorted, natural))
    # Coming back to the same (unfinished) attempt, even after a reload, keeps the order.
    assert _open(page) == first
    page.reload()
    assert _open(page) == first

    # The radio next to a choice's text carries that choice's own index.
    for n, q in enumerate(quiz):
        for value in first[n]:
            label = page.locator(f"input[name='{q['id']}'][value='{value}']").locator("..")
            assert label.inner_text().strip() == q["choices"][int(value)]
    for q in quiz:
        page.locator(f"input[name='{q['id']}'][value='{q['answer']}']").check()
    page.get_by_role("button", name="Kiểm tra câu trả lời").click()
    page.get_by_text(f"Bạn trả lời đúng {len(quiz)} trong {len(quiz)} câu.").wait_for()

    # A new attempt, a new order (five questions of three or four choices: a repeat of every
    # question's order by chance is about one in ten thousand; three tries make it negligible).
    orders = [_open(page) for _ in range(3)]
    assert any(order != first for order in orders)
    assert first != natural or any(order != natural for order in orders)

    sync_now(page)
    wait_synced(page)
    rows = live_server.sql(
        "SELECT status, score, answers FROM lesson_progress WHERE lesson_slug = ?", SLUG
    )
    mine = [r for r in rows if r[1] == 100]
    assert mine, rows
    answers = mine[0][2]
    answers = json.loads(answers) if isinstance(answers, str) else answers
    assert answers == {q["id"]: q["answer"] for q in quiz}
