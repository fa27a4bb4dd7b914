"""The `paperbot` command line: one-line errors, exit codes 0 done / 1 failed / 2 bad usage."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TypeVar

import click

from bot import logs
from bot.redact import redact, secret_values
from bot.runtime import ConfigError, Runtime

log = logging.getLogger(__name__)
T = TypeVar("T")


class CliError(click.ClickException):
    """A failure to report as one line with exit code 1."""

    exit_code = 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show paperbot's INFO log lines on stderr.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """paperbot: Hugging Face Daily Papers as Korean cards for Telegram and Slack."""
    rt = ctx.ensure_object(Runtime)
    logs.setup(rt.settings, service=ctx.invoked_subcommand == "run", verbose=verbose)
    ctx.call_on_close(rt.close)


def runtime(ctx: click.Context) -> Runtime:
    """The Runtime handed in by the composition root."""
    return ctx.find_object(Runtime) or ctx.ensure_object(Runtime)


@cli.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply database migrations (also done at every start)."""
    runtime(ctx).services()
    click.echo("database is up to date")


def progress(items: Sequence[T], label: str) -> AbstractContextManager[Iterable[T]]:
    """A progress bar on stderr when it is a terminal; the bare items otherwise."""
    if not sys.stderr.isatty():
        return nullcontext(items)
    return click.progressbar(
        items, label=label, file=sys.stderr, show_pos=True, item_show_func=lambda item: str(item or "")
    )


def _one_line(message: str) -> str:
    return redact(" ".join(str(message).split()), secret_values())


def main(argv: Sequence[str] | None = None, rt: Runtime | None = None) -> int:
    """Run the CLI and turn every outcome into an exit code and at most one error line."""
    rt = rt or Runtime()
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name="paperbot", standalone_mode=False, obj=rt
        )
    except click.UsageError as exc:
        hint = f" (see 'paperbot {exc.ctx.command_path.partition(' ')[2]} --help')" if exc.ctx else ""
        click.echo(f"paperbot: {_one_line(exc.format_message())}{hint}".replace("  ", " "), err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"paperbot: {_one_line(exc.format_message())}", err=True)
        return exc.exit_code
    except ConfigError as exc:
        click.echo(f"paperbot: {_one_line(str(exc))}", err=True)
        return 2
    except (click.Abort, KeyboardInterrupt):
        click.echo("paperbot: interrupted", err=True)
        return 130
    except Exception as exc:  # the last line of defence: one line, details only with -v
        log.info("unexpected failure", exc_info=True)
        click.echo(f"paperbot: error: {type(exc).__name__}: {_one_line(str(exc))[:300]}", err=True)
        return 1
    return result if isinstance(result, int) else 0


@cli.command()
@click.option("--console", is_flag=True, help="Also chat with the bot on this terminal.")
@click.pass_context
def run(ctx: click.Context, console: bool) -> int:
    """Run the service: every platform whose token is set, plus the scheduler."""
    rt = runtime(ctx)
    if rt.run_service is None:
        raise CliError("this build has no service entry point")
    return rt.run_service(rt.services(), console)
