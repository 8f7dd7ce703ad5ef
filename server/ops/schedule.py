"""Scheduled backups inside `langso serve`: once a day at LANGSO_BACKUP_TIME, keep the newest N.

The thread runs in the `langso serve` process itself (not in its workers), so one backup is made
however many workers serve. Each run and each file pruned is logged (`langso.backup`).
See docs/operations.md, "Scheduled backups".
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, time, timedelta
from pathlib import Path

from server.ops import backup
from server.settings import Settings

log = logging.getLogger("langso.backup")
PREFIX, SUFFIX = "langso-", ".tar.gz"


def next_run(now: datetime, at: time) -> datetime:
    """The first moment at `at` (local time) strictly after `now`."""
    today = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return today if today > now else today + timedelta(days=1)


def archives(folder: Path) -> list[Path]:
    """The scheduled backups in `folder`, oldest first (their names sort by time)."""
    return sorted(p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())


def run_once(settings: Settings, now: datetime | None = None) -> Path:
    """Make one backup into the backup folder, then delete all but the newest `backup_keep`."""
    folder = settings.backup_dir
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{PREFIX}{stamp}{SUFFIX}"
    summary = backup.backup(settings, target)
    log.info(
        "backup written: %s (%s households, %s media files, %s bytes)",
        target.name,
        summary.counts.get("household", 0),
        summary.media_files,
        target.stat().st_size,
    )
    for old in archives(folder)[: -settings.backup_keep]:
        old.unlink(missing_ok=True)
        log.info("old backup deleted: %s", old.name)
    return target


def _loop(settings: Settings, at: time, stop: threading.Event) -> None:
    while True:
        now = datetime.now()
        due = next_run(now, at)
        log.info("next backup at %s", due.strftime("%Y-%m-%d %H:%M"))
        if stop.wait((due - now).total_seconds()):
            return
        try:
            run_once(settings)
        except Exception:  # a failed night must not stop the next one; the log says why
            log.exception("scheduled backup failed")


def start(settings: Settings) -> threading.Event | None:
    """Start the daily backups when LANGSO_BACKUP_TIME is set; set the event to stop them."""
    if settings.backup_time is None:
        return None
    stop = threading.Event()
    thread = threading.Thread(
        target=_loop, args=(settings, settings.backup_time, stop), name="backups", daemon=True
    )
    thread.start()
    return stop
