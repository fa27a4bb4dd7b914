"""The `paperbot` command line: one-line errors, exit codes 0 done / 1 failed / 2 bad usage."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TypeVar

import click

from bot.bootstrap import Bootstrap, DatabaseNotReady
from bot.redact import redact, secret_values

log = logging.getLogger(__name__)
T = TypeVar("T")


class Day(click.DateTime):
    """A YYYY-MM-DD date, shown as such in help (click would show `[%Y-%m-%d]`)."""

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        """The placeholder in usage lines and option help."""
        return "YYYY-MM-DD"


DATE = Day()


def examples(*lines: str) -> str:
    """A help epilog listing example command lines, kept as written (click's `\\b` paragraph)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


class CliError(click.ClickException):
    """A failure to report as one line with exit code 1."""

    exit_code = 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show paperbot's INFO log lines on stderr.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """paperbot: Hugging Face Daily Papers as Korean cards for Telegram and Slack."""
    from bot import logs  # (loads the settings: not needed for --help)

    boot = ctx.ensure_object(Bootstrap)
    logs.setup(boot.settings, service=ctx.invoked_subcommand == "run", verbose=verbose)
    ctx.call_on_close(boot.close)


def wiring(ctx: click.Context) -> Bootstrap:
    """This run's object graph (built by the composition root on first use)."""
    return ctx.find_object(Bootstrap) or ctx.ensure_object(Bootstrap)


@click.group("db", epilog=examples("paperbot db upgrade"))
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade", epilog=examples("paperbot db upgrade"))
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply database migrations (also done at every start)."""
    wiring(ctx).services()
    click.echo("database is up to date")


def progress(items: Sequence[T], label: str) -> AbstractContextManager[Iterable[T]]:
    """A progress bar on stderr when it is a terminal; the bare items otherwise."""
    from bot.cli.live import terminal_console, track

    return track(items, label, terminal_console())


def _one_line(message: str) -> str:
    return redact(" ".join(str(message).split()), secret_values())


def _is_config_error(exc: Exception) -> bool:
    """True for a bad setting (checked by name of module: `--help` must not load pydantic)."""
    settings = sys.modules.get("bot.settings")
    return settings is not None and isinstance(exc, settings.ConfigError)


def _is_database_error(exc: Exception) -> bool:
    """True for an error SQLAlchemy raised (checked the same way: `--help` never loads it)."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.SQLAlchemyError)


def database_error(exc: Exception) -> str:
    """The error's class and the driver's first line, never the SQL statement or its parameters."""
    orig = getattr(exc, "orig", None)  # the driver's exception, for errors raised by a statement
    text = str(orig) if orig is not None else str(exc).split("[SQL:", 1)[0]
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return f"{type(exc).__name__}: {_one_line(first)[:200]}".rstrip(": ")


def main(argv: Sequence[str] | None = None, boot: Bootstrap | None = None) -> int:
    """Run the CLI and turn every outcome into an exit code and at most one error line."""
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="paperbot",
            standalone_mode=False,
            obj=boot or Bootstrap(),
        )
    except click.UsageError as exc:
        hint = f" (see 'paperbot {exc.ctx.command_path.partition(' ')[2]} --help')" if exc.ctx else ""
        click.echo(f"paperbot: {_one_line(exc.format_message())}{hint}".replace("  ", " "), err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"paperbot: {_one_line(exc.format_message())}", err=True)
        return exc.exit_code
    except DatabaseNotReady as exc:
        click.echo(f"paperbot: {_one_line(str(exc))}", err=True)
        return 1
    except (click.Abort, KeyboardInterrupt):
        click.echo("paperbot: interrupted", err=True)
        return 130
    except Exception as exc:  # the last line of defence: one line, details only with -v
        if _is_config_error(exc):
            click.echo(f"paperbot: {_one_line(str(exc))}", err=True)
            return 2
        if _is_database_error(exc):
            log.debug("database failure", exc_info=True)
            click.echo(f"paperbot: database error: {database_error(exc)}", err=True)
            return 1
        log.debug("unexpected failure", exc_info=True)
        click.echo(f"paperbot: error: {type(exc).__name__}: {_one_line(str(exc))[:300]}", err=True)
        return 1
    return result if isinstance(result, int) else 0
