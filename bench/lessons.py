"""Lessons on the server: rendering, a phone photo upload, and completion reports for a commune.

Run: `.venv/bin/python bench/lessons.py [--members 2000] [--villages 40]`

Uses a fresh SQLite file in a temporary folder: migrates, imports areas and content, adds the
villages, the members (rows written directly, no password hashing) and one progress record per
member and lesson (three quarters completed, with answers), then times:
- rendering every shipped lesson (markdown-it-py + nh3, the preview and publishing path);
- shrinking a 12-megapixel JPEG upload to the stored WebP;
- the completion report (all lessons, by village) for a commune coordinator, and its CSV.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from server.accounts import roles  # noqa: E402
from server.accounts.models import User, UserArea  # noqa: E402
from server.areas.scope import Scope  # noqa: E402
from server.areas.services import add_village, import_official_units  # noqa: E402
from server.cli.upgrade import upgrade  # noqa: E402
from server.content import load_lessons  # noqa: E402
from server.db.config import database  # noqa: E402
from server.lessons import reports  # noqa: E402
from server.lessons.importer import import_content  # noqa: E402
from server.lessons.media import store_image  # noqa: E402
from server.lessons.models import LessonProgress, PublishedLesson  # noqa: E402
from server.lessons.rendering import render_markdown  # noqa: E402
from server.settings import Settings  # noqa: E402

COMMUNE = "16591"


def _photo_like() -> Image.Image:
    """A 12-megapixel picture with gradients, shapes and fine grain, like a phone photo."""
    rng = random.Random(1)
    small = Image.linear_gradient("L").resize((400, 300)).convert("RGB")
    grain = Image.effect_noise((400, 300), 40).convert("RGB")
    image = Image.blend(small, grain, 0.3).resize((4000, 3000), Image.Resampling.BICUBIC)
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(4000), rng.randrange(3000)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x, y, x + rng.randrange(50, 600), y + rng.randrange(50, 600)), fill=colour)
    return image


def _timed(repeat: int, task):  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def _seed(members: int, villages: int) -> None:
    await import_official_units()
    await import_content(REPO / "content")
    codes = [(await add_village(COMMUNE, f"Thôn {n}", 300)).code for n in range(villages)]
    users = [
        User(id=uuid.uuid4(), phone=f"09{80_000_000 + n}", name=f"Tổ viên {n}", role=roles.MEMBER,
             password_hash="-")
        for n in range(members)
    ]  # fmt: skip
    await User.bulk_create(users, batch_size=500)
    from server.areas.models import Area

    areas = {a.code: a for a in await Area.filter(code__in=codes)}
    links = [
        UserArea(user_id=u.id, area_id=areas[codes[n % villages]].code) for n, u in enumerate(users)
    ]
    await UserArea.bulk_create(links, batch_size=500)
    lessons = await PublishedLesson.all()
    now, rng, rows = datetime.now(UTC), random.Random(4), []
    for user in users:
        for lesson in lessons:
            done = rng.random() < 0.75
            answers = {q["id"]: (q["answer"] if rng.random() < 0.8 else 0) for q in lesson.quiz}
            rows.append(
                LessonProgress(
                    id=uuid.uuid4(), user_id=user.id, lesson_slug=lesson.slug,
                    lesson_version=lesson.number, status="completed" if done else "started",
                    score=rng.randint(40, 100) if done else None,
                    answers=answers if done else {}, created_at=now, updated_at=now,
                )
            )  # fmt: skip
    await LessonProgress.bulk_create(rows, batch_size=1000)


async def _report_times(repeat: int) -> tuple[float, float, int]:
    scope = Scope.of(uuid.uuid4(), roles.COORDINATOR, [("commune", COMMUNE)])
    times, csv_times, size = [], [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = await reports.completion(scope, None)
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        names = await reports.area_names({c for r in result for c in r.by_area})
        size = len(reports.as_csv(result, names).encode())
        csv_times.append(time.perf_counter() - start)
    return statistics.median(times), statistics.median(csv_times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--villages", type=int, default=40)
    args = parser.parse_args()

    lessons = load_lessons(REPO / "content")
    render = _timed(20, lambda: [render_markdown(lesson.body_md) for lesson in lessons])
    print(f"render {len(lessons)} lessons: {render * 1000:.1f} ms "
          f"({render * 1000 / len(lessons):.2f} ms per lesson)")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        photo = io.BytesIO()
        _photo_like().save(photo, "JPEG", quality=90)
        data = photo.getvalue()
        start = time.perf_counter()
        name = store_image(data, Path(tmp))
        took = time.perf_counter() - start
        stored = (Path(tmp) / "media" / "lessons" / name).stat().st_size
        print(f"upload 4000x3000 JPEG ({len(data) / 1e6:.1f} MB): {took * 1000:.0f} ms, "
              f"stored WebP {stored / 1024:.0f} KB")  # fmt: skip

        settings = Settings.from_env({"LANGSO_DATA_DIR": tmp})

        async def run() -> None:
            await upgrade(settings)
            async with database(settings):
                start = time.perf_counter()
                await _seed(args.members, args.villages)
                seeded = time.perf_counter() - start
                rows = await LessonProgress.all().count()
                print(f"seeded {args.members} members in {args.villages} villages, "
                      f"{rows} progress records ({seeded:.1f} s)")  # fmt: skip
                report, csv_time, size = await _report_times(5)
                print(f"completion report, whole commune: {report * 1000:.0f} ms; "
                      f"CSV {csv_time * 1000:.0f} ms ({size / 1024:.0f} KB)")  # fmt: skip

        asyncio.run(run())


if __name__ == "__main__":
    main()
