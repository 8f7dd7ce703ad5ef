"""Plumbing for the browser tests: Chromium's flags, the live server, phones that keep a profile."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
LANGSO = REPO_ROOT / ".venv" / "bin" / "langso"
CHROMIUM = Path("/usr/bin/chromium")
# Without these, Chromium keeps trying to reach Google (no network here beyond loopback).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PHONE_VIEWPORT = {"width": 360, "height": 640}
SCREENSHOTS = REPO_ROOT / "screenshots"
PASSWORD = "mat-khau-thu"
COMMUNE = "16591"  # in Thanh Hóa (38), as in the API tests
MEMBER, SECOND_MEMBER, COORDINATOR = "0987000001", "0987000002", "0987000003"
TRAINER = "0987000004"

T = TypeVar("T")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_async(coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
    """Run a coroutine on its own loop in a thread: the test session's loop stays untouched."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=timeout)


def browser_database_url(test_url: str) -> str:
    """`postgres://…/test` becomes `postgres://…/test_browser`: the API tests drop their schema."""
    parts = urlsplit(test_url)
    name = parts.path.lstrip("/") or "postgres"
    return urlunsplit(parts._replace(path=f"/{name}_browser"))


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def _fresh_postgres(test_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(_asyncpg_dsn(test_url), timeout=10)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=10)
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def prepare_database(data_dir: Path) -> str:
    """The browser run's database: `<test db>_browser` on PostgreSQL, else a SQLite file."""
    test_url = os.environ.get("LANGSO_TEST_DATABASE_URL")
    if not test_url:
        return f"sqlite://{data_dir / 'browser.sqlite3'}"
    url = browser_database_url(test_url)
    run_async(_fresh_postgres(test_url, url))
    return url


async def _postgres_rows(url: str, query: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=10)
    try:
        return [tuple(row) for row in await conn.fetch(query, *args, timeout=30)]
    finally:
        await conn.close()


def _numbered(query: str) -> str:
    count = iter(range(1, 1_000))
    return re.sub(r"\?", lambda _: f"${next(count)}", query)


@dataclass
class LiveServer:
    """`langso serve` on a free port, set up through the `langso` CLI like an operator would."""

    url: str
    data_dir: Path
    database_url: str
    village_code: str
    env: dict[str, str]
    log_path: Path
    member: str = MEMBER
    second_member: str = SECOND_MEMBER
    coordinator: str = COORDINATOR
    trainer: str = TRAINER
    password: str = PASSWORD
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    def sql(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        """Rows of one statement; write `?` placeholders (numbered for PostgreSQL here)."""
        if self.is_postgres:
            return run_async(_postgres_rows(self.database_url, _numbered(query), args))
        path = self.database_url.removeprefix("sqlite://")
        with sqlite3.connect(path, timeout=10) as conn:
            rows = conn.execute(query, args).fetchall()
        conn.close()
        return [tuple(row) for row in rows]

    def token(self, phone: str) -> str:
        """A bearer token for `phone`, through the real sign-in API."""
        if phone not in self._tokens:
            response = httpx.post(
                f"{self.url}/api/v1/session",
                json={"phone": phone, "password": self.password},
                timeout=30,
            )
            response.raise_for_status()
            self._tokens[phone] = response.json()["token"]
        return self._tokens[phone]

    def api(
        self, method: str, path: str, phone: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Call the server (as `phone` when given); `path` starts with `/`."""
        headers = dict(kwargs.pop("headers", {}))
        if phone is not None:
            headers["Authorization"] = f"Bearer {self.token(phone)}"
        kwargs.setdefault("timeout", 30)
        return httpx.request(method, f"{self.url}{path}", headers=headers, **kwargs)

    def push(
        self, phone: str, device: str, mutations: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Push mutations as `phone`'s device `device`, like the API tests' `push`; the receipts."""
        response = self.api(
            "POST",
            "/api/v1/sync/push",
            phone=phone,
            json={"device_id": device, "mutations": mutations},
        )
        assert response.status_code == 200, response.text
        receipts: list[dict[str, Any]] = response.json()["results"]
        return receipts


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(LANGSO), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"langso {' '.join(args)} failed: {done.stderr or done.stdout}")
    return done.stdout


def start_live_server(data_dir: Path) -> tuple[LiveServer, subprocess.Popen[bytes]]:
    """Migrate, import areas and content, add a village and four users, then serve."""
    database_url = prepare_database(data_dir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("LANGSO_")}
    env |= {
        "LANGSO_DATA_DIR": str(data_dir),
        "LANGSO_DATABASE_URL": database_url,
        "LANGSO_PUBLIC_URL": url,
        "LANGSO_PUSH_ALLOW_LOCALHOST": "1",  # test_push_browser plays the push service
    }
    _cli(env, "db", "upgrade")
    _cli(env, "areas", "import")
    _cli(env, "content", "import")
    printed = _cli(
        env, "village", "add", "--commune", COMMUNE, "--name", "Thôn Thử Nghiệm",
        "--households", "2000",
    )  # fmt: skip
    village_code = printed.strip().splitlines()[-1].split()[-1]  # "… Mã thôn: <code>"
    users = (
        (MEMBER, "Người Thử Một", "member", village_code),
        (SECOND_MEMBER, "Người Thử Hai", "member", village_code),
        (COORDINATOR, "Điều Phối Thử", "coordinator", COMMUNE),
        (TRAINER, "Giảng Viên Thử", "trainer", COMMUNE),
    )
    for phone, name, role, area in users:
        _cli(
            env, "user", "add", "--phone", phone, "--name", name, "--role", role,
            "--area", area, "--password-stdin", stdin=f"{PASSWORD}\n",
        )  # fmt: skip
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(LANGSO), "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO_ROOT,
        )
    server = LiveServer(url, data_dir, database_url, village_code, env, log_path)
    try:
        _wait_until_serving(server, proc, timeout=60)
    except BaseException:
        stop_process(proc)
        raise
    return server, proc


def _wait_until_serving(server: LiveServer, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = server.log_path.read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"langso serve exited with {proc.returncode}:\n{log}")
        try:
            if httpx.get(f"{server.url}/sign-in", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"langso serve did not answer /sign-in within {timeout:.0f} s")


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL if it lingers; always reaped."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait(timeout=timeout)


class Phones:
    """Persistent Chromium profiles: close one and open it again to restart the 'phone'."""

    def __init__(self, playwright: Playwright, root: Path) -> None:
        self._playwright = playwright
        self._root = root
        self._open: list[BrowserContext] = []

    def open(self, profile: str = "phone", **options: Any) -> BrowserContext:
        """Launch Chromium on the profile `profile` (created on first use) as a small phone."""
        settings: dict[str, Any] = {
            "executable_path": str(CHROMIUM),
            "args": list(CHROMIUM_ARGS),
            "viewport": PHONE_VIEWPORT,
            "device_scale_factor": 2,
            "is_mobile": True,
            "has_touch": True,
            "locale": "vi-VN",
            "timeout": 30_000,
            # Playwright's string predicates (wait_for_function) are evaluated in the page, which
            # the app's Content-Security-Policy forbids; test_content_security_policy.py opens
            # its phone with bypass_csp=False and checks that the app itself needs no exception.
            "bypass_csp": True,
        }
        settings.update(options)
        context = self._playwright.chromium.launch_persistent_context(
            self._root / profile, **settings
        )
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(20_000)
        self._open.append(context)
        return context

    @staticmethod
    def page(context: BrowserContext) -> Page:
        """The tab Chromium opened with the profile, or a new one."""
        return context.pages[0] if context.pages else context.new_page()

    def close_all(self) -> None:
        for context in self._open:
            context.close()
        self._open.clear()


def wait_for_service_worker(page: Page, timeout_ms: int = 20_000) -> str:
    """Wait for `navigator.serviceWorker.ready`; return the active worker's script URL."""
    return str(
        page.evaluate(
            """async (ms) => {
                if (!("serviceWorker" in navigator)) throw new Error("no service worker support");
                const late = new Promise((_, fail) => setTimeout(
                    () => fail(new Error(`no active service worker after ${ms} ms`)), ms));
                const registration = await Promise.race([navigator.serviceWorker.ready, late]);
                return registration.active.scriptURL;
            }""",
            timeout_ms,
        )
    )


def is_error_page(page: Page) -> bool:
    """True when Chromium shows its own error page (offline dinosaur, refused connection)."""
    if page.url.startswith("chrome-error://"):
        return True
    return bool(
        page.evaluate(
            """() => location.href.startsWith("chrome-error://")
                || !!document.querySelector("#main-frame-error, .neterror")"""
        )
    )


def shot(page: Page, name: str) -> Path:
    """Save what the phone's 360 × 640 screen shows to screenshots/<name>.png (gitignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # A passing "Saved" toast would cover the screen: the picture is of the screen itself.
    page.evaluate("document.querySelector('#toast')?.classList.remove('show')")
    page.screenshot(path=path, animations="disabled")
    return path
