"""One server per data folder on SQLite: a lock file held for as long as the server runs.

Two servers on one SQLite file answer "database is locked" errors to each other's users; the
second one refuses to start instead. PostgreSQL deployments run many workers and take no lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from server.errors import UserError
from server.i18n import N_

LOCK_FILE = "langso.lock"
_held: dict[Path, tuple[int, int]] = {}  # folder -> (file descriptor, holders in this process)


class DataDirBusy(UserError):
    """Another process serves from this data folder."""

    def __str__(self) -> str:
        return self.message("en")


@contextmanager
def serving(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's lock while serving; raise `DataDirBusy` if another process does."""
    folder = data_dir.resolve()
    if folder in _held:  # `langso serve` holds it, then its app's lifespan asks again
        fd, holders = _held[folder]
        _held[folder] = (fd, holders + 1)
    else:
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise DataDirBusy(
                N_(
                    "Another Làng Số server (process %(pid)s) is already serving from the data "
                    "folder %(folder)s. Stop it first, or give this one its own LANGSO_DATA_DIR. "
                    "Several workers need PostgreSQL."
                ),
                params={"pid": holder, "folder": str(folder)},
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        _held[folder] = (fd, 1)
    try:
        yield
    finally:
        fd, holders = _held[folder]
        if holders > 1:
            _held[folder] = (fd, holders - 1)
        else:
            del _held[folder]
            os.close(fd)  # closing releases the lock
