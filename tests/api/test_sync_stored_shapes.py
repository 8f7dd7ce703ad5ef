"""A map stored in the wrong shape (as an older server let in) breaks nobody (issue 11, #5).

`answers: {"": "x"}` once turned the stored map into a string: later pushes touching it were a
500, and on PostgreSQL the lesson reports were a 500 for everyone.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from server.accounts import roles
from server.db.config import connection, is_postgres, placeholders
from server.lessons.models import LessonProgress, PublishedLesson
from tests.data import COMMUNE_A, mutation

SLUG = "recognising-online-scams"
NOT_JSON = object()  # SQLite only: text that is not JSON at all


async def _store(record: uuid.UUID, value: Any) -> None:
    """Write `value` as JSON text straight into the column, past every rule."""
    conn = connection()
    if value is NOT_JSON and is_postgres(conn):
        pytest.skip("a jsonb column holds only JSON")
    text = "x{" if value is NOT_JSON else json.dumps(value)
    cast = "::jsonb" if is_postgres(conn) else ""
    value_mark, id_mark = placeholders(conn, 2)
    await conn.execute_query(
        f"UPDATE lesson_progress SET answers = {value_mark}{cast} WHERE id = {id_mark}",
        [text, str(record)],
    )


@pytest.mark.parametrize(
    "stored", ["x", [1, 2], 7, None, NOT_JSON], ids=["text", "list", "number", "null", "not json"]
)
async def test_reports_and_later_pushes_survive_a_stored_value_that_is_not_an_object(
    user, village, login, push, signed_in, stored
):
    lesson = await PublishedLesson.get(slug=SLUG)
    area = await village(COMMUNE_A)
    member = await user(roles.MEMBER, area.code)
    headers = await login(member)
    record = uuid.uuid4()
    data = {
        "lesson_slug": SLUG,
        "lesson_version": lesson.number,
        "status": "completed",
        "score": 100,
        "answers": {q["id"]: q["answer"] for q in lesson.quiz},
    }
    await push(headers, "dev-shape", [mutation(record, data, type_="lesson_progress")], {"applied"})
    await _store(record, stored)

    coordinator = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await coordinator.get("/trainer/reports", params={"area": area.code})
    assert page.status_code == 200, page.text
    download = await coordinator.get("/trainer/reports.csv")
    assert download.status_code == 200, download.text

    if stored is NOT_JSON:
        return  # a push reads the record as JSON: only a broken disk writes such text
    first = lesson.quiz[0]["id"]
    again = mutation(record, {"answers": {first: 1}}, "update", type_="lesson_progress")
    [receipt] = await push(headers, "dev-shape", [again])
    assert receipt["status"] == "applied", receipt
    assert (await LessonProgress.get(id=record)).answers == {first: 1}
