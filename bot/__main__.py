"""The composition root: wires the core, storage and the platform handlers into one program."""

from __future__ import annotations

import asyncio
import sys

import click

from bot import cli_broadcast, cli_demo, cli_papers, cli_subscribers, cli_summarize  # noqa: F401  (registers the CLI verbs)
from bot.broadcast.engine import BroadcastEngine
from bot.broadcast.plan import OutboxBroadcaster
from bot.channels import Channel, Platform
from bot.cli import CliError
from bot.cli import main as cli_main
from bot.cli_broadcast import fetch_with, instance_name
from bot.daily import DailyRun
from bot.leader import Leadership
from bot.llm import daily_step
from bot.runtime import Runtime
from bot.scheduler import DailyScheduler
from bot.service import serve
from bot.services import Services
from bot.startup import StartupSummary
from handlers.console import CONSOLE_CHAT, ConsoleChannel, ConsolePlatform, run_console
from handlers.health import health_parts


def build_platforms(services: Services, console: bool) -> list[Platform]:
    """Every platform whose token is set (imported only then), plus the console if asked."""
    settings = services.settings
    platforms: list[Platform] = []
    if settings.telegram_token is not None:
        from handlers.telegram import build_platform as build_telegram

        platforms.append(build_telegram(services))
    if settings.slack_bot_token is not None:
        from handlers.slack import build_platform as build_slack

        platforms.append(build_slack(services))
    if console:
        platforms.append(ConsolePlatform(services))
    return platforms


def build_channels(services: Services) -> dict[str, Channel]:
    """Senders for one-off broadcasts from the command line (no chat updates are read)."""
    settings = services.settings
    channels: dict[str, Channel] = {"console": ConsoleChannel()}
    if settings.telegram_token is not None:
        from handlers.telegram_sender import TelegramChannel

        channels["telegram"] = TelegramChannel(settings)
    if settings.slack_bot_token is not None:
        from handlers.slack_sender import SlackChannel, make_client

        channels["slack"] = SlackChannel(make_client(settings))
    return channels


def resolve_chat(services: Services, platform: str, chat_id: str) -> str:
    """Telegram `@channel` names become the numeric id the channel's own /subscribe would store."""
    if platform != "telegram" or chat_id.lstrip("-").isdigit() or services.settings.telegram_token is None:
        return chat_id
    from handlers.telegram_sender import resolve_chat_id

    try:
        return asyncio.run(resolve_chat_id(services.settings, chat_id))
    except ValueError as exc:
        raise CliError(str(exc)) from None


def run_service(services: Services, console: bool) -> int:
    """`paperbot run`: platforms, leadership, broadcast engine and scheduler in one event loop."""
    platforms = build_platforms(services, console)
    if not platforms:
        raise click.UsageError(
            "nothing to run: set PAPERBOT_TELEGRAM_TOKEN or PAPERBOT_SLACK_BOT_TOKEN, or use --console"
        )
    channels = {p.name: ch for p in platforms if (ch := p.channel()) is not None}
    name = instance_name()
    leadership = Leadership(services.db, name)
    engine = BroadcastEngine(services, channels, name, may_send=lambda: leadership.is_leader)
    services.broadcaster = OutboxBroadcaster(services, channels, engine.wake)
    daily = DailyRun(services, channels, engine, fetch=fetch_with(services), summarize=daily_step(services))
    settings = services.settings
    scheduler = DailyScheduler(settings.tz, settings.digest_time, daily, leadership)
    is_leader = lambda: leadership.is_leader  # noqa: E731
    health = health_parts(services, is_leader, platforms)  # first up, last down: probes see the start
    summary = StartupSummary(settings, platforms, is_leader)  # last: leadership is known by then
    asyncio.run(serve([*health, *platforms, leadership, engine, scheduler, summary]))
    return 0


def console_chat(services: Services) -> None:
    """The demo's console chat; /rebroadcast there prints the digest to console subscribers at once."""
    channels: dict[str, Channel] = {"console": ConsoleChannel()}

    def send_now() -> None:
        asyncio.run(BroadcastEngine(services, channels, instance_name(), pacing=False).run_pending())

    services.broadcaster = OutboxBroadcaster(services, channels, send_now)
    run_console(services)


def build_runtime() -> Runtime:
    """The Runtime with every platform part plugged in."""
    return Runtime(
        console_chat=console_chat,
        run_service=run_service,
        make_channels=build_channels,
        make_summarizer=daily_step,
        resolve_chat=resolve_chat,
        extra_admins=frozenset({("console", CONSOLE_CHAT)}),
    )


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    return cli_main(argv, build_runtime())


if __name__ == "__main__":
    sys.exit(main())
