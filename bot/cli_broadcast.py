"""`paperbot broadcast` (the daily run of a day, now) and `paperbot rebroadcast`."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket

import click

from bot.broadcast.engine import BroadcastEngine
from bot.broadcast.plan import OutboxBroadcaster, plan
from bot.cli import CliError, cli, runtime
from bot.cli_papers import DATE
from bot.daily import DailyRun, Fetch
from bot.leader import Leadership
from bot.runtime import Runtime
from bot.selection import latest_day
from bot.services import Services
from bot.sources.hf import DayList, HFClient
from storage import broadcasts


def instance_name() -> str:
    """Who claims rows and leases: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def fetch_with(services: Services) -> Fetch:
    """A blocking fetch of one day's Hugging Face list."""

    def fetch(day: dt.date) -> DayList:
        settings = services.settings
        with HFClient(settings.hf_endpoint, request_timeout=settings.hf_timeout) as client:
            return client.fetch_day(day)

    return fetch


async def _close(engine: BroadcastEngine) -> None:
    for channel in engine.channels.values():
        await channel.aclose()


def _stop_on_signals(engine: BroadcastEngine) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, engine.stopping.set)


async def _lead(services: Services, engine: BroadcastEngine) -> Leadership | None:
    """Take the leadership for this run; None when a running service leads (it will send)."""
    leadership = Leadership(services.db, engine.worker_id)
    await leadership.start()  # (renewed in the background for as long as the run takes)
    if not leadership.is_leader:
        await leadership.stop()
        return None
    await engine.recover()
    return leadership


def _engine(rt: Runtime, services: Services) -> BroadcastEngine:
    channels = rt.make_channels(services)
    if not channels:
        raise CliError("no platform configured to send to")
    return BroadcastEngine(services, channels, instance_name())


@cli.command()
@click.option("--date", "date_", type=DATE, help="Listing day (default: yesterday in PAPERBOT_TIMEZONE).")
@click.option("--dry-run", is_flag=True, help="Show who would get what; send and store nothing.")
@click.pass_context
def broadcast(ctx: click.Context, date_: dt.datetime | None, dry_run: bool) -> None:
    """Run the daily digest of a day now (running it again resumes, never sends twice)."""
    rt = runtime(ctx)
    services = rt.services()
    day = date_.date() if date_ else services.today() - dt.timedelta(days=1)
    engine = _engine(rt, services)
    if dry_run:
        _dry_run(services, engine, day)
        return
    summarize = rt.make_summarizer(services)
    run = DailyRun(services, engine.channels, engine, fetch=fetch_with(services), summarize=summarize)

    async def go() -> None:
        _stop_on_signals(engine)
        leadership = await _lead(services, engine)
        try:
            result = await run(day, wait=leadership is not None)
        finally:
            if leadership is not None:
                await leadership.stop()
            await _close(engine)
        _report(services, result.broadcast_id, result.status, leadership is not None, result.note)

    asyncio.run(go())


def _dry_run(services: Services, engine: BroadcastEngine, day: dt.date) -> None:
    with services.db.session() as session:
        recipients = broadcasts.active_subscribers(session)
    parts, chosen = plan(services, engine.channels, day, recipients)
    counts: dict[str, int] = {}
    for _, variant in chosen:
        counts[variant] = counts.get(variant, 0) + 1
    click.echo(f"{day}: {len(chosen)} recipients of {len(recipients)} active subscribers")
    for variant, payloads in sorted(parts.items()):
        click.echo(f"  {variant}: {counts.get(variant, 0)} chats × {len(payloads)} messages")
    if not chosen:
        click.echo("  nothing would be sent")


def _report(
    services: Services, broadcast_id: int | None, status: str, leading: bool, note: str | None
) -> None:
    if broadcast_id is None:
        raise CliError(f"daily run {status}: {note or 'no broadcast created'}")
    with services.db.session() as session:
        counts = broadcasts.counts(session, broadcast_id)
    tally = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no recipients"
    where = "" if leading else " (queued: the running paperbot service sends it)"
    click.echo(f"broadcast #{broadcast_id} {status}: {tally}{where}")
    if note:
        click.echo(f"note: {note}", err=True)


@cli.command()
@click.option("--date", "date_", type=DATE, help="Listing day (default: the latest day with papers).")
@click.option("--to", "to", metavar="PLATFORM:CHAT_ID", help="Send to this one chat only.")
@click.pass_context
def rebroadcast(ctx: click.Context, date_: dt.datetime | None, to: str | None) -> None:
    """Send a day's digest again, as a new broadcast, to every active subscriber or one chat."""
    rt = runtime(ctx)
    services = rt.services()
    target = _target(to)
    day = date_.date() if date_ else latest_day(services)
    if day is None:
        raise CliError("no papers stored yet")
    engine = _engine(rt, services)
    if target is not None and target[0] not in engine.channels:
        raise click.UsageError(f"platform {target[0]!r} is not configured")
    result = OutboxBroadcaster(services, engine.channels, lambda: None).rebroadcast(day, "cli", target)
    status = "resumed" if result.already_running else "created"

    async def go() -> None:
        _stop_on_signals(engine)
        leadership = await _lead(services, engine)
        if leadership is not None:
            try:
                await engine.run_pending()  # this one, and any other left unfinished
            finally:
                await leadership.stop()
        await _close(engine)
        _report(services, result.broadcast_id, status, leadership is not None, None)

    asyncio.run(go())


def _target(to: str | None) -> tuple[str, str] | None:
    if to is None:
        return None
    platform, _, chat = to.partition(":")
    if platform not in ("telegram", "slack", "console") or not chat or len(chat) > 64:
        raise click.UsageError("--to takes PLATFORM:CHAT_ID, e.g. telegram:-1001234567890")
    return platform, chat
