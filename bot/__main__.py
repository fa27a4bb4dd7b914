"""The composition root: wires the core, storage and the platform handlers into one program."""

from __future__ import annotations

import sys

from bot import cli_demo, cli_papers, cli_subscribers  # noqa: F401  (registers the CLI verbs)
from bot.cli import main as cli_main
from bot.runtime import Runtime
from handlers.console import CONSOLE_CHAT, run_console


def build_runtime() -> Runtime:
    """The Runtime with every platform part plugged in."""
    return Runtime(console_chat=run_console, extra_admins=frozenset({("console", CONSOLE_CHAT)}))


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    return cli_main(argv, build_runtime())


if __name__ == "__main__":
    sys.exit(main())
