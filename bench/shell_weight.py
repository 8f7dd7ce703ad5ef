"""How much a phone downloads to install the member app: the precached shell, gzipped.

    .venv/bin/python bench/shell_weight.py                          # the app in-process
    .venv/bin/python bench/shell_weight.py --url http://127.0.0.1:8000   # a running server

Fetches every URL the service worker precaches (the PRECACHE list written into /sw.js), plus
/sw.js itself and any web fonts under pwa/static, gzips each body at level 6 (what a typical
reverse proxy does) and checks the budget: the app shell at most 100 KB (100,000 bytes) gzipped.
Lesson images are not part of the shell and are left out. Exits 1 when over budget, 2 when a
URL does not answer 200.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

BUDGET = 100_000  # bytes, gzipped
GZIP_LEVEL = 6
_FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".otf")
_LESSON_MEDIA = "/media/lessons/"


@dataclass(frozen=True)
class Row:
    """One URL of the shell and what it weighs."""

    url: str
    status: int
    raw: int
    gzipped: int

    @property
    def kind(self) -> str:
        path = self.url.split("?", 1)[0]
        if path.endswith(".js"):
            return "script"
        if path.endswith(".css"):
            return "style"
        if path.endswith((".png", ".svg")):
            return "icon"
        if path.endswith(_FONT_SUFFIXES):
            return "font"
        if path.endswith((".json", ".webmanifest")):
            return "data"
        return "page"


def _precache_from(service_worker: str) -> list[str]:
    for line in service_worker.splitlines():
        if line.startswith("const PRECACHE = "):
            return list(json.loads(line.removeprefix("const PRECACHE = ").rstrip(";")))
    raise SystemExit("/sw.js has no `const PRECACHE = [...]` line")


def _fonts() -> list[str]:
    static = REPO_ROOT / "pwa" / "static"
    return sorted(
        f"/static/{path.relative_to(static).as_posix()}"
        for path in static.rglob("*")
        if path.suffix in _FONT_SUFFIXES
    )


async def measure(client: httpx.AsyncClient) -> list[Row]:
    """Fetch and weigh /sw.js, every precached URL and the fonts."""
    service_worker = await client.get("/sw.js")
    service_worker.raise_for_status()
    urls = ["/sw.js", *_precache_from(service_worker.text)]
    urls += [font for font in _fonts() if font not in urls]
    rows: list[Row] = []
    for url in urls:
        if url.startswith(_LESSON_MEDIA):
            continue
        response = await client.get(url)
        body = response.content
        packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        rows.append(Row(url, response.status_code, len(body), len(packed)))
    return rows


@asynccontextmanager
async def _in_process() -> AsyncIterator[httpx.AsyncClient]:
    from server.app import create_app
    from server.cli.upgrade import upgrade
    from server.settings import Settings

    with tempfile.TemporaryDirectory(prefix="langso-shell-weight-") as data_dir:
        settings = Settings.from_env(
            {
                "LANGSO_DATA_DIR": data_dir,
                "LANGSO_DATABASE_URL": f"sqlite://{data_dir}/shell.sqlite3",
            }
        )
        await upgrade(settings)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://shell") as client:
                yield client


@asynccontextmanager
async def _remote(url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=url.rstrip("/"), timeout=30) as client:
        yield client


def report(rows: list[Row]) -> int:
    """Print the table and the verdict; return the exit status."""
    width = max(len(row.url) for row in rows)
    print(f"{'url':<{width}}  {'kind':<6}  {'raw bytes':>10}  {'gzipped':>10}")
    for row in rows:
        status = "" if row.status == 200 else f"  HTTP {row.status}"
        print(f"{row.url:<{width}}  {row.kind:<6}  {row.raw:>10,}  {row.gzipped:>10,}{status}")
    raw, packed = sum(row.raw for row in rows), sum(row.gzipped for row in rows)
    print(f"{'total (' + str(len(rows)) + ' files)':<{width}}  {'':<6}  {raw:>10,}  {packed:>10,}")
    kinds = sorted({row.kind for row in rows})
    by_kind = ", ".join(f"{k} {sum(r.gzipped for r in rows if r.kind == k):,}" for k in kinds)
    print(f"gzipped by kind: {by_kind}")
    failing = [row.url for row in rows if row.status != 200]
    if failing:
        print(f"FAIL: {len(failing)} URL(s) did not answer 200: {', '.join(failing)}")
        return 2
    verdict = "within" if packed <= BUDGET else "OVER"
    print(f"{verdict} budget: app shell {packed:,} of {BUDGET:,} bytes gzipped, level {GZIP_LEVEL}")
    return 0 if packed <= BUDGET else 1


async def _main(url: str | None) -> int:
    opened = _remote(url) if url else _in_process()
    async with opened as client:
        rows = await measure(client)
    return report(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", help="a running server (default: the app in-process)")
    args = parser.parse_args()
    return asyncio.run(_main(args.url))


if __name__ == "__main__":
    sys.exit(main())
