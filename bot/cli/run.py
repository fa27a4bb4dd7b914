"""`paperbot run`: the service."""

from __future__ import annotations

import click

from bot.cli.app import examples, wiring


@click.command(epilog=examples("paperbot run", "paperbot run --console"))
@click.option("--console", is_flag=True, help="Also chat with the bot on this terminal.")
@click.pass_context
def run(ctx: click.Context, console: bool) -> None:
    """Run the service: every platform whose token is set, plus the scheduler."""
    from bot.bootstrap import run_service

    run_service(wiring(ctx).services(), console)
