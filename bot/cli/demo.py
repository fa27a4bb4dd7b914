"""`paperbot demo`: the bundled sample digest in a local SQLite file, then a console chat."""

from __future__ import annotations

import datetime as dt
import sys

import click

from bot.cli.app import examples, wiring

SAMPLE_DAY = dt.date(2025, 2, 11)
DEMO_DATABASE = "sqlite:///paperbot-demo.db"


def sample_text() -> str:
    """The bundled sample digest (seed-000 layout)."""
    from importlib import resources

    return resources.files("bot").joinpath("data/sample_digest.md").read_text(encoding="utf-8")


@click.command(epilog=examples("paperbot demo", "paperbot demo --no-input > cards.txt"))
@click.option("--no-input", is_flag=True, help="Print the cards and exit, without the console chat.")
@click.option(
    "--database", default=DEMO_DATABASE, show_default=True, metavar="URL", help="SQLAlchemy URL for the demo."
)
@click.pass_context
def demo(ctx: click.Context, no_input: bool, database: str) -> None:
    """Show the day's cards from the bundled sample, then chat with the bot in the console."""
    from bot.bootstrap import console_chat
    from bot.ingest import store_digest
    from bot.render.text import render_digest_text
    from bot.selection import top_of_day
    from bot.sources.markdown import parse_digest

    services = wiring(ctx).services(database_url=database)
    store_digest(services.db, parse_digest(sample_text(), SAMPLE_DAY), services.taxonomy, SAMPLE_DAY)
    digest = top_of_day(services, SAMPLE_DAY, services.settings.top_n)
    if digest is not None:
        click.echo(render_digest_text(digest))
    if no_input or not sys.stdin.isatty():
        return
    console_chat(services)
