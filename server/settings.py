"""Settings read from the environment; secrets generated and kept in the data directory."""

from __future__ import annotations

import contextlib
import ipaddress
import os
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from server import keys, shipped
from server.errors import UserError
from server.i18n import N_

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
    "LANGSO_BREACH_NOTICE_HOURS": "Hours after an incident is discovered by which the data "
    "protection authority must be told, shown on the incidents register (default 72).",
    "LANGSO_ACCESS_LOG_DAYS": "How many days entries of the access log (who opened or exported "
    "personal data) are kept before pruning (default 730).",
    "LANGSO_LANGUAGE": "The language of the langso command: vi or en (default: the POSIX "
    "locale's language when it is vi or en, else vi); `langso --language` wins.",
    "LANGSO_MIN_FREE_DISK_MB": "Free space the data folder needs, in MB, for /readyz and "
    "`langso doctor` to say ready (default 1024).",
    "LANGSO_METRICS_ALLOW": "Addresses or networks allowed to read /metrics, comma separated "
    "(default 127.0.0.1,::1; empty: none).",
    "LANGSO_METRICS_TOKEN": "A bearer token (at least 32 characters) that opens /metrics from "
    "any address (default: none).",
    "LANGSO_LOG_FORMAT": "The request log: text (default, one plain line per request) or json "
    "(one JSON object per line).",
    "LANGSO_BACKUP_TIME": "Local time (HH:MM) at which `langso serve` makes a backup every day "
    "(default: unset, no scheduled backups).",
    "LANGSO_BACKUP_DIR": "Folder of the scheduled backups (default <data dir>/backups).",
    "LANGSO_BACKUP_KEEP": "How many scheduled backups to keep; older ones are deleted (default 7).",
}
PASSWORD_HASH_COSTS = ("normal", "test")
LOG_FORMATS = ("text", "json")
MIN_METRICS_TOKEN = 32
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingError(UserError):
    """A setting has a value the server cannot use: it does not start, and says which."""

    def __str__(self) -> str:
        return self.message("en")


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
    breach_notice_hours: int = 72
    min_free_disk_mb: int = 1024
    metrics_allow: tuple[Network, ...] = (
        ipaddress.ip_network("127.0.0.1"),
        ipaddress.ip_network("::1"),
    )
    metrics_token: str | None = None
    log_format: str = "text"
    backup_time: time | None = None
    backup_dir: Path = field(default=Path("data/backups"))
    backup_keep: int = 7
    access_log_days: int = 730

    def __post_init__(self) -> None:
        if not 1 <= self.breach_notice_hours <= 24 * 30:
            raise ValueError(
                f"LANGSO_BREACH_NOTICE_HOURS is {self.breach_notice_hours}: use a whole number "
                "of hours between 1 and 720 (the law's deadline, 72 unless it changes)."
            )
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
            breach_notice_hours=int(env.get("LANGSO_BREACH_NOTICE_HOURS") or "72"),
            min_free_disk_mb=_megabytes(env.get("LANGSO_MIN_FREE_DISK_MB", "1024")),
            metrics_allow=_networks(env.get("LANGSO_METRICS_ALLOW", "127.0.0.1,::1")),
            metrics_token=_token(env.get("LANGSO_METRICS_TOKEN")),
            log_format=_choice("LANGSO_LOG_FORMAT", env.get("LANGSO_LOG_FORMAT"), LOG_FORMATS),
            backup_time=_clock_time(env.get("LANGSO_BACKUP_TIME", "")),
            backup_dir=Path(env.get("LANGSO_BACKUP_DIR") or data_dir / "backups").resolve(),
            backup_keep=_keep(env.get("LANGSO_BACKUP_KEEP", "7")),
            access_log_days=int(env.get("LANGSO_ACCESS_LOG_DAYS") or "730"),
        )
        _private_sqlite_file(database_url)  # once the secrets are known to be sound
        return settings


def _megabytes(value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise SettingError(
            N_(
                "LANGSO_MIN_FREE_DISK_MB is “%(value)s”: set a whole number of megabytes, "
                "e.g. 1024."
            ),
            params={"value": value[:40]},
        )
    return int(text)


def _clock_time(value: str) -> time | None:
    text = value.strip()
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    if (
        hours.isascii()
        and hours.isdigit()
        and minutes.isascii()
        and minutes.isdigit()
        and len(hours) <= 2
        and len(minutes) == 2
        and int(hours) < 24
        and int(minutes) < 60
    ):
        return time(int(hours), int(minutes))
    raise SettingError(
        N_("LANGSO_BACKUP_TIME is “%(value)s”: set a time of day like 02:30, or leave it unset."),
        params={"value": value[:40]},
    )


def _keep(value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text[:6] or 0) <= 10_000):
        raise SettingError(
            N_("LANGSO_BACKUP_KEEP is “%(value)s”: set how many backups to keep, 1 or more."),
            params={"value": value[:40]},
        )
    return int(text)


def _networks(value: str) -> tuple[Network, ...]:
    networks = []
    for part in (piece.strip() for piece in value.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingError(
                N_(
                    "LANGSO_METRICS_ALLOW holds “%(value)s”, which is not an address or a network: "
                    "write addresses or networks separated by commas, e.g. 127.0.0.1,10.0.0.0/8."
                ),
                params={"value": part[:60]},
            ) from None
    return tuple(networks)


def _token(value: str | None) -> str | None:
    if not value:
        return None
    if len(value.strip()) < MIN_METRICS_TOKEN or not value.strip().isprintable():
        raise SettingError(
            N_(
                "LANGSO_METRICS_TOKEN has %(length)s characters; it needs at least %(minimum)s "
                "printable ones. Set a longer random value, or unset it."
            ),
            params={"length": len(value.strip()), "minimum": MIN_METRICS_TOKEN},
        )
    return value.strip()


def _choice(name: str, value: str | None, choices: tuple[str, ...]) -> str:
    if not value:
        return choices[0]
    if value.strip().lower() not in choices:
        raise SettingError(
            N_("%(name)s is “%(value)s”: leave it unset, or set it to one of %(choices)s."),
            params={"name": name, "value": value[:40], "choices": ", ".join(choices)},
        )
    return value.strip().lower()


def _private_sqlite_file(database_url: str) -> None:
    """Create a new SQLite file readable by its owner only (its journals take the same mode)."""
    if not database_url.startswith("sqlite://"):
        return
    path = database_url.removeprefix("sqlite://").split("?", 1)[0]
    if path and path != ":memory:" and not os.path.exists(path):
        with contextlib.suppress(FileExistsError, FileNotFoundError):  # SQLite will say
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
