"""The `paperbot` command line: the group in `app`, one module per family of verbs."""

from __future__ import annotations

import click

from bot.cli import broadcast, demo, papers, run, search, subscribers, summarize
from bot.cli.app import CliError, cli, db_group, examples, main

VERBS = (
    demo.demo,
    run.run,
    papers.fetch,
    papers.import_,
    summarize.summarize,
    papers.top,
    papers.field,
    papers.fields,
    search.search,
    broadcast.broadcast,
    broadcast.rebroadcast,
    subscribers.subscribers_group,
    db_group,
)
for verb in VERBS:
    cli.add_command(verb)
cli.epilog = examples("paperbot demo", "paperbot fetch --days 7", "paperbot top --n 3", "paperbot run")
click.version_option(package_name="paperbot", prog_name="paperbot", message="%(prog)s %(version)s")(cli)

__all__ = ["CliError", "cli", "main"]
