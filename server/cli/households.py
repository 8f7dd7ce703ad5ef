"""`langso households import`: a list of households from an XLSX or CSV file (server/imports/)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from server.cli.text import CliError, say, text
from server.i18n import N_

if TYPE_CHECKING:
    from server.imports.plans import Plan, Result


@click.group(help=N_("Households."))
def households() -> None:
    """`langso households …` commands."""


@households.command(
    "import",
    help=N_(
        "Import households from an XLSX or CSV file (the template of /manage/import): into one "
        "village, or into the villages of a commune named in a village column. Rows with errors "
        "are listed and left out; importing the same file again changes nothing."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--village", default="", help=N_("The village's code: every row goes there."))
@click.option("--commune", default="", help=N_("The commune's code: each row names its village."))
@click.option("--dry-run", is_flag=True, help=N_("Check the file and say what would change."))
@click.option(
    "--by",
    "phone",
    default=None,
    help=N_("Mobile number of the coordinator or admin the import is made as (default: an admin)."),
)
def households_import(
    file: Path, village: str, commune: str, dry_run: bool, phone: str | None
) -> None:
    from server.cli.commands import _run
    from server.cli.text import language
    from server.errors import UserError
    from server.imports import households as rows
    from server.imports import services
    from server.imports.plans import CREATE, SKIP, UPDATE
    from server.sync import services as sync_services
    from server.syncable import writes
    from server.web import limits

    if bool(village) == bool(commune):
        raise CliError(text(N_("Give either --village or --commune.")))
    with file.open("rb") as handle:
        data = handle.read(limits.IMPORT_BYTES + 1)  # read_table refuses a larger file
    lang = language()
    writes.plug(sync_services.server_write, sync_services.server_writes)

    async def task(_settings: object) -> tuple[Plan, Result | None]:
        scope = await services.importer(phone)
        plan = await services.households_from_file(scope, file.name, data, village, commune)
        result = None if dry_run else await rows.commit(plan, scope, lang)
        return plan, result

    try:
        plan, result = _run(task)
    except UserError as error:
        raise CliError.of(error) from None
    for problem in plan.errors:
        say(
            N_("Row %(row)s, column “%(column)s”: %(message)s"),
            row=problem.row,
            column=plan.header(problem.column),
            message=problem.message(lang),
        )
    counts = {"created": plan.count(CREATE), "updated": plan.count(UPDATE)}
    refused = plan.refused
    if result is not None:
        counts = {"created": result.created, "updated": result.updated}
        refused = result.refused
    say(
        N_(
            "Would create %(created)s, update %(updated)s; %(skipped)s already there; "
            "%(refused)s rows with errors."
        )
        if dry_run
        else N_(
            "Created %(created)s, updated %(updated)s; %(skipped)s already there; "
            "%(refused)s rows with errors left out."
        ),
        skipped=plan.count(SKIP),
        refused=refused,
        **counts,
    )
