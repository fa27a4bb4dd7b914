"""`paperbot run`: the service."""

from __future__ import annotations

import click

from bot.cli.app import examples, wiring


def _share(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    from bot.broadcast.senders import parse_share

    try:
        return parse_share(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command(epilog=examples("paperbot run", "paperbot run --console", "paperbot run --senders 2"))
@click.option("--console", is_flag=True, help="Also chat with the bot on this terminal.")
@click.option(
    "--senders",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Broadcast sender processes (this one included); each sends its share of the chats.",
)
@click.option("--share", callback=_share, hidden=True, help="Run as sender I of N (started by --senders).")
@click.option("--parent", type=int, hidden=True, help="The pid of the process that started this sender.")
@click.pass_context
def run(
    ctx: click.Context, console: bool, senders: int, share: tuple[int, int] | None, parent: int | None
) -> None:
    """Run the service: every platform whose token is set, plus the scheduler."""
    from bot.bootstrap import run_sender, run_service

    if share is not None:
        run_sender(wiring(ctx).services(), share, parent)
        return
    run_service(wiring(ctx).services(), console, senders)
