"""What `langso` prints, in the operator's language: messages, errors and help, from the catalogues.

The language is `langso --language`, else LANGSO_LANGUAGE, else the POSIX locale, else Vietnamese
(`cli_language`). Messages and help texts are English msgids marked with `N_`; they are
translated when printed, so `--help` follows the same choice.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any

import click

from server.errors import UserError
from server.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, format_number, gettext

_LANGUAGE = "langso.language"  # key in click's context meta, shared by the whole command tree
_HELP_OPTION = N_("Show this message and exit.")  # click's own words for --help, translated here


def language(ctx: click.Context | None = None) -> str:
    """The language chosen for this run of `langso`."""
    ctx = ctx or click.get_current_context(silent=True)
    chosen = ctx.meta.get(_LANGUAGE) if ctx is not None else None
    return chosen if isinstance(chosen, str) else cli_language()


def choose_language(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """Callback of the global `--language` option: remember it for everything printed later."""
    if value in LANGUAGES:
        ctx.meta[_LANGUAGE] = value


def text(msgid: str, **params: Any) -> str:
    """`msgid` translated, its numeric parameters formatted for the language (`3.321` in vi)."""
    lang = language()
    shown = {
        name: format_number(lang, value)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else value
        for name, value in params.items()
    }
    return gettext(lang, msgid, shown)


def say(msgid: str, **params: Any) -> None:
    """Print one translated line."""
    click.echo(text(msgid, **params))


class CliError(click.ClickException):
    """A failure the operator can fix: translated when raised, shown with a translated prefix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.language = language()

    @classmethod
    def of(cls, error: UserError, options: dict[str, str] | None = None) -> CliError:
        """A service's `UserError`, in the operator's language, led by the option at fault."""
        message = error.message(language())
        option = (options or {}).get(error.field or "")
        return cls(f"{option}: {message}" if option else message)

    def show(self, file: IO[Any] | None = None) -> None:
        message = gettext(self.language, N_("Error: %(message)s"), {"message": self.message})
        click.echo(message, file=file, err=file is None)


@contextmanager
def _translated_usage_errors() -> Iterator[None]:
    """Show click's own usage errors (a missing option, a bad value) with translated framing."""
    try:
        yield
    except click.UsageError as error:
        if isinstance(error, _UsageError):
            raise
        raise _UsageError(error) from None


class _UsageError(click.UsageError):
    """A click usage error shown with our usage line, hint and prefix in the operator's language."""

    def __init__(self, error: click.UsageError) -> None:
        self.language = language(error.ctx)
        super().__init__(_usage_message(error, self.language), error.ctx)

    def show(self, file: IO[Any] | None = None) -> None:
        lines = []
        if self.ctx is not None:
            lines.append(self.ctx.get_usage())
            hint = N_("Try '%(command)s --help' for help.")
            lines.append(gettext(self.language, hint, {"command": self.ctx.command_path}) + "\n")
        lines.append(gettext(self.language, N_("Error: %(message)s"), {"message": self.message}))
        click.echo("\n".join(lines), file=file, err=file is None)


def _usage_message(error: click.UsageError, lang: str) -> str:
    """Click's message, in our words where we know its kind (else click's English)."""
    param, ctx = getattr(error, "param", None), error.ctx
    if isinstance(error, click.NoSuchOption):
        return gettext(lang, N_("There is no option '%(option)s'."), {"option": error.option_name})
    if isinstance(error, click.NoSuchCommand):
        return gettext(
            lang, N_("There is no command '%(command)s'."), {"command": error.command_name}
        )
    if not isinstance(param, click.Option) or ctx is None:
        return error.format_message()
    option = param.get_error_hint(ctx)
    if isinstance(error, click.MissingParameter):
        return gettext(lang, N_("The option %(option)s is missing."), {"option": option})
    if isinstance(param.type, click.Choice):
        choices = ", ".join(str(choice) for choice in param.type.choices)
        message = N_("The option %(option)s takes one of: %(choices)s.")
        return gettext(lang, message, {"option": option, "choices": choices})
    # The problem itself stays in click's words (e.g. "'abc' is not a valid integer.").
    message = N_("The value of %(option)s is not valid: %(problem)s")
    return gettext(lang, message, {"option": option, "problem": error.message})


class Command(click.Command):
    """A command whose help, option help and headings are translated when shown."""

    def get_short_help_str(self, limit: int = 45) -> str:
        lang = language()
        if self.short_help:
            return inspect.cleandoc(gettext(lang, self.short_help)).strip()
        if self.help:
            first = inspect.cleandoc(gettext(lang, self.help)).split("\n\n")[0]
            return " ".join(first.split())
        return ""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        prefix = gettext(language(ctx), N_("Usage:")) + " "
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=prefix)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(inspect.cleandoc(gettext(language(ctx), self.help)))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [row for param in self.get_params(ctx) if (row := _option_row(param, ctx))]
        if rows:
            with formatter.section(gettext(language(ctx), N_("Options"))):
                formatter.write_dl(rows)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _translated_usage_errors():
            return super().make_context(info_name, args, parent, **extra)


class Group(Command, click.Group):
    """A group of commands, translated like `Command`; its commands and subgroups are too."""

    command_class = Command
    group_class = type  # subgroups are of this class as well

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        Command.format_options(self, ctx, formatter)
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str()))
        if rows:
            with formatter.section(gettext(language(ctx), N_("Commands"))):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        with _translated_usage_errors():
            return super().invoke(ctx)


def _option_row(param: click.Parameter, ctx: click.Context) -> tuple[str, str] | None:
    """An option's line in --help: its flags, then its translated help, default and 'required'."""
    if not isinstance(param, click.Option):
        return None
    record = param.get_help_record(ctx)
    if record is None:
        return None
    lang = language(ctx)
    help_text = gettext(lang, param.help) if param.help else ""
    extra = param.get_help_extra(ctx)
    notes = []
    if "default" in extra:
        notes.append(gettext(lang, N_("default: %(value)s"), {"value": extra["default"]}))
    if extra.get("required"):
        notes.append(gettext(lang, N_("required")))
    if notes:
        help_text = f"{help_text}  [{'; '.join(notes)}]".strip()
    return record[0], help_text


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """The `langso` command's language: LANGSO_LANGUAGE, else the POSIX locale's, else `vi`."""
    env = os.environ if environ is None else environ
    posix = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG")  # POSIX precedence
    for value in (env.get("LANGSO_LANGUAGE"), posix):
        language = (value or "").strip().lower()[:2]
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE
