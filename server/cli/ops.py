"""`langso doctor`, `langso backup` and `langso restore`: the operator's commands.

See docs/operations.md and docs/cli.md. Registered on the `langso` group in commands.py.
"""

from __future__ import annotations

import asyncio

import click

from server.cli.text import Command, say, text
from server.i18n import N_

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
