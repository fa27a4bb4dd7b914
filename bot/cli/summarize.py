"""`paperbot summarize`: Korean texts for the papers that lack them, via the configured LLM."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from bot.cli.app import DATE, CliError, examples, wiring

if TYPE_CHECKING:  # the LLM client (openai) is loaded only when the verb runs
    from bot.llm import Progress, SummaryReport
    from bot.llm.runner import ProgressCallback
NOT_CONFIGURED = "the LLM is not configured: set PAPERBOT_LLM_BASE_URL and PAPERBOT_LLM_MODEL"


@contextmanager
def progress_callback(label: str) -> Iterator[ProgressCallback]:
    """A callback that drives a progress bar on stderr when it is a terminal, created once the
    first paper reports (that is when the total is known); a no-op otherwise."""
    bar: Any = None

    def update(event: Progress) -> None:
        nonlocal bar
        if not sys.stderr.isatty():
            return
        if bar is None:
            bar = click.progressbar(length=event.total, label=label, file=sys.stderr, show_pos=True)
            bar.__enter__()
        bar.update(1, event.paper_id)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def summary_line(report: SummaryReport) -> str:
    """One line saying what the run did."""
    scope = report.day.isoformat() if report.day else "all days"
    line = (
        f"{scope}: summarized {report.summarized}, already had Korean text {report.already_done}, "
        f"no abstract {report.skipped_no_input}, failed {report.failed}, "
        f"tokens {report.tokens_used} in {report.requests} requests"
    )
    if report.deferred:
        why = "budget reached" if report.budget_exhausted else "LLM unavailable"
        line += f"; {report.deferred} left for the next run ({why})"
    return line


@click.command(
    epilog=examples("paperbot summarize", "paperbot summarize --date 2025-02-11", "paperbot summarize --all")
)
@click.option("--date", "date_", type=DATE, help="Listing day (default: the latest day with papers).")
@click.option("--all", "all_days", is_flag=True, help="Every stored day, newest first.")
@click.pass_context
def summarize(ctx: click.Context, date_: dt.datetime | None, all_days: bool) -> None:
    """Write Korean 요약, 쉬운설명 and 관련분야 for papers that lack them, via the LLM."""
    if date_ is not None and all_days:
        raise click.UsageError("--date and --all exclude each other")
    import asyncio

    from bot.llm import llm_configured, summarize_missing
    from bot.selection import latest_day
    from bot.settings import ConfigError

    services = wiring(ctx).services()
    if not llm_configured(services.settings):
        raise ConfigError(NOT_CONFIGURED)
    day = None if all_days else (date_.date() if date_ else latest_day(services))
    if day is None and not all_days:
        click.echo("no papers stored yet: nothing to summarize", err=True)
        return
    with progress_callback("summarizing") as on_progress:
        report = asyncio.run(summarize_missing(services, day, on_progress=on_progress))
    click.echo(summary_line(report))
    if report.llm_failed:
        reason = report.errors[0] if report.errors else "no answer"
        raise CliError(f"the LLM failed for every paper it was asked about (first: {reason})")
