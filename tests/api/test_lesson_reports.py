"""Completion reports: counts per lesson and area, most-missed questions, CSV, area scoping."""

from __future__ import annotations

import asyncio
import csv
import io

from server.accounts import roles
from server.lessons import reports
from server.lessons.models import PublishedLesson
from tests.api.lessons import SLUG, take_quiz
from tests.data import COMMUNE_A, COMMUNE_B


def _row(page: str, area_name: str) -> str:
    start = page.index(f"<td>{area_name}</td>")
    return page[start : page.index("</tr>", start)]


async def test_reports_count_members_scores_and_missed_questions_in_scope(
    user, village, login, push, signed_in
):
    lesson = await PublishedLesson.get(slug=SLUG)
    first, second = lesson.quiz[0], lesson.quiz[1]
    here, there = await village(COMMUNE_A), await village(COMMUNE_B)
    members = [await user(roles.MEMBER, here.code) for _ in range(3)]
    stranger = await user(roles.MEMBER, there.code)
    await take_quiz(push, await login(members[0]), lesson, wrong=set())
    await take_quiz(push, await login(members[1]), lesson, wrong={first["id"], second["id"]})
    await take_quiz(push, await login(members[2]), lesson, wrong=set(), done=False)
    await take_quiz(push, await login(stranger), lesson, wrong={first["id"]})

    coordinator = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    page = await coordinator.get("/trainer/reports", params={"area": here.code})
    assert page.status_code == 200, page.text
    section = page.text[page.text.index(lesson.title) :]
    section = section[: section.index("</section>")]
    assert "3 trên 3 tổ viên đã bắt đầu, 2 đã học xong." in section
    total = len(lesson.quiz)
    expected = round((100 + round(100 * (total - 2) / total)) / 2, 1)
    assert f"{expected:.1f}".replace(".", ",").removesuffix(",0") in section
    assert "Những câu hỏi hay trả lời sai nhất" in section
    assert f"{first['prompt']} — sai 1 trên 2 lần trả lời" in section
    assert stranger.name not in page.text

    download = await coordinator.get("/trainer/reports.csv", params={"area": here.code})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text.removeprefix("\ufeff"))))
    mine = next(r for r in rows if r["lesson"] == SLUG)
    assert (mine["area_code"], mine["area_name"]) == (here.code, here.name)
    assert (mine["members"], mine["started"], mine["completed"]) == ("3", "3", "2")
    assert mine["average_score"] == f"{expected:.1f}"
    assert {r["area_code"] for r in rows} == {here.code}


async def test_reports_stay_inside_the_viewers_area(user, village, signed_in):
    there = await village(COMMUNE_B)
    coordinator = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))
    assert (
        await coordinator.get("/trainer/reports", params={"area": there.code})
    ).status_code == 403
    refused = await coordinator.get("/trainer/reports.csv", params={"area": COMMUNE_B})
    assert refused.status_code == 403
    whole = await coordinator.get("/trainer/reports.csv")
    codes = {row["area_code"] for row in csv.DictReader(io.StringIO(whole.text.lstrip("\ufeff")))}
    assert there.code not in codes
    member = await signed_in(await user(roles.MEMBER, there.code))
    assert (await member.get("/trainer/reports")).status_code == 403
    trainer = await signed_in(await user(roles.TRAINER, COMMUNE_A))
    assert (await trainer.get("/trainer/reports")).status_code == 200


async def test_reports_are_counted_one_at_a_time(user, village, login, client, monkeypatch):
    """Four trainers opening the report at once would hold SQLite's one connection four reports
    long for everyone else (bench/hostile.py, issue 11): they take turns."""
    here = await village(COMMUNE_A)
    headers = await login(await user(roles.TRAINER, here.code))
    running, most = 0, 0
    original = reports._add_most_missed

    async def watched(*args):
        nonlocal running, most
        running += 1
        most = max(most, running)
        try:
            await asyncio.sleep(0.05)  # the long query: others would start meanwhile
            return await original(*args)
        finally:
            running -= 1

    monkeypatch.setattr(reports, "_add_most_missed", watched)

    async def report(path: str) -> int:
        return (await client.get(path, headers=headers)).status_code

    paths = ["/trainer/reports", "/trainer/reports.csv"] * 2
    assert await asyncio.gather(*(report(path) for path in paths)) == [200] * 4
    assert most == reports.REPORTS_AT_ONCE == 1
