"""`langso privacy …`: the record of processing a province keeps (docs/data-protection.md)."""

from __future__ import annotations

from pathlib import Path

import click

from server.cli.text import CliError, Group, say, text
from server.i18n import N_
from server.settings import Settings


@click.group(
    cls=Group,
    help=N_("Personal data protection: the record of processing, the retention sweep."),
)
def privacy() -> None:
    """`langso privacy …` commands."""


@privacy.command(
    "report",
    help=N_(
        "Write the record of processing (purposes, data, people, recipients, storage, security, "
        "requests and incidents) as Markdown and XLSX."
    ),
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help=N_("Folder to write record-of-processing.md and .xlsx into."),
)
def privacy_report(out: Path) -> None:
    from datetime import UTC, datetime

    from server.cli.commands import _run
    from server.cli.text import language
    from server.rights import record, record_files

    lang, now = language(), datetime.now(UTC)

    async def task(settings: Settings) -> tuple[Path, Path]:
        sections = await record.build(lang, record.Where.of(settings), now)
        return record_files.write(sections, lang, out, now)

    md, xlsx = _run(task)
    say(N_("Wrote %(md)s and %(xlsx)s."), md=str(md), xlsx=str(xlsx))


@privacy.command("sweep", help=N_("Anonymise what is kept past its purpose's retention period."))
def privacy_sweep() -> None:
    from server.cli.commands import _run
    from server.privacy.sweep import sweep

    done = _run(lambda s: sweep(access_log_days=s.access_log_days))
    if done.skipped:
        raise CliError(text(N_("Another server is sweeping right now. Try again later.")))
    say(N_("Erased %(count)s households past their retention period."), count=done.erased)
    for key, count in sorted(done.emptied.items()):
        say(N_("Purpose %(purpose)s: emptied in %(count)s households."), purpose=key, count=count)
    say(N_("Access log entries past their period, deleted: %(count)s."), count=done.access_pruned)
