"""Settings read from the environment; secrets generated and kept in the data directory."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from server import keys

REPO_ROOT = Path(__file__).resolve().parent.parent

# Every setting, its default and what it means. docs/settings.md and the README list the same
# names; tests/unit/test_settings_documented.py fails when one is missing there.
SETTINGS_HELP: dict[str, str] = {
    "LANGSO_DATA_DIR": "Folder for the SQLite file, generated secrets and uploads "
    "(default ./data).",
    "LANGSO_DATABASE_URL": "Database URL (default sqlite://<data dir>/langso.sqlite3; "
    "postgres://user@host:5432/db for PostgreSQL).",
    "LANGSO_SECRET_KEY": "Key that signs sessions, at least 32 characters; generated into "
    "<data dir>/secret_key when unset.",
    "LANGSO_PUBLIC_URL": "The URL people use (default http://127.0.0.1:8000); https:// makes "
    "cookies Secure.",
    "LANGSO_VAPID_PRIVATE_KEY": "Web push VAPID private key (PEM); generated into "
    "<data dir>/vapid_private.pem when unset.",
    "LANGSO_VAPID_SUBJECT": "Contact for push services (default mailto:admin@langso.invalid).",
    "LANGSO_CONTENT_DIR": "Curriculum, checklist templates and indicator set (default ./content).",
    "LANGSO_DB_POOL_SIZE": "PostgreSQL connections per worker (default 10).",
    "LANGSO_PUSH_SERVICES": "Extra push-service hosts accepted in subscriptions, comma "
    "separated (`*.example.com`: any host under it); the browsers' own are always accepted.",
    "LANGSO_PUSH_ALLOW_LOCALHOST": "1 accepts http://127.0.0.1 and http://localhost push "
    "endpoints, for development and tests only (default 0).",
    "LANGSO_LANGUAGE": "The language of the langso command: vi or en (default: the POSIX "
    "locale's language when it is vi or en, else vi); `langso --language` wins.",
}


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to start; build with `Settings.from_env()`."""

    data_dir: Path
    database_url: str
    secret_key: str
    public_url: str
    vapid_private_key: str
    vapid_subject: str
    content_dir: Path
    db_pool_size: int = 10
    push_services: tuple[str, ...] = ()
    push_allow_localhost: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read settings from `environ` (default `os.environ`); raises `keys.SecretError`."""
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("LANGSO_DATA_DIR", "data")).resolve()
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # secrets and personal data
        database_url = env.get("LANGSO_DATABASE_URL") or f"sqlite://{data_dir / 'langso.sqlite3'}"
        settings = cls(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=keys.secret_key(env.get("LANGSO_SECRET_KEY"), data_dir / "secret_key"),
            public_url=env.get("LANGSO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            vapid_private_key=keys.vapid_key(
                env.get("LANGSO_VAPID_PRIVATE_KEY"), data_dir / "vapid_private.pem"
            ),
            vapid_subject=env.get("LANGSO_VAPID_SUBJECT", "mailto:admin@langso.invalid"),
            content_dir=Path(env.get("LANGSO_CONTENT_DIR", REPO_ROOT / "content")).resolve(),
            db_pool_size=int(env.get("LANGSO_DB_POOL_SIZE", "10")),
            push_services=tuple(
                host.strip().lower()
                for host in env.get("LANGSO_PUSH_SERVICES", "").split(",")
                if host.strip()
            ),
            push_allow_localhost=env.get("LANGSO_PUSH_ALLOW_LOCALHOST", "0") == "1",
        )
        _private_sqlite_file(database_url)  # once the secrets are known to be sound
        return settings


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """The `langso` command's language: LANGSO_LANGUAGE, else the POSIX locale's, else `vi`."""
    from server.i18n import DEFAULT_LANGUAGE, LANGUAGES  # i18n imports this module

    env = os.environ if environ is None else environ
    posix = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG")  # POSIX precedence
    for value in (env.get("LANGSO_LANGUAGE"), posix):
        language = (value or "").strip().lower()[:2]
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def _private_sqlite_file(database_url: str) -> None:
    """Create a new SQLite file readable by its owner only (its journals take the same mode)."""
    if not database_url.startswith("sqlite://"):
        return
    path = database_url.removeprefix("sqlite://").split("?", 1)[0]
    if path and path != ":memory:" and not os.path.exists(path):
        with contextlib.suppress(FileExistsError, FileNotFoundError):  # SQLite will say
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
