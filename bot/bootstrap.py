"""The composition root: settings → database → channels → services → the long-running parts.

The one module of the core that knows the platform handlers: it imports each only when its token
is set, so a CLI verb that sends nothing never loads Telegram or Slack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

# Only light modules at the top: `paperbot --help` imports this module, and the engine, the
# scheduler, SQLAlchemy, pydantic (even asyncio) are loaded by the functions that need them.
if TYPE_CHECKING:
    from bot.broadcast.engine import BroadcastEngine
    from bot.channels import Channel
    from bot.daily import DailyRun, Summarize
    from bot.fields import Taxonomy
    from bot.lifecycle import Lifecycle
    from bot.services import Services
    from bot.settings import Settings
    from storage.db import Database


def open_database(url: str, migrate: bool = True) -> Database:
    """Open a database and bring its schema up to date (and its search index, should an import have
    stopped before indexing what it stored)."""
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.search_index import flush_deferred

    db = Database(url)
    if migrate:
        upgrade(db)
        flush_deferred(db)
    return db


def taxonomy_for(settings: Settings) -> Taxonomy:
    """The bundled taxonomy, or the edited file named by PAPERBOT_FIELDS_FILE."""
    from bot.fields import default_taxonomy, load_taxonomy

    return load_taxonomy(settings.fields_file) if settings.fields_file else default_taxonomy()


def build_services(settings: Settings, db: Database) -> Services:
    """Services without a broadcaster: what every read-only verb and command needs."""
    from bot.services import Services
    from handlers.console import CONSOLE_CHAT  # the terminal's user administers its own bot

    admins = frozenset(settings.admin_ids()) | {("console", CONSOLE_CHAT)}
    return Services(db=db, settings=settings, taxonomy=taxonomy_for(settings), admins=admins)


def build_channels(
    settings: Settings, console: bool = True, stdout: TextIO | None = None
) -> dict[str, Channel]:
    """The broadcast sender of every configured platform (and of the console when asked)."""
    channels: dict[str, Channel] = {}
    if console:
        from handlers.console import ConsoleChannel

        channels["console"] = ConsoleChannel(stdout)
    if settings.telegram_token is not None:
        from handlers.telegram.sender import TelegramChannel

        channels["telegram"] = TelegramChannel(settings)
    if settings.slack_bot_token is not None:
        from handlers.slack.sender import SlackChannel, make_client

        channels["slack"] = SlackChannel(make_client(settings))
    return channels


def build_platforms(
    services: Services,
    channels: dict[str, Channel],
    console: bool,
    on_quit: Callable[[], None] | None = None,
) -> list[Lifecycle]:
    """Every platform whose token is set, answering commands with `services`, plus the console
    (whose /quit calls `on_quit`)."""
    platforms: list[Lifecycle] = []
    if "telegram" in channels:
        from handlers.telegram.bot import TelegramPlatform

        platforms.append(TelegramPlatform(services, channel=channels["telegram"]))  # type: ignore[arg-type]
    if "slack" in channels:
        from handlers.slack.app import build_platform as build_slack

        platforms.append(build_slack(services, sender=channels["slack"]))  # type: ignore[arg-type]
    if console:
        from handlers.console import ConsolePlatform

        platforms.append(ConsolePlatform(services, on_quit=on_quit))
    return platforms


def summarizer_for(services: Services) -> Summarize | None:
    """The daily run's Korean-text step, when an LLM is configured."""
    from bot.llm import daily_step  # (the OpenAI client is heavy: loaded only when needed)

    return daily_step(services)


def connect_broadcasts(services: Services, channels: dict[str, Channel], engine: BroadcastEngine) -> Services:
    """Services whose commands queue rebroadcasts for `engine`."""
    from bot.broadcast.plan import BroadcastQueue

    return services.with_broadcaster(BroadcastQueue(services, channels, engine.wake))


def daily_run(services: Services, channels: dict[str, Channel], engine: BroadcastEngine) -> DailyRun:
    """The daily digest of a day: fetch from Hugging Face, Korean texts, plan, send."""
    from bot.daily import DailyRun
    from bot.sources.hf import day_fetcher

    fetch = day_fetcher(services.settings.hf_endpoint, services.settings.hf_timeout)
    return DailyRun(services, channels, engine, fetch=fetch, summarize=summarizer_for(services))


def slot_runner(run: Callable[..., Awaitable[object]]) -> Callable[[dt.date, dt.time], Awaitable[object]]:
    """A daily or weekly run as the scheduler calls it: (period, time slot)."""

    async def run_slot(period: dt.date, at: dt.time) -> object:
        return await run(period, at=at)

    return run_slot


def chat_times(services: Services) -> Callable[[], tuple[set[dt.time | None], set[dt.time | None]]]:
    """The subscribed chats' own times (daily, weekly), read by the scheduler every minute."""
    from storage import subscribers

    def times() -> tuple[set[dt.time | None], set[dt.time | None]]:
        with services.db.session() as session:
            return subscribers.schedule_times(session)

    return times


def service_parts(
    base: Services, console: bool, on_quit: Callable[[], None] | None = None, senders: int = 1
) -> list[Lifecycle]:
    """Everything `paperbot run` starts, in order: the health server, platforms, leadership, engine,
    (the other sender processes,) scheduler, and the start-up line."""
    from bot.broadcast.engine import BroadcastEngine
    from bot.leader import Leadership, instance_name
    from bot.scheduler import DailyScheduler
    from bot.settings import ConfigError
    from bot.weekly import WeeklyRun

    channels = build_channels(base.settings, console=console)
    if not channels.keys() - {"console"} and not console:
        raise ConfigError(
            "nothing to run: set PAPERBOT_TELEGRAM_TOKEN or PAPERBOT_SLACK_BOT_TOKEN, or use --console"
        )
    leadership = Leadership(base.db, instance_name())
    share = (0, senders) if senders > 1 else None
    engine = BroadcastEngine(
        base, channels, leadership.holder, may_send=lambda: leadership.is_leader, share=share
    )
    services = connect_broadcasts(base, channels, engine)
    settings = base.settings
    scheduler = DailyScheduler(
        settings.tz,
        settings.digest_time,
        slot_runner(daily_run(services, channels, engine)),
        leadership,
        retry_every=settings.fetch_retry,
        deadline=settings.digest_deadline,
        times=chat_times(services),
        run_week=slot_runner(WeeklyRun(services, channels, engine)),
    )
    from bot.startup import StartupSummary
    from handlers.health import health_parts

    platforms = build_platforms(services, channels, console, on_quit)
    is_leader = lambda: leadership.is_leader  # noqa: E731
    health = health_parts(services, is_leader, platforms)  # first up, last down: probes see the start
    summary = StartupSummary(settings, platforms, is_leader)  # last: leadership is known by then
    pool = [sender_pool(settings, senders, is_leader)] if senders > 1 else []
    return [*health, *platforms, leadership, engine, *pool, scheduler, summary]


def sender_pool(settings: Settings, senders: int, is_leader: Callable[[], bool]) -> Lifecycle:
    """Sender processes 1..N-1 of `paperbot run --senders N` (`paperbot run --share I/N` each)."""
    import os
    import sys

    from bot.broadcast.senders import SenderPool

    def command(index: int) -> list[str]:
        share = ["--share", f"{index}/{senders}", "--parent", str(os.getpid())]
        return [sys.executable, "-m", "bot", "run", *share]

    return SenderPool(senders, is_leader, command)


def run_sender(base: Services, share: tuple[int, int], parent: int | None = None) -> None:
    """One sender process of `paperbot run --senders N`: its share of every broadcast until SIGTERM
    or until the process that started it (`parent`, which may die before this one has started) is
    gone (no platforms, scheduler or health server here)."""
    import asyncio
    import os

    from bot import eventloop
    from bot.broadcast.engine import BroadcastEngine
    from bot.broadcast.senders import parent_alive
    from bot.leader import instance_name

    channels = build_channels(base.settings, console=False)
    alive = parent_alive(parent or os.getppid())

    async def main() -> None:
        from bot.lifecycle import serve

        stop = asyncio.Event()
        engine = BroadcastEngine(base, channels, instance_name(), may_send=alive, share=share)

        async def orphaned() -> None:
            while alive():
                await asyncio.sleep(1.0)
            stop.set()

        watch = asyncio.create_task(orphaned())
        try:
            await serve([engine], stop)
        finally:
            watch.cancel()
            for channel in channels.values():
                await channel.aclose()

    eventloop.run(main(), base.settings.event_loop)


def run_service(base: Services, console: bool, senders: int = 1) -> None:
    """`paperbot run`: every part in one event loop until SIGTERM (or the console's /quit)."""
    import asyncio

    from bot import eventloop
    from bot.lifecycle import serve

    async def main() -> None:
        stop = asyncio.Event()
        await serve(service_parts(base, console, on_quit=stop.set, senders=senders), stop)

    eventloop.run(main(), base.settings.event_loop)


def console_chat(base: Services) -> None:
    """The demo's console chat; /rebroadcast there prints the digest to console subscribers at once."""
    import asyncio

    from bot.broadcast.engine import BroadcastEngine
    from bot.broadcast.plan import BroadcastQueue
    from bot.leader import instance_name
    from handlers.console import run_console

    channels = build_channels(base.settings, console=True)
    channels = {"console": channels["console"]}
    engine = BroadcastEngine(base, channels, instance_name(), pacing=False)

    def print_now() -> None:
        asyncio.run(engine.run_pending())

    run_console(base.with_broadcaster(BroadcastQueue(base, channels, print_now)))


def resolve_chat(settings: Settings, platform: str, chat_id: str) -> str:
    """Telegram `@channel` names become the numeric id the channel's own /subscribe would store."""
    if platform != "telegram" or chat_id.lstrip("-").isdigit():
        return chat_id
    if settings.telegram_token is None:  # a stored name would never match the id updates carry
        raise ValueError(
            f"{chat_id[:40]} is a name: resolving it needs PAPERBOT_TELEGRAM_TOKEN (or give the numeric id)"
        )
    import asyncio

    from handlers.telegram.sender import resolve_chat_id

    return asyncio.run(resolve_chat_id(settings, chat_id))  # ValueError: no such chat


class DatabaseNotReady(RuntimeError):
    """The database cannot serve this verb as it is; the message says what to do."""


@dataclass
class Bootstrap:
    """The graph of one CLI run, built on first use and closed at the end."""

    settings_overrides: dict[str, object] = field(default_factory=dict)
    _settings: Settings | None = None
    _services: Services | None = None

    def settings(self) -> Settings:
        """The settings of this run."""
        from bot.settings import load_settings

        if self._settings is None:
            self._settings = load_settings(**self.settings_overrides)
        return self._settings

    def services(self, database_url: str | None = None) -> Services:
        """Services over the configured (or given) database, migrated; built once per run."""
        if self._services is None:
            settings = self.settings()
            self._services = build_services(settings, open_database(database_url or settings.database_url))
        return self._services

    def reader(self) -> Services:
        """Services for a verb that only reads: the database opened read-only and never migrated."""
        from storage.readonly import NotReadable, open_read_only

        if self._services is None:
            settings = self.settings()
            try:
                db = open_read_only(settings.database_url)
            except NotReadable as exc:
                raise DatabaseNotReady(str(exc)) from None
            self._services = build_services(settings, db)
        return self._services

    def close(self) -> None:
        """Release the database connections."""
        if self._services is not None:
            self._services.db.dispose()
