"""The `langso` command line; `langso` alone serves the app."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from typing import Any

import click

from server import data_lock
from server.accounts import roles
from server.cli import ops
from server.cli.households import households
from server.cli.ops import settings_or_error as _settings
from server.cli.privacy import privacy
from server.cli.text import CliError, Group, choose_language, say, text
from server.i18n import LANGUAGES, N_
from server.settings import Settings


def _run(task: Callable[[Settings], Awaitable[Any]]) -> Any:
    """Run `task` with the database open."""
    from server.accounts import passwords
    from server.content import curriculum
    from server.db.config import database
    from server.notifications import services as notifications

    settings = _settings()
    curriculum.configure(settings.content_dir)
    notifications.configure(settings)
    passwords.configure(settings.password_hash_cost)

    async def main() -> Any:
        async with database(settings):
            result = await task(settings)
            await notifications.drain()  # e.g. pushes for lessons `content import` published
            return result

    return asyncio.run(main())


@click.group(
    cls=Group,
    invoke_without_command=True,
    help=N_(
        "Làng Số: the offline-first app for village digital-technology teams.\n\n"
        "Settings come from LANGSO_* environment variables (see docs/settings.md). "
        "Without a command, `langso` runs `serve`."
    ),
)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    is_eager=True,
    expose_value=False,
    callback=choose_language,
    help=N_(
        "Language of messages and help: vi or en (default: LANGSO_LANGUAGE, "
        "else the system's language, else vi)."
    ),
)
@click.pass_context
def main(ctx: click.Context) -> None:
    """The `langso` group; `langso` alone runs `serve`."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


for _command in (ops.doctor, ops.backup, ops.restore):
    main.add_command(_command)


@main.command(help=N_("Serve the app with uvicorn (migrations are applied first)."))
@click.option("--host", default="127.0.0.1", show_default=True, help=N_("Address to listen on."))
@click.option("--port", default=8000, show_default=True, help=N_("Port to listen on."))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    help=N_("Worker processes (1 on SQLite; N on PostgreSQL)."),
)
def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    from server.cli.upgrade import upgrade
    from server.ops import schedule
    from server.web.requestlog import configure_logging

    settings = _settings()
    if workers > 1 and not settings.is_postgres:
        raise click.UsageError(
            text(N_("SQLite allows one worker; use PostgreSQL for --workers > 1."))
        )
    with ExitStack() as held:
        if not settings.is_postgres:  # before migrating: another server may be using the file
            try:
                held.enter_context(data_lock.serving(settings.data_dir))
            except data_lock.DataDirBusy as busy:
                raise CliError.of(busy) from None
        _said_upgraded(asyncio.run(upgrade(settings)))
        configure_logging(settings.log_format)
        scheduled = schedule.start(settings)  # in this process: one backup for all workers
        if scheduled is not None:
            held.callback(scheduled.set)
        click.echo(f"Làng Số: {settings.public_url if port == 8000 else f'http://{host}:{port}'}")
        uvicorn.run(
            "server.asgi:app",
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            access_log=False,  # the warning level hides it; skip building each line too
            proxy_headers=True,
        )


@main.group(help=N_("Database schema."))
def db() -> None:
    """`langso db …` commands."""


@db.command("upgrade", help=N_("Apply the committed migrations."))
def db_upgrade() -> None:
    from server.cli.upgrade import upgrade

    _said_upgraded(asyncio.run(upgrade(_settings())))
    say(N_("Database is up to date."))


def _said_upgraded(counted: int | None) -> None:
    """Say that the upgrade filled the empty coverage counts, if it did."""
    if counted is not None:
        say(N_("Coverage counts were empty: counted %(count)s households."), count=counted)


@main.group(help=N_("Provinces, communes and villages."))
def areas() -> None:
    """`langso areas …` commands."""


@areas.command(
    "import", help=N_("Load the 34 provinces and 3,321 communes with their official codes.")
)
def areas_import() -> None:
    from server.areas.services import import_official_units

    result = _run(lambda _s: import_official_units())
    say(
        N_("Imported %(provinces)s provinces and %(communes)s communes."),
        provinces=result.provinces,
        communes=result.communes,
    )


@main.group(help=N_("Villages (thôn, bản, tổ dân phố)."))
def village() -> None:
    """`langso village …` commands."""


@village.command("add", help=N_("Create a village under a commune and print its code."))
@click.option("--commune", "commune", required=True, help=N_("The commune's official code."))
@click.option("--name", required=True, help=N_("The village's name."))
@click.option("--households", type=int, default=None, help=N_("Estimated number of households."))
def village_add(commune: str, name: str, households: int | None) -> None:
    from server.areas.services import AreaError, add_village

    try:
        area = _run(lambda _s: add_village(commune, name, households))
    except AreaError as error:
        raise CliError.of(error) from None
    # Scripts read the code as the last word of the last line: keep it there in every language.
    say(N_("Added the village %(name)s. Its code: %(code)s"), name=area.name, code=area.code)


@main.group(help=N_("Accounts."))
def user() -> None:
    """`langso user …` commands."""


_USER_OPTIONS = {"phone": "--phone", "name": "--name", "role": "--role", "area": "--area"}


@user.command(
    "add", help=N_("Create a user; the password comes from a prompt or --password-stdin.")
)
@click.option("--phone", required=True, help=N_("Vietnamese mobile number; it signs in with it."))
@click.option("--name", required=True, help=N_("Full name."))
@click.option("--role", type=click.Choice(roles.ROLES), required=True, help=N_("The user's role."))
@click.option(
    "--area",
    "area_codes",
    multiple=True,
    required=True,
    help=N_(
        "Official area code with its leading zeros: province 04, commune 00004, "
        "village 00004-001 (repeatable)."
    ),
)
@click.option("--password-stdin", is_flag=True, help=N_("Read the password from standard input."))
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="vi",
    show_default=True,
    help=N_("The language the app shows this user."),
)
def user_add(
    phone: str,
    name: str,
    role: str,
    area_codes: tuple[str, ...],
    password_stdin: bool,
    language: str,
) -> None:
    from server.accounts.services import AccountError
    from server.teams.services import create_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else _ask_password()
    try:
        created = _run(
            lambda _s: create_user(
                phone=phone,
                name=name,
                role=role,
                password=password,
                area_codes=list(area_codes),
                language=language,
            )
        )
    except AccountError as error:
        raise CliError.of(error, _USER_OPTIONS) from None
    say(
        N_("Added the account %(id)s: %(phone)s, role %(role)s."),
        id=str(created.id),
        phone=created.phone,
        role=created.role,
    )


def _ask_password() -> str:
    """The password, typed twice without showing it, until both agree."""
    while True:
        password: str = click.prompt(text(N_("Password")), hide_input=True)
        again: str = click.prompt(text(N_("Password again")), hide_input=True)
        if password == again:
            return password
        say(N_("The two passwords differ. Type them again."))


@main.group(help=N_("The curriculum, checklist templates and indicator set in content/."))
def content() -> None:
    """`langso content …` commands."""


@content.command(
    "import", help=N_("Load lessons and checklist templates from content/ into the database.")
)
def content_import() -> None:
    from server.content import ContentError
    from server.lessons.importer import import_content

    try:
        summary = _run(lambda s: import_content(s.content_dir))
    except ContentError as error:
        problem = N_("Nothing was imported. Fix this in the content files first: %(problem)s")
        raise CliError(text(problem, problem=str(error))) from None
    say(
        N_("Indicator set version %(version)s: %(count)s indicators."),
        version=summary.indicator_set_version,
        count=summary.indicators,
    )
    say(
        N_("Checklists: %(count)s (%(new)s new versions)."),
        count=summary.checklists,
        new=summary.new_checklist_versions,
    )
    say(
        N_("Lessons: %(count)s (%(new)s new versions, all published)."),
        count=summary.lessons,
        new=summary.new_lesson_versions,
    )


@main.group(help=N_("The coverage counts behind the coordinators' dashboards."))
def coverage() -> None:
    """`langso coverage …` commands."""


@coverage.command(
    "rebuild",
    help=N_("Recount coverage from the households (after an indicator or target changed meaning)."),
)
def coverage_rebuild() -> None:
    from server.coverage.tally import rebuild

    counted = _run(lambda _s: rebuild())
    say(N_("Counted %(count)s households."), count=counted)


@content.command(
    "export",
    help=N_("Write the published lessons back to content/lessons/ (Markdown with front matter)."),
)
def content_export() -> None:
    from server.content import ContentError
    from server.lessons.exporter import export_content

    try:
        summary = _run(lambda s: export_content(s.content_dir, s.data_dir))
    except ContentError as error:
        problem = N_("The lessons could not be exported: %(problem)s")
        raise CliError(text(problem, problem=str(error))) from None
    say(
        N_(
            "Lessons: %(written)s written, %(unchanged)s unchanged, "
            "%(images)s images copied into %(folder)s."
        ),
        written=summary.written,
        unchanged=summary.unchanged,
        images=summary.images,
        folder=str(summary.folder),
    )
    if summary.unpublished:
        say(N_("Not published, left out: %(slugs)s."), slugs=", ".join(summary.unpublished))


@main.group(help=N_("Web push notifications."))
def push() -> None:
    """`langso push …` commands."""


@push.command(
    "test",
    help=N_(
        "Send a test notification to every device of a user and say what the push services said."
    ),
)
@click.option("--phone", required=True, help=N_("The user's mobile number."))
def push_test(phone: str) -> None:
    from server.notifications.services import send_test

    result = _run(lambda _s: send_test(phone))
    if result is None:
        raise CliError(text(N_("No user has this phone number.")))
    devices, report = result
    if devices == 0:
        raise CliError(
            text(
                N_(
                    "This user has not turned notifications on in the app "
                    "(Settings → Notifications)."
                )
            )
        )
    say(
        N_(
            "Devices: %(devices)s. Sent: %(sent)s. Removed (expired): %(gone)s. "
            "Rate-limited: %(rate_limited)s. Waiting for Retry-After: %(deferred)s. "
            "Failed: %(failed)s."
        ),
        devices=devices,
        sent=report.sent,
        gone=report.gone,
        rate_limited=report.rate_limited,
        deferred=report.deferred,
        failed=report.failed,
    )


@main.command(
    help=N_("Fill the database with a realistic demo (Thanh Hóa) and print the demo logins.")
)
def demo() -> None:
    from server.cli.demo import create_demo

    logins = _run(lambda _s: create_demo())
    say(N_("Demo logins (phone / password):"))
    for line in logins:
        click.echo(f"  {line}")


main.add_command(privacy)
main.add_command(households)
