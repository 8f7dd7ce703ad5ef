"""Settings read from the environment; secrets generated and kept in the data directory."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from server import keys, shipped

# pyproject.toml maps pwa/, locales/ and content/ into the installed package under these names.
PWA_DIR = shipped("pwa", "pwa")
DEFAULT_CONTENT_DIR = shipped("default_content", "content")

# Every setting, its default and what it means. docs/settings.md and the README list the same
# names; tests/unit/test_docs_and_catalogues.py fails when one is missing there.
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
    "LANGSO_CONTENT_DIR": "Curriculum, checklist templates and indicator set (default: the "
    "content/ shipped with the package).",
    "LANGSO_DB_POOL_SIZE": "PostgreSQL connections per worker (default 10).",
    "LANGSO_PUSH_SERVICES": "Extra push-service hosts accepted in subscriptions, comma "
    "separated (`*.example.com`: any host under it); the browsers' own are always accepted.",
    "LANGSO_PUSH_ALLOW_LOCALHOST": "1 accepts http://127.0.0.1 and http://localhost push "
    "endpoints, for development and tests only (default 0).",
    "LANGSO_PASSWORD_HASH_COST": "argon2 cost of new password hashes: normal (default) or test "
    "(cheap, for a fast test suite only).",
    "LANGSO_ACCESS_LOG_DAYS": "How many days entries of the access log (who opened or exported "
    "personal data) are kept before pruning (default 730).",
    "LANGSO_LANGUAGE": "The language of the langso command: vi or en (default: the POSIX "
    "locale's language when it is vi or en, else vi); `langso --language` wins.",
}
PASSWORD_HASH_COSTS = ("normal", "test")


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
    password_hash_cost: str = "normal"
    access_log_days: int = 730

    def __post_init__(self) -> None:
        if self.password_hash_cost not in PASSWORD_HASH_COSTS:
            raise ValueError(
                f"LANGSO_PASSWORD_HASH_COST is {self.password_hash_cost!r}: leave it unset, or set "
                "it to normal (or to test, in a test suite only)."
            )

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
            content_dir=Path(env.get("LANGSO_CONTENT_DIR", DEFAULT_CONTENT_DIR)).resolve(),
            db_pool_size=int(env.get("LANGSO_DB_POOL_SIZE", "10")),
            push_services=tuple(
                host.strip().lower()
                for host in env.get("LANGSO_PUSH_SERVICES", "").split(",")
                if host.strip()
            ),
            push_allow_localhost=env.get("LANGSO_PUSH_ALLOW_LOCALHOST", "0") == "1",
            password_hash_cost=env.get("LANGSO_PASSWORD_HASH_COST") or "normal",
            access_log_days=int(env.get("LANGSO_ACCESS_LOG_DAYS") or "730"),
        )
        _private_sqlite_file(database_url)  # once the secrets are known to be sound
        return settings


def _private_sqlite_file(database_url: str) -> None:
    """Create a new SQLite file readable by its owner only (its journals take the same mode)."""
    if not database_url.startswith("sqlite://"):
        return
    path = database_url.removeprefix("sqlite://").split("?", 1)[0]
    if path and path != ":memory:" and not os.path.exists(path):
        with contextlib.suppress(FileExistsError, FileNotFoundError):  # SQLite will say
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
