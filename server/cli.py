"""The `langso` command line; `langso` alone serves the app."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import click

from server.accounts import roles
from server.settings import Settings


def _run(task: Callable[[Settings], Awaitable[Any]]) -> Any:
    """Run `task` with the database open."""
    from server import curriculum
    from server.db import database
    from server.notifications import services as notifications

    settings = Settings.from_env()
    curriculum.configure(settings.content_dir)
    notifications.configure(settings)

    async def main() -> Any:
        async with database(settings):
            result = await task(settings)
            await notifications.drain()  # e.g. pushes for lessons `content import` published
            return result

    return asyncio.run(main())


@click.group(invoke_without_command=True)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Làng Số: the offline-first app for village digital-technology teams.

    Settings come from LANGSO_* environment variables (see docs/settings.md).
    Without a command, `langso` runs `serve`.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    help="Worker processes (1 on SQLite; N on PostgreSQL).",
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app with uvicorn (migrations are applied first)."""
    import uvicorn

    from server.db import upgrade

    settings = Settings.from_env()
    if workers > 1 and not settings.is_postgres:
        raise click.UsageError("SQLite allows one worker; use PostgreSQL for --workers > 1.")
    _said_upgraded(asyncio.run(upgrade(settings)))
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


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the committed migrations."""
    from server.db import upgrade

    _said_upgraded(asyncio.run(upgrade(Settings.from_env())))
    click.echo("Database is up to date.")


def _said_upgraded(counted: int | None) -> None:
    """Say that the upgrade filled the empty coverage counts, if it did."""
    if counted is not None:
        click.echo(f"Coverage counts were empty: counted {counted} households.")


@main.group()
def areas() -> None:
    """Provinces, communes and villages."""


@areas.command("import")
def areas_import() -> None:
    """Load the 34 provinces and 3,321 communes with their official codes."""
    from server.areas.services import import_official_units

    result = _run(lambda _s: import_official_units())
    click.echo(f"Imported {result.provinces} provinces and {result.communes} communes.")


@main.group()
def village() -> None:
    """Villages (thôn, bản, tổ dân phố)."""


@village.command("add")
@click.option("--commune", "commune", required=True, help="The commune's official code.")
@click.option("--name", required=True, help="The village's name.")
@click.option("--households", type=int, default=None, help="Estimated number of households.")
def village_add(commune: str, name: str, households: int | None) -> None:
    """Create a village under a commune and print its code."""
    from server.areas.services import AreaError, add_village

    try:
        area = _run(lambda _s: add_village(commune, name, households))
    except AreaError as error:
        raise click.ClickException(error.msgid) from None
    click.echo(area.code)


@main.group()
def user() -> None:
    """Accounts."""


@user.command("add")
@click.option("--phone", required=True, help="Vietnamese mobile number; it signs in with it.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=click.Choice(roles.ROLES), required=True, help="The user's role.")
@click.option("--area", "area_codes", multiple=True, required=True, help="Area code (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--language", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def user_add(
    phone: str,
    name: str,
    role: str,
    area_codes: tuple[str, ...],
    password_stdin: bool,
    language: str,
) -> None:
    """Create a user; the password comes from a prompt or --password-stdin."""
    from server.accounts.services import AccountError, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
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
        raise click.ClickException(error.msgid) from None
    click.echo(f"{created.id} {created.phone} {created.role}")


@main.group()
def content() -> None:
    """The curriculum, checklist templates and indicator set in content/."""


@content.command("import")
def content_import() -> None:
    """Load lessons and checklist templates from content/ into the database."""
    from server.content_files import ContentError
    from server.lessons.importer import import_content

    try:
        summary = _run(lambda s: import_content(s.content_dir))
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    click.echo(summary)


@main.group()
def coverage() -> None:
    """The coverage counts behind the coordinators' dashboards."""


@coverage.command("rebuild")
def coverage_rebuild() -> None:
    """Recount coverage from the households (after an indicator or target changed meaning)."""
    from server.coverage.tally import rebuild

    counted = _run(lambda _s: rebuild())
    click.echo(f"Counted {counted} households.")


@content.command("export")
def content_export() -> None:
    """Write the published lessons back to content/lessons/ (Markdown with front matter)."""
    from server.content_files import ContentError
    from server.lessons.exporter import export_content

    try:
        summary = _run(lambda s: export_content(s.content_dir, s.data_dir))
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    click.echo(summary)


@main.group()
def push() -> None:
    """Web push notifications."""


@push.command("test")
@click.option("--phone", required=True, help="The user's mobile number.")
def push_test(phone: str) -> None:
    """Send a test notification to every device of a user and say what the push services said."""
    from server.notifications.services import send_test

    result = _run(lambda _s: send_test(phone))
    if result is None:
        raise click.ClickException("No user has this phone number.")
    devices, report = result
    if devices == 0:
        raise click.ClickException(
            "This user has not turned notifications on in the app (Settings → Notifications)."
        )
    click.echo(
        f"Devices: {devices}. Sent: {report.sent}. Removed (expired): {report.gone}. "
        f"Rate-limited: {report.rate_limited}. Waiting for Retry-After: {report.deferred}. "
        f"Failed: {report.failed}."
    )


@main.command()
def demo() -> None:
    """Fill the database with a realistic demo (Thanh Hóa) and print the demo logins."""
    from server.demo import create_demo

    logins = _run(lambda _s: create_demo())
    click.echo("Demo logins (phone / password):")
    for line in logins:
        click.echo(f"  {line}")
