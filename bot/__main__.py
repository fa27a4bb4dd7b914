"""The composition root: wires the core, storage and the platform handlers into one program."""

from __future__ import annotations

import asyncio
import sys

import click

from bot import cli_demo, cli_papers, cli_subscribers  # noqa: F401  (registers the CLI verbs)
from bot.channels import Platform
from bot.cli import main as cli_main
from bot.runtime import Runtime
from bot.service import serve
from bot.services import Services
from handlers.console import CONSOLE_CHAT, ConsolePlatform, run_console


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


def run_service(services: Services, console: bool) -> int:
    """`paperbot run`: platforms and background work in one event loop until SIGTERM."""
    platforms = build_platforms(services, console)
    if not platforms:
        raise click.UsageError(
            "nothing to run: set PAPERBOT_TELEGRAM_TOKEN or PAPERBOT_SLACK_BOT_TOKEN, or use --console"
        )
    asyncio.run(serve(platforms))
    return 0


def build_runtime() -> Runtime:
    """The Runtime with every platform part plugged in."""
    return Runtime(
        console_chat=run_console,
        run_service=run_service,
        extra_admins=frozenset({("console", CONSOLE_CHAT)}),
    )


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    return cli_main(argv, build_runtime())


if __name__ == "__main__":
    sys.exit(main())
