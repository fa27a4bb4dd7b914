"""`paperbot broadcast` (the daily run of a day, now) and `paperbot rebroadcast`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from bot.cli.app import DATE, CliError, examples, wiring
from bot.cli.live import tally_task, terminal_console

# The engine, the leadership, storage and asyncio are imported by the verbs that run: `--help` stays quick.
if TYPE_CHECKING:
    from bot.broadcast.engine import BroadcastEngine
    from bot.leader import Leadership
    from bot.services import Services


async def _close(engine: BroadcastEngine) -> None:
    for channel in engine.channels.values():
        await channel.aclose()


def _stop_on_signals(engine: BroadcastEngine) -> None:
    import asyncio
    import signal

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, engine.stopping.set)


async def _lead(services: Services, engine: BroadcastEngine) -> Leadership | None:
    """Take the leadership for this run; None when a running service leads (it will send)."""
    from bot.leader import Leadership

    leadership = Leadership(services.db, engine.worker_id)
    await leadership.start()  # (renewed in the background for as long as the run takes)
    if not leadership.is_leader:
        await leadership.stop()
        return None
    await engine.recover()
    return leadership


def _engine(services: Services) -> BroadcastEngine:
    from bot.bootstrap import build_channels
    from bot.broadcast.engine import BroadcastEngine
    from bot.leader import instance_name

    channels = build_channels(services.settings)
    if not channels:
        raise CliError("no platform configured to send to")
    return BroadcastEngine(services, channels, instance_name())


@click.command(epilog=examples("paperbot broadcast --dry-run", "paperbot broadcast --date 2025-02-11"))
@click.option("--date", "date_", type=DATE, help="Listing day (default: yesterday in PAPERBOT_TIMEZONE).")
@click.option("--dry-run", is_flag=True, help="Show who would get what; send and store nothing.")
@click.pass_context
def broadcast(ctx: click.Context, date_: dt.datetime | None, dry_run: bool) -> None:
    """Run the daily digest of a day now for the chats of the default time (again: resumes, never twice)."""
    from bot import eventloop
    from bot.bootstrap import daily_run

    services = wiring(ctx).services()
    day = date_.date() if date_ else services.today() - dt.timedelta(days=1)
    engine = _engine(services)
    if dry_run:
        _dry_run(services, engine, day)
        return
    run = daily_run(services, engine.channels, engine)

    async def go() -> None:
        _stop_on_signals(engine)
        leadership = await _lead(services, engine)
        console = terminal_console() if leadership is not None else None
        try:
            async with tally_task(lambda: _daily_counts(services, day), console):
                result = await run(day, wait=leadership is not None)
        finally:
            if leadership is not None:
                await leadership.stop()
            await _close(engine)
        _report(services, result.broadcast_id, result.status, leadership is not None, result.note)

    eventloop.run(go(), services.settings.event_loop)


def _counts(services: Services, broadcast_id: int | None) -> dict[str, int] | None:
    """Outbox row counts of one broadcast, for the live tally."""
    from storage import broadcasts

    if broadcast_id is None:
        return None
    with services.db.session() as session:
        return broadcasts.counts(session, broadcast_id)


def _daily_counts(services: Services, day: dt.date) -> dict[str, int] | None:
    """Outbox row counts of the daily broadcast of `day` at the default time, once it exists."""
    from storage import broadcasts

    with services.db.session() as session:
        found = broadcasts.find_daily(session, day, services.settings.digest_time)
    return _counts(services, found[0]) if found else None


def _dry_run(services: Services, engine: BroadcastEngine, day: dt.date) -> None:
    from bot.broadcast.plan import plan
    from storage import broadcasts

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
    from storage import broadcasts, outbox

    if broadcast_id is None:
        raise CliError(f"daily run {status}: {note or 'no broadcast created'}")
    with services.db.session() as session:
        counts = broadcasts.counts(session, broadcast_id)
        unsent = outbox.unsent_rows(session, broadcast_id)
    tally = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no recipients"
    where = "" if leading else " (queued: the running paperbot service sends it)"
    click.echo(f"broadcast #{broadcast_id} {status}: {tally}{where}")
    if note:
        click.echo(f"note: {note}", err=True)
    if leading and unsent:  # a run that could not reach a platform must not look like a success
        raise CliError(f"broadcast #{broadcast_id}: {unsent} messages never left (platform unreachable)")


@click.command(
    epilog=examples(
        "paperbot rebroadcast", "paperbot rebroadcast --date 2025-02-11 --to telegram:-1001234567890"
    )
)
@click.option("--date", "date_", type=DATE, help="Listing day (default: the latest day with papers).")
@click.option("--to", "to", metavar="PLATFORM:CHAT_ID", help="Send to this one chat only.")
@click.pass_context
def rebroadcast(ctx: click.Context, date_: dt.datetime | None, to: str | None) -> None:
    """Send a day's digest again, as a new broadcast, to every active subscriber or one chat."""
    from bot import eventloop
    from bot.broadcast.plan import BroadcastQueue
    from bot.selection import latest_day

    services = wiring(ctx).services()
    target = _target(to)
    day = date_.date() if date_ else latest_day(services)
    if day is None:
        raise CliError("no papers stored yet")
    engine = _engine(services)
    if target is not None and target[0] not in engine.channels:
        raise click.UsageError(f"platform {target[0]!r} is not configured")
    result = BroadcastQueue(services, engine.channels, lambda: None).rebroadcast(day, "cli", target)
    if result.broadcast_id is None:
        click.echo(f"{day}: nothing to send (no recipient's fields or keywords match that day's papers)")
        return
    status = "resumed" if result.already_running else "created"

    async def go() -> None:
        _stop_on_signals(engine)
        leadership = await _lead(services, engine)
        if leadership is not None:
            try:
                async with tally_task(lambda: _counts(services, result.broadcast_id), terminal_console()):
                    await engine.run_pending()  # this one, and any other left unfinished
            finally:
                await leadership.stop()
        await _close(engine)
        _report(services, result.broadcast_id, status, leadership is not None, None)

    eventloop.run(go(), services.settings.event_loop)


def _target(to: str | None) -> tuple[str, str] | None:
    if to is None:
        return None
    platform, _, chat = to.partition(":")
    if platform not in ("telegram", "slack", "console") or not chat or len(chat) > 64:
        raise click.UsageError("--to takes PLATFORM:CHAT_ID, e.g. telegram:-1001234567890")
    return platform, chat
