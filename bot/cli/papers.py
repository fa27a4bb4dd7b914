"""CLI verbs over papers: fetch, import, top, field, fields."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot import args as A
from bot.cli.app import DATE, CliError, examples, progress, wiring
from bot.output import FORMATS, digest_json, render

if TYPE_CHECKING:
    from bot.sources.markdown import ParsedDigest

NO_PAPERS_YET = "no papers stored yet; run 'paperbot fetch' (or 'paperbot import FILE...') first"

# Storage (SQLAlchemy) and the Hugging Face client (httpx) are imported by the verbs that use them.


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@click.command(epilog=examples("paperbot fetch", "paperbot fetch --date 2025-02-11 --days 7"))
@click.option("--date", "date_", type=DATE, help="Listing day (default: yesterday in PAPERBOT_TIMEZONE).")
@click.option(
    "--days",
    metavar="N",
    type=click.IntRange(1, 366),
    default=1,
    show_default=True,
    help="How many days, ending at --date.",
)
@click.pass_context
def fetch(ctx: click.Context, date_: dt.datetime | None, days: int) -> None:
    """Fetch Hugging Face daily lists into the database."""
    from bot.ingest import store_day_list
    from bot.sources.hf import HFClient, HFError

    services = wiring(ctx).services()
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


@click.command("import", epilog=examples("paperbot import digests/*.md --date 2025-02-11"))
@click.argument(
    "files",
    nargs=-1,
    required=True,
    metavar="FILE...",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--date", "date_", type=DATE, help="Listing day for digests that carry no date.")
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...], date_: dt.datetime | None) -> None:
    """Import markdown digests (the four known formats) into the database.

    Every file is read and checked first; a bad file is reported with its reason. The good ones
    are then stored in one transaction: all of them, or on a database error none. Exits 1 when
    any file failed. A file may hold up to 100,000 papers (128 MiB).
    """
    from bot.ingest import store_digests

    services = wiring(ctx).services()
    parsed, failed = _parse_all(files, _day(date_))
    reports = store_digests(services.db, [(digest, day) for _, digest, day in parsed], services.taxonomy)
    for (path, _, day), report in zip(parsed, reports, strict=True):
        click.echo(f"{path.name}: {report.stored} papers for {day}, skipped {len(report.skipped)}")
        for line in report.skipped:
            click.echo(f"  skipped {line}", err=True)
    if len(files) > 1 or failed:
        click.echo(f"{len(parsed)} files imported, {failed} failed", err=True)
    if failed:
        raise CliError(f"{failed} of {len(files)} files failed to import")


def _parse_all(
    files: tuple[Path, ...], day: dt.date | None
) -> tuple[list[tuple[Path, ParsedDigest, dt.date]], int]:
    """Every file parsed (with a bar on a terminal); bad ones reported on stderr and counted."""
    parsed: list[tuple[Path, ParsedDigest, dt.date]] = []
    failed = 0
    with progress(files, "reading") as bar:
        for path in bar:
            try:
                digest = _parse(path, day)
            except ValueError as exc:
                click.echo(f"{path.name}: {exc}", err=True)
                failed += 1
                continue
            when = digest.day or day
            assert when is not None  # (_parse refuses a digest without any date)
            parsed.append((path, digest, when))
    return parsed, failed


def _parse(path: Path, day: dt.date | None) -> ParsedDigest:
    """One digest; ValueError with the reason when it cannot be imported."""
    from bot.sources.markdown import DigestFormatError, read_digest

    try:
        digest = read_digest(path, day)
    except DigestFormatError as exc:
        raise ValueError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read: {exc.__class__.__name__}") from None
    if digest.day is None and day is None:
        raise ValueError("no date inside; pass --date YYYY-MM-DD")
    return digest


def _emit(
    digest: object,
    fmt: str,
    day: dt.date | None,
    field: str | None,
    empty: str,
    since: dt.date | None = None,
) -> None:
    if fmt == "json":
        data = digest_json(digest, day, field)  # type: ignore[arg-type]
        if since is not None:
            data["since"] = since.isoformat()  # (a week or month: "date" is the window's last day)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif digest is None and fmt == "markdown":
        raise CliError(f"{empty}: nothing to export")  # an empty export file would look like success
    elif digest is None:
        click.echo(empty, err=True)
    else:
        click.echo(render(digest, fmt))  # type: ignore[arg-type]


@click.command(
    epilog=examples(
        "paperbot top",
        "paperbot top --n 3 --date 2025-02-11",
        "paperbot top --week --format json",
        "paperbot top --format markdown > top.md",
    )
)
@click.option(
    "--date", "date_", type=DATE, help="Listing day, or a week's or month's last day (default: the latest)."
)
@click.option("--n", "n", metavar="N", type=click.IntRange(1, A.MAX_N), default=None, help="Number of cards.")
@click.option(
    "--week", "days", flag_value=7, type=int, help="Over the last 7 days of lists, each paper once."
)
@click.option("--month", "days", flag_value=30, type=int, help="Over the last 30 days of lists.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.pass_context
def top(ctx: click.Context, date_: dt.datetime | None, n: int | None, days: int | None, fmt: str) -> None:
    """Print the top cards of a day (or of a week or month of lists)."""
    from bot.selection import latest_day, top_of_day, top_of_period, window_until

    services = wiring(ctx).reader()
    day = _day(date_) or latest_day(services)
    count = n or services.settings.top_n
    if day is None:
        _emit(None, fmt, None, None, NO_PAPERS_YET)
    elif days is None:
        _emit(top_of_day(services, day, count), fmt, day, None, f"no papers stored for {day}")
    else:
        since, until = window_until(day, days)
        digest = top_of_period(services, days, count, until)
        _emit(digest, fmt, until, None, f"no papers stored from {since} to {until}", since)


@click.command(epilog=examples("paperbot field nlp", "paperbot field 자연어 처리 --n 3 --days 30"))
@click.argument("name", nargs=-1, required=True, metavar="NAME...")
@click.option("--n", "n", metavar="N", type=click.IntRange(1, A.MAX_N), default=None, help="Number of cards.")
@click.option("--days", metavar="N", type=click.IntRange(1, 365), default=None, help="Days to look back.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.pass_context
def field(ctx: click.Context, name: tuple[str, ...], n: int | None, days: int | None, fmt: str) -> None:
    """Print the top cards of a research field (Korean or English name, alias or code)."""
    from bot.selection import latest_day, top_of_field

    services = wiring(ctx).reader()
    resolution = services.taxonomy.resolve(" ".join(name))
    if resolution.field is None:
        close = ", ".join(f"{f.name} ({f.code})" for f in resolution.suggestions) or "see 'paperbot fields'"
        raise click.UsageError(f"unknown field {' '.join(name)[:40]!r}; closest: {close}")
    code = resolution.field.code
    days = days or services.settings.field_window_days
    digest = top_of_field(services, code, n or services.settings.top_n, days)
    _emit(digest, fmt, latest_day(services), code, f"no {code} papers in the last {days} days")


@click.command(epilog=examples("paperbot fields", "paperbot fields --format json"))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def fields(ctx: click.Context, fmt: str) -> None:
    """Print the field taxonomy with paper counts over the /field window."""
    from bot.selection import field_counts

    services = wiring(ctx).reader()
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
