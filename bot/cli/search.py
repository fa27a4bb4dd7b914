"""`paperbot search QUERY`: the same search as `/search`, printed in any CLI format."""

from __future__ import annotations

import datetime as dt
import json

import click

from bot import args as A
from bot.cli.app import DATE, examples, wiring
from bot.output import FORMATS, digest_json, render
from bot.search_query import MAX_RESULTS, parse_search


@click.command(
    epilog=examples(
        "paperbot search 강화학습 --n 3",
        "paperbot search 'diffusion -video' --since 2025-01-01",
        "paperbot search 2502.06781 --format json",
    )
)
@click.argument("query", nargs=-1, required=True, metavar="QUERY...")
@click.option(
    "--n", "n", type=click.IntRange(1, MAX_RESULTS), default=None, metavar="N", help="Number of cards."
)
@click.option("--since", type=DATE, default=None, help="Only papers listed on or after this day.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.pass_context
def search(
    ctx: click.Context, query: tuple[str, ...], n: int | None, since: dt.datetime | None, fmt: str
) -> None:
    """Search titles, abstracts, keywords and Korean texts (field names, -word, "phrase", arXiv ids)."""
    from bot.selection import search_papers

    services = wiring(ctx).services()
    try:
        parsed = parse_search(query, services.taxonomy, since.date() if since else None)
    except A.ArgumentError as exc:
        raise click.UsageError(str(exc)) from None
    count = n or min(services.settings.top_n, MAX_RESULTS)
    digest = search_papers(services, parsed.query, count, parsed.shown)
    if fmt == "json":
        click.echo(json.dumps(digest_json(digest, None, parsed.field), ensure_ascii=False, indent=2))
    elif digest is None:
        click.echo(f"no papers match {parsed.shown!r}", err=True)
    else:
        click.echo(render(digest, fmt))
