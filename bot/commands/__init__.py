"""The platform-neutral command layer: `dispatch(Request) -> Reply` through the command table."""

from __future__ import annotations

import logging

from bot import args as A
from bot import metrics, texts
from bot.commands.access import Access, allowed, refusal
from bot.commands.table import TABLE, Command, help_text, menu, needs_chat_admin
from bot.models import Reply, Request
from bot.services import Services

log = logging.getLogger(__name__)

__all__ = [
    "TABLE",
    "Access",
    "Command",
    "dispatch",
    "help_text",
    "may_use",
    "menu",
    "needs_chat_admin",
    "parse_command",
]


def may_use(services: Services, request: Request) -> bool:
    """True when the sender may run the requested command (unknown commands: True, they fail later)."""
    command = TABLE.get(request.command)
    return command is None or allowed(services, request, command.access)


def dispatch(services: Services, request: Request) -> Reply:
    """Run one chat command; refusals and bad input get a Korean answer, never an exception."""
    metrics.COMMAND_REPLIES.labels(metrics.command_label(request.command, set(TABLE)), request.platform).inc()
    command = TABLE.get(request.command)
    if command is None:
        return unknown_command(request.command)
    if not allowed(services, request, command.access):
        return refusal(command.access)
    try:
        A.check_size(request.args, command.max_args)
        return command.handler(services, request)
    except A.ArgumentError as exc:
        return Reply(text=str(exc), error=True)
    except Exception:
        log.exception("command /%s failed", request.command)
        return Reply(text=texts.INTERNAL_ERROR, error=True)


def unknown_command(name: str) -> Reply:
    """The reply to a command not in the table, naming the nearest one when a typo is likely."""
    text = texts.UNKNOWN_COMMAND.format(command=name[:32])
    nearest = nearest_command(name[:32])
    if nearest is not None:
        text += "\n" + texts.UNKNOWN_COMMAND_SUGGEST.format(command=nearest)
    return Reply(text=text, error=True)


def nearest_command(name: str) -> str | None:
    """The table's command closest in spelling to `name` (`feild` → `field`), if any is close."""
    from rapidfuzz import fuzz, process

    shown = [command for command in TABLE if command != "start"]  # (start is help's hidden alias)
    found = process.extractOne(name, shown, scorer=fuzz.ratio, score_cutoff=60)
    return found[0] if found else None


def parse_command(text: str) -> tuple[str, tuple[str, ...]] | None:
    """Split "/top 3" (or "/top@paperbot 3") into ("top", ("3",)); None when not a command."""
    text = text.strip()
    if not text.startswith("/") or len(text) < 2:
        return None
    parts = text[1:].split()
    if not parts:
        return None
    head, *rest = parts
    name = head.split("@", 1)[0].lower()
    return name, tuple(rest)
