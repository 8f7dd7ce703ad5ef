"""`langso backup` and `langso restore`: one archive with the database, lesson media and, when
asked, the keys encrypted with a passphrase (docs/operations.md, "Backup and restore").

The archive is a gzip'd tar: `manifest.json`, then `database.sqlite3` (SQLite's online backup
API: a consistent copy while the server writes) or `database.pgdump` (`pg_dump -Fc`), the data
folder's `media/` and, with keys, `keys.json.enc`.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from server import __version__
from server.errors import UserError
from server.i18n import N_
from server.ops import secrets_box
from server.settings import Settings

FORMAT = 1
MANIFEST, SQLITE_MEMBER, PG_MEMBER, KEYS_MEMBER = (
    "manifest.json",
    "database.sqlite3",
    "database.pgdump",
    "keys.json.enc",
)
MEDIA = "media"  # the data folder's uploads (lesson images under media/lessons/)
KEY_FILES = {"secret_key": "secret_key", "vapid_private_key": "vapid_private.pem"}
# After a restore new changes get versions this far above the backup's: a phone that pulled
# from the old server after the backup holds a cursor below them, so it still gets them.
CLOCK_GAP = 1_000_000_000
COUNTED = ("household", "app_user", "area", "sync_mutation", "lesson")


class BackupError(UserError):
    """The backup or restore cannot go on; the message says why and what to do."""

    def __str__(self) -> str:
        return self.message("en")


@dataclass
class Summary:
    """What an archive holds (backup) or what was restored."""

    engine: str
    made_at: str
    version: str
    migrations: list[str]
    counts: dict[str, int]
    media_files: int
    keys: bool
    notes: list[str] = field(default_factory=list)


def backup(settings: Settings, target: Path, keys_passphrase: str | None = None) -> Summary:
    """Write the archive `target` (never over an existing file); return what it holds."""
    if target.exists():
        raise BackupError(
            N_("%(path)s already exists: choose a new file name."), params={"path": str(target)}
        )
    with tempfile.TemporaryDirectory(prefix="langso-backup-") as scratch:
        work = Path(scratch)
        if settings.is_postgres:
            database = work / PG_MEMBER
            _pg_dump(settings.database_url, database)
            counts, migrations = _pg_counts(settings.database_url)
        else:
            database = work / SQLITE_MEMBER
            _sqlite_copy(_sqlite_path(settings.database_url), database)
            counts, migrations = _sqlite_counts(database)
        media = settings.data_dir / MEDIA
        summary = Summary(
            engine="postgres" if settings.is_postgres else "sqlite",
            made_at=datetime.now(UTC).isoformat(timespec="seconds"),
            version=__version__,
            migrations=migrations,
            counts=counts,
            media_files=sum(1 for p in media.rglob("*") if p.is_file()) if media.is_dir() else 0,
            keys=keys_passphrase is not None,
        )
        partial = target.with_name(f".{target.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                _add_bytes(archive, MANIFEST, json.dumps(asdict(summary), indent=1).encode())
                archive.add(database, database.name)
                if media.is_dir():
                    archive.add(media, MEDIA)
                if keys_passphrase is not None:
                    keys = {name: settings_key(settings, name) for name in KEY_FILES}
                    sealed = secrets_box.seal(json.dumps(keys).encode(), keys_passphrase)
                    _add_bytes(archive, KEYS_MEMBER, sealed)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return summary


def settings_key(settings: Settings, name: str) -> str:
    """The session key or the web-push key the server runs with."""
    return settings.secret_key if name == "secret_key" else settings.vapid_private_key


def restore(settings: Settings, source: Path, keys_passphrase: str | None = None) -> Summary:
    """Restore `source` into the (empty) database and data folder of `settings`."""
    with _opened(source) as archive:
        summary = Summary(**json.loads(_member(archive, MANIFEST)))
        if summary.engine != ("postgres" if settings.is_postgres else "sqlite"):
            raise BackupError(
                N_(
                    "This backup is of a %(engine)s database; LANGSO_DATABASE_URL names another "
                    "kind. Restore it into the same kind of database."
                ),
                params={"engine": summary.engine},
            )
        media = settings.data_dir / MEDIA
        if media.is_dir() and any(media.iterdir()):
            raise BackupError(
                N_("%(path)s is not empty: restore into a new data folder."),
                params={"path": str(media)},
            )
        sealed = _member(archive, KEYS_MEMBER) if summary.keys and keys_passphrase else None
        keys = json.loads(secrets_box.open_(sealed, keys_passphrase or "")) if sealed else None
        with tempfile.TemporaryDirectory(prefix="langso-restore-", dir=settings.data_dir) as tmp:
            work = Path(tmp)
            for member in _safe_members(archive):
                if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
                    archive.extract(member, work, filter="data")
                else:  # _safe_members already left out links and paths outside
                    archive.extract(member, work)
            if settings.is_postgres:
                _pg_restore(settings.database_url, work / PG_MEMBER)
                summary.counts, summary.migrations = _pg_counts(settings.database_url)
            else:
                _sqlite_restore(work / SQLITE_MEMBER, _sqlite_path(settings.database_url))
                summary.counts, summary.migrations = _sqlite_counts(
                    Path(_sqlite_path(settings.database_url))
                )
            if (work / MEDIA).is_dir():
                shutil.copytree(work / MEDIA, media, dirs_exist_ok=True)
    summary.keys = keys is not None
    if keys is not None:
        for name, file_name in KEY_FILES.items():
            _write_private(settings.data_dir / file_name, str(keys[name]))
    return summary


@contextmanager
def _opened(source: Path) -> Iterator[tarfile.TarFile]:
    try:
        with tarfile.open(source, mode="r:gz") as archive:
            yield archive
    except (OSError, tarfile.TarError, EOFError) as error:
        raise BackupError(
            N_("%(path)s is not a Làng Số backup that can be read (%(problem)s)."),
            params={"path": str(source), "problem": str(error)[:200]},
        ) from None


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    try:
        handle = archive.extractfile(name)
    except KeyError:
        handle = None
    if handle is None:
        raise BackupError(N_("The backup has no %(name)s: it is damaged."), params={"name": name})
    return handle.read()


def _safe_members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """The database and media members; nothing outside them, no links, no `..`."""
    for member in archive.getmembers():
        top = member.name.split("/", 1)[0]
        if top not in (SQLITE_MEMBER, PG_MEMBER, MEDIA) or ".." in member.name.split("/"):
            continue
        if member.isfile() or member.isdir():
            yield member


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    path.chmod(0o600)


# SQLite -------------------------------------------------------------------------------------


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite://").split("?", 1)[0]


def _sqlite_copy(source: str, target: Path) -> None:
    """A consistent copy while others write: the online backup API, all pages in one step."""
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


def _sqlite_restore(copy: Path, target: str) -> None:
    problems = _integrity(copy)
    if problems:
        raise BackupError(
            N_("The backup's database is damaged (%(problem)s): nothing was restored."),
            params={"problem": problems[:200]},
        )
    if os.path.exists(target) and os.path.getsize(target) > 0:
        with closing(sqlite3.connect(target)) as existing:
            tables = existing.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables:
            raise BackupError(
                N_("%(path)s already holds a database: restore into a new data folder."),
                params={"path": target},
            )
    with closing(sqlite3.connect(copy)) as src:
        src.execute("UPDATE sync_clock SET value = value + ?", [CLOCK_GAP])
        src.commit()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    with closing(sqlite3.connect(copy)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _integrity(path: Path) -> str:
    try:
        with closing(sqlite3.connect(path)) as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    found = "; ".join(str(row[0]) for row in rows)
    return "" if found == "ok" else found


def _sqlite_counts(path: Path) -> tuple[dict[str, int], list[str]]:
    with closing(sqlite3.connect(path)) as conn:
        counts = {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED}
        names = conn.execute("SELECT name FROM tortoise_migrations ORDER BY name").fetchall()
    return counts, [str(row[0]) for row in names]


# PostgreSQL ---------------------------------------------------------------------------------


def _libpq_url(url: str) -> str:
    """The URL for pg_dump/psql: our parameters (pool sizes) left out."""
    return url.split("?", 1)[0].replace("asyncpg://", "postgresql://", 1)


def _tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(name) is None:
        raise BackupError(
            N_(
                "%(tool)s is not installed. Install PostgreSQL's client tools of the server's "
                "version or newer (Debian/Ubuntu: apt install postgresql-client), then try again."
            ),
            params={"tool": name},
        )
    done = subprocess.run([name, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            N_("%(tool)s failed: %(problem)s"),
            params={"tool": name, "problem": done.stderr.strip()[-400:]},
        )
    return done


def _pg_dump(url: str, target: Path) -> None:
    _tool("pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq_url(url))


def _psql(url: str, sql: str) -> str:
    done = _tool("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, _libpq_url(url))
    return done.stdout.strip()


def _pg_counts(url: str) -> tuple[dict[str, int], list[str]]:
    counts = {t: int(_psql(url, f"SELECT count(*) FROM {t}")) for t in COUNTED}
    names = _psql(url, "SELECT name FROM tortoise_migrations ORDER BY name")
    return counts, [line for line in names.splitlines() if line]


def _pg_restore(url: str, dump: Path) -> None:
    listed = _tool("pg_restore", "--list", str(dump))  # the dump's table of contents reads
    if "TABLE DATA" not in listed.stdout:
        raise BackupError(N_("The backup's database is empty or damaged: nothing was restored."))
    tables = _psql(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    if tables != "0":
        raise BackupError(
            N_(
                "The database in LANGSO_DATABASE_URL already holds %(count)s tables: restore "
                "into a new, empty database (createdb)."
            ),
            params={"count": int(tables or 0)},
        )
    _tool(
        "pg_restore",
        "--no-owner",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={_libpq_url(url)}",
        str(dump),
    )
    _psql(
        url,
        f"SELECT setval('sync_version', (SELECT last_value FROM sync_version) + {CLOCK_GAP})",
    )
