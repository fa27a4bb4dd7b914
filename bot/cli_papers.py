"""CLI verbs over papers: fetch, import, top, field, fields."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from bot import args as A
from bot.cli import CliError, cli, progress, runtime
from bot.ingest import store_day_list, store_digests
from bot.output import FORMATS, digest_json, render
from bot.selection import field_counts, latest_day, top_of_day, top_of_field
from bot.sources.hf import HFClient, HFError
from bot.sources.markdown import DigestFormatError, ParsedDigest, read_digest

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@cli.command()
@click.option("--date", "date_", type=DATE, help="Listing day (default: yesterday in PAPERBOT_TIMEZONE).")
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    default=1,
    show_default=True,
    help="How many days, ending at --date.",
)
@click.pass_context
def fetch(ctx: click.Context, date_: dt.datetime | None, days: int) -> None:
    """Fetch Hugging Face daily lists into the database."""
    services = runtime(ctx).services()
    last = _day(date_) or services.today() - dt.timedelta(days=1)
    wanted = _days_ending(last, days)
    failures: list[str] = []
    client = HFClient(services.settings.hf_endpoint, request_timeout=services.settings.hf_timeout)
    with client, progress(wanted, "fetching") as bar:
        for day in bar:
            try:
                report = store_day_list(services.db, client.fetch_day(day), services.taxonomy)
            except HFError as exc:
                failures.append(str(exc))
                continue
            click.echo(f"{day}: stored {report.stored} papers, skipped {len(report.skipped)}")
            for line in report.skipped:
                click.echo(f"  skipped {line}", err=True)
    if failures:
        raise CliError(f"{len(failures)} of {len(wanted)} days failed; first: {failures[0]}")


def _days_ending(last: dt.date, count: int) -> list[dt.date]:
    """The `count` days ending at `last`; a usage error when they would begin before 0001-01-01."""
    if last.toordinal() < count:
        message = f"{count} days ending at {last} begin before 0001-01-01"
        raise click.BadParameter(message, param_hint="'--days'")
    return [last - dt.timedelta(days=i) for i in range(count - 1, -1, -1)]


@cli.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--date", "date_", type=DATE, help="Listing day for digests that carry no date.")
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...], date_: dt.datetime | None) -> None:
    """Import markdown digests (the four known formats) into the database.

    Every file is read and checked first, then all are stored in one transaction: either every
    file is imported or, on any error, none is. A file may hold up to 100,000 papers (128 MiB).
    """
    services = runtime(ctx).services()
    parsed = [_parse(path, _day(date_)) for path in files]  # every file is read before any is stored
    reports = store_digests(services.db, parsed, services.taxonomy)
    for path, report in zip(files, reports, strict=True):
        click.echo(f"{path.name}: {report.stored} papers for {report.day}, skipped {len(report.skipped)}")
        for line in report.skipped:
            click.echo(f"  skipped {line}", err=True)


def _parse(path: Path, day: dt.date | None) -> tuple[ParsedDigest, dt.date]:
    """The file's digest and its listing day (the document's own date, else --date)."""
    try:
        digest = read_digest(path, day)
    except DigestFormatError as exc:
        raise CliError(f"{path.name}: {exc}") from None
    listed = digest.day or day
    if listed is None:
        raise click.UsageError(f"{path.name} has no date inside; pass --date YYYY-MM-DD")
    return digest, listed


def _emit(digest: object, fmt: str, day: dt.date | None, field: str | None, empty: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(digest_json(digest, day, field), ensure_ascii=False, indent=2))  # type: ignore[arg-type]
    elif digest is None:
        click.echo(empty, err=True)
    else:
        click.echo(render(digest, fmt))  # type: ignore[arg-type]


@cli.command()
@click.option("--date", "date_", type=DATE, help="Listing day (default: the latest day with papers).")
@click.option("--n", "n", type=click.IntRange(1, A.MAX_N), default=None, help="Number of cards.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.pass_context
def top(ctx: click.Context, date_: dt.datetime | None, n: int | None, fmt: str) -> None:
    """Print the top cards of a day."""
    services = runtime(ctx).reader()
    day = _day(date_) or latest_day(services)
    digest = top_of_day(services, day, n or services.settings.top_n) if day else None
    _emit(digest, fmt, day, None, f"no papers stored for {day or 'any day'}")


@cli.command()
@click.argument("name", nargs=-1, required=True)
@click.option("--n", "n", type=click.IntRange(1, A.MAX_N), default=None, help="Number of cards.")
@click.option("--days", type=click.IntRange(1, 365), default=None, help="Days to look back.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.pass_context
def field(ctx: click.Context, name: tuple[str, ...], n: int | None, days: int | None, fmt: str) -> None:
    """Print the top cards of a research field (Korean or English name, alias or code)."""
    services = runtime(ctx).reader()
    resolution = services.taxonomy.resolve(" ".join(name))
    if resolution.field is None:
        close = ", ".join(f"{f.name} ({f.code})" for f in resolution.suggestions) or "see 'paperbot fields'"
        raise click.UsageError(f"unknown field {' '.join(name)[:40]!r}; closest: {close}")
    code = resolution.field.code
    days = days or services.settings.field_window_days
    digest = top_of_field(services, code, n or services.settings.top_n, days)
    _emit(digest, fmt, latest_day(services), code, f"no {code} papers in the last {days} days")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def fields(ctx: click.Context, fmt: str) -> None:
    """Print the field taxonomy with paper counts over the /field window."""
    services = runtime(ctx).reader()
    days = services.settings.field_window_days
    counts = field_counts(services, days)
    rows = [
        {"code": f.code, "name": f.name, "count": counts.get(f.code, 0)} for f in services.taxonomy.fields
    ]
    if fmt == "json":
        click.echo(json.dumps({"days": days, "fields": rows}, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['code']:<11} {row['name']:<10} {row['count']:>5}")
