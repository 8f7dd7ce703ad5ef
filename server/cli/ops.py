"""`langso doctor`, `langso backup` and `langso restore`: the operator's commands.

See docs/operations.md and docs/cli.md. Registered on the `langso` group in commands.py.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from server.cli.text import CliError, Command, say, text
from server.errors import UserError
from server.i18n import N_
from server.keys import SecretError
from server.settings import SettingError, Settings

_LABELS = {"ok": N_("OK"), "note": N_("NOTE"), "fix": N_("FIX")}


@click.command(
    cls=Command,
    help=N_(
        "Check the settings, keys, database, migrations, public URL, disk space, clock and "
        "notifications, and say what to fix. Exits with 1 when something must be fixed."
    ),
)
def doctor() -> None:
    from server.ops.doctor import FIX, run

    findings = asyncio.run(run())
    for finding in findings:
        click.echo(
            f"[{text(_LABELS[finding.level])}] {text(finding.check)}: "
            f"{text(finding.msgid, **finding.params)}"
        )
    failing = sum(1 for finding in findings if finding.level == FIX)
    if failing:
        say(N_("Things to fix: %(count)s."), count=failing)
        raise SystemExit(1)
    say(N_("Nothing to fix."))


_KEYS_HELP = N_(
    "Include the session and web-push keys, encrypted with a passphrase (asked for, or read "
    "from standard input with --passphrase-stdin)."
)

_STDIN_HELP = N_("Read the passphrase from standard input.")
_RESTORE_KEYS_HELP = N_("Restore the keys too (asks for the passphrase).")


def _passphrase(from_stdin: bool, twice: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt(text(N_("Passphrase")), hide_input=True, confirmation_prompt=twice))


def settings_or_error() -> Settings:
    """The settings, or a clear error when a setting is unusable or a kept secret damaged."""
    try:
        return Settings.from_env()
    except (SecretError, SettingError) as error:
        raise CliError.of(error) from None


def _summary(summary: Any) -> None:
    say(
        N_(
            "Households: %(households)s. Accounts: %(users)s. Areas: %(areas)s. "
            "Sync receipts: %(mutations)s. Lessons: %(lessons)s. Media files: %(media)s."
        ),
        households=summary.counts.get("household", 0),
        users=summary.counts.get("app_user", 0),
        areas=summary.counts.get("area", 0),
        mutations=summary.counts.get("sync_mutation", 0),
        lessons=summary.counts.get("lesson", 0),
        media=summary.media_files,
    )


@click.command(
    cls=Command,
    help=N_(
        "Back up the database and lesson media into FILE while the server runs "
        "(keys only with --with-keys)."
    ),
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--with-keys", is_flag=True, help=_KEYS_HELP)
@click.option("--passphrase-stdin", is_flag=True, help=_STDIN_HELP)
def backup(file: Path, with_keys: bool, passphrase_stdin: bool) -> None:
    from server.ops import backup as backups
    from server.ops.secrets_box import check_passphrase

    settings = settings_or_error()
    passphrase = _passphrase(passphrase_stdin, twice=True) if with_keys else None
    try:
        if passphrase is not None:
            check_passphrase(passphrase)
        summary = backups.backup(settings, file.resolve(), passphrase)
    except UserError as error:
        raise CliError.of(error) from None
    say(N_("Backup written to %(path)s (%(engine)s)."), path=str(file), engine=summary.engine)
    _summary(summary)
    if with_keys:
        say(N_("The keys are in it, encrypted: keep the passphrase apart from the backup."))
    else:
        say(N_("The keys are not in it (--with-keys adds them)."))


@click.command(
    cls=Command,
    help=N_(
        "Restore FILE into an empty database and data folder, check it and say what was restored."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--with-keys", is_flag=True, help=_RESTORE_KEYS_HELP)
@click.option("--passphrase-stdin", is_flag=True, help=_STDIN_HELP)
def restore(file: Path, with_keys: bool, passphrase_stdin: bool) -> None:
    from server import data_lock
    from server.ops import backup as backups
    from server.ops import health

    settings = settings_or_error()
    passphrase = _passphrase(passphrase_stdin, twice=False) if with_keys else None
    try:
        with ExitStack() as held:
            if not settings.is_postgres:  # no server may use the folder meanwhile
                held.enter_context(data_lock.serving(settings.data_dir))
            summary = backups.restore(settings, file.resolve(), passphrase)
    except UserError as error:
        raise CliError.of(error) from None
    say(
        N_("Restored the backup made %(made_at)s by version %(version)s (%(engine)s)."),
        made_at=summary.made_at,
        version=summary.version,
        engine=summary.engine,
    )
    say(N_("Integrity check: passed."))
    _summary(summary)
    newer = [m for m in health.committed_migrations() if m not in summary.migrations]
    if newer:
        say(
            N_(
                "%(count)s newer migrations will be applied by `langso serve` or "
                "`langso db upgrade`."
            ),
            count=len(newer),
        )
    if summary.keys:
        say(N_("The keys were restored: sessions and notifications carry on."))
    else:
        say(
            N_(
                "The keys were not restored: new ones are used, so everyone signs in again and "
                "turns notifications on again."
            )
        )
