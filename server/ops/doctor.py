"""`langso doctor`: each thing an operator must get right, checked, with what to do about it.

The checks return `Finding`s (an English msgid and its parameters); the command prints them in
the operator's language. `FIX` findings make the command fail; `NOTE` ones do not.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import connections

from server.db.config import database
from server.errors import UserError
from server.i18n import N_
from server.ops import health
from server.settings import Settings

OK, NOTE, FIX = "ok", "note", "fix"
DATABASE_TIMEOUT = 10.0  # seconds to wait for the database to answer
CLOCK_SKEW = 30.0  # seconds the database's clock may differ from ours
EARLIEST = datetime(2026, 1, 1, tzinfo=UTC)  # a clock before this version was made is wrong
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Finding:
    """One check's result: `level` OK, NOTE or FIX, and what to say (a msgid, parameters)."""

    check: str  # msgid of the check's name
    level: str
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)


def load_settings(environ: Mapping[str, str] | None = None) -> tuple[Settings | None, Finding]:
    """The settings, or the finding that says which one is wrong."""
    name = N_("Settings")
    try:
        settings = Settings.from_env(dict(environ) if environ is not None else None)
    except UserError as error:  # SettingError, SecretError
        return None, Finding(name, FIX, error.msgid, error.params)
    except ValueError as error:
        return None, Finding(name, FIX, N_("%(problem)s"), {"problem": str(error)})
    return settings, Finding(name, OK, N_("All settings can be read."))


def key_findings(settings: Settings, environ: Mapping[str, str]) -> list[Finding]:
    """The session key and the web-push key: kept where only this account can read them.

    Their content was checked when the settings were read (`server/keys.py`); here, who can
    read the files.
    """
    found = []
    for name, variable, file_name in (
        (N_("Session key"), "LANGSO_SECRET_KEY", "secret_key"),
        (N_("Web-push (VAPID) key"), "LANGSO_VAPID_PRIVATE_KEY", "vapid_private.pem"),
    ):
        if environ.get(variable):
            found.append(Finding(name, OK, N_("Set in %(variable)s."), {"variable": variable}))
            continue
        found.append(_private_file(name, settings.data_dir / file_name))
    return found


def _private_file(name: str, path: Path) -> Finding:
    try:
        info = path.stat()
    except OSError:
        return Finding(name, FIX, N_("%(path)s is missing."), {"path": str(path)})
    if info.st_size == 0:
        return Finding(name, FIX, N_("%(path)s is empty."), {"path": str(path)})
    if stat.S_IMODE(info.st_mode) & 0o077 or info.st_uid != os.getuid():
        return Finding(
            name,
            FIX,
            N_(
                "Other accounts may read %(path)s. Run: chown $(whoami) %(path)s && "
                "chmod 600 %(path)s"
            ),
            {"path": str(path)},
        )
    return Finding(name, OK, N_("%(path)s is readable by this account only."), {"path": str(path)})


def public_url_finding(settings: Settings) -> Finding:
    """People must reach the server over HTTPS (cookies, service worker, push need it)."""
    name = N_("Public URL")
    parts = urlsplit(settings.public_url)
    if parts.scheme == "https" and parts.hostname:
        return Finding(name, OK, N_("%(url)s uses HTTPS."), {"url": settings.public_url})
    if parts.hostname in _LOCAL_HOSTS:
        return Finding(
            name,
            NOTE,
            N_(
                "%(url)s is this machine only: fine for trying it out. For real use set "
                "LANGSO_PUBLIC_URL to the https:// address people open."
            ),
            {"url": settings.public_url},
        )
    return Finding(
        name,
        FIX,
        N_(
            "%(url)s does not use HTTPS: phones will not install the app or receive "
            "notifications, and passwords cross the network readable. Put an HTTPS reverse "
            "proxy in front (docs/deployment.md) and set LANGSO_PUBLIC_URL to its https:// "
            "address."
        ),
        {"url": settings.public_url},
    )


def disk_finding(settings: Settings) -> Finding:
    name = N_("Disk space")
    free = health.free_megabytes(settings.data_dir)
    params = {"free": free, "minimum": settings.min_free_disk_mb, "path": str(settings.data_dir)}
    if free < settings.min_free_disk_mb:
        return Finding(
            name,
            FIX,
            N_(
                "Only %(free)s MB free for %(path)s (%(minimum)s MB needed, "
                "LANGSO_MIN_FREE_DISK_MB). Free some space or move old backups elsewhere."
            ),
            params,
        )
    return Finding(name, OK, N_("%(free)s MB free for %(path)s."), params)


def push_finding(settings: Settings) -> Finding:
    name = N_("Notifications")
    if not settings.vapid_subject.startswith("mailto:") or "@" not in settings.vapid_subject:
        return Finding(
            name,
            FIX,
            N_("LANGSO_VAPID_SUBJECT must be a mailto: address push services can write to."),
        )
    if settings.vapid_subject.endswith(".invalid"):
        return Finding(
            name,
            NOTE,
            N_(
                "The web-push key is ready. Set LANGSO_VAPID_SUBJECT to your team's "
                "mailto: address, so push services can reach you about problems."
            ),
        )
    return Finding(name, OK, N_("The web-push key and contact are set."))


async def database_findings(settings: Settings) -> list[Finding]:
    """The database answers, its migrations are current, and its clock agrees with ours."""
    try:
        return await asyncio.wait_for(_database_findings(settings), DATABASE_TIMEOUT)
    except Exception as error:  # unreachable, refused, timed out, wrong password
        problem = type(error).__name__ if not str(error) else str(error).splitlines()[0][:200]
        return [
            Finding(
                N_("Database"),
                FIX,
                N_(
                    "The database does not answer (%(problem)s). Check LANGSO_DATABASE_URL and "
                    "that the database server runs."
                ),
                {"problem": problem},
            )
        ]


async def _database_findings(settings: Settings) -> list[Finding]:
    async with database(settings):
        await connections.get("default").execute_query("SELECT 1")
        found = [Finding(N_("Database"), OK, N_("The database answers."))]
        pending = await health.pending_migrations()
        if pending:
            found.append(
                Finding(
                    N_("Migrations"),
                    FIX,
                    N_("%(count)s migrations are not applied yet. Run: langso db upgrade"),
                    {"count": len(pending)},
                )
            )
        else:
            found.append(Finding(N_("Migrations"), OK, N_("The database is up to date.")))
        found.append(await _clock_finding(settings))
        return found


async def _clock_finding(settings: Settings) -> Finding:
    name = N_("Clock")
    now = datetime.now(UTC)
    if now < EARLIEST:
        return Finding(
            name,
            FIX,
            N_("This machine's clock says %(now)s. Set the date and turn on NTP (timedatectl)."),
            {"now": now.strftime("%Y-%m-%d %H:%M UTC")},
        )
    if settings.is_postgres:
        _, rows = await connections.get("default").execute_query("SELECT now() AS now")
        skew = abs((rows[0]["now"] - datetime.now(UTC)).total_seconds())
        if skew > CLOCK_SKEW:
            return Finding(
                name,
                FIX,
                N_(
                    "The database server's clock is %(seconds)s seconds away from this "
                    "machine's. Turn on NTP on both (timedatectl set-ntp true)."
                ),
                {"seconds": round(skew)},
            )
    return Finding(name, OK, N_("The clock looks right (%(now)s)."), {"now": f"{now:%H:%M} UTC"})


async def run(environ: Mapping[str, str] | None = None) -> list[Finding]:
    """Every check, in the order an operator fixes things."""
    env = dict(os.environ if environ is None else environ)
    settings, first = load_settings(env)
    if settings is None:
        return [first]
    return [
        first,
        *key_findings(settings, env),
        *await database_findings(settings),
        public_url_finding(settings),
        disk_finding(settings),
        push_finding(settings),
    ]
