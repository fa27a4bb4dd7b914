"""The platform-neutral command layer: `dispatch(Request) -> Reply` for every chat command."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot import args as A
from bot import metrics, texts
from bot.admin_commands import rebroadcast, stats
from bot.models import Button, Reply, Request
from bot.selection import field_counts, latest_day, top_of_day, top_of_field
from bot.services import Services
from bot.subscriptions import settings_reply, subscribe, unsubscribe

log = logging.getLogger(__name__)

Handler = Callable[[Services, Request], Reply]


def help_reply(_services: Services, _request: Request) -> Reply:
    """`/start`, `/help`."""
    return Reply(text=texts.HELP)


def top(services: Services, request: Request) -> Reply:
    """`/top [N] [YYYY-MM-DD]`: the top papers of the latest day or of that date."""
    n, day = A.parse_top(request.args, services.settings.top_n)
    latest = latest_day(services)
    if latest is None:
        return Reply(text=texts.NO_PAPERS_YET)
    digest = top_of_day(services, day or latest, n)
    if digest is None:
        return Reply(text=texts.NO_PAPERS_DAY.format(day=day, latest=latest))
    return Reply(digest=digest)


def field(services: Services, request: Request) -> Reply:
    """`/field <분야> [N]`: the top papers of a field over the configured window."""
    if not request.args:
        return fields(services, request, intro=texts.FIELD_PICK)
    words, n = A.split_count(request.args, services.settings.top_n)
    text = " ".join(words)
    resolution = services.taxonomy.resolve(text)
    if resolution.field is None:
        return _unknown_field(text, resolution.suggestions)
    days = services.settings.field_window_days
    digest = top_of_field(services, resolution.field.code, n, days)
    if digest is None:
        return Reply(text=texts.NO_PAPERS_FIELD.format(days=days, name=resolution.field.name))
    return Reply(digest=digest)


def _unknown_field(text: str, suggestions: tuple) -> Reply:
    lines = [texts.FIELD_UNKNOWN.format(text=text[:40])]
    if suggestions:
        lines.append(texts.FIELD_SUGGEST.format(names=", ".join(f.name for f in suggestions)))
    lines.append(texts.FIELD_LIST_FOOTER)
    buttons = tuple(Button(f.name, f"field {f.code}") for f in suggestions)
    return Reply(text="\n".join(lines), buttons=buttons, error=True)


def fields(services: Services, _request: Request, intro: str | None = None) -> Reply:
    """`/fields`: every field with its paper count, and a button per field."""
    days = services.settings.field_window_days
    counts = field_counts(services, days)
    lines = [intro] if intro else []
    lines.append(texts.FIELD_LIST_HEADER.format(days=days))
    for f in services.taxonomy.fields:
        lines.append(texts.FIELD_LIST_LINE.format(name=f.name, code=f.code, count=counts.get(f.code, 0)))
    lines.append(texts.FIELD_LIST_FOOTER)
    buttons = tuple(Button(f.name, f"field {f.code}") for f in services.taxonomy.fields)
    return Reply(text="\n".join(lines), buttons=buttons)


COMMANDS: dict[str, Handler] = {
    "start": help_reply,
    "help": help_reply,
    "top": top,
    "field": field,
    "fields": fields,
    "subscribe": subscribe,
    "unsubscribe": unsubscribe,
    "settings": settings_reply,
    "rebroadcast": rebroadcast,
    "stats": stats,
}
_KNOWN = frozenset(COMMANDS)


def dispatch(services: Services, request: Request) -> Reply:
    """Run one chat command; bad input gets a Korean explanation, never an exception."""
    metrics.COMMAND_REPLIES.labels(metrics.command_label(request.command, _KNOWN), request.platform).inc()
    handler = COMMANDS.get(request.command)
    if handler is None:
        name = request.command[:32]
        return Reply(text=texts.UNKNOWN_COMMAND.format(command=name), error=True)
    try:
        A.check_size(request.args)
        return handler(services, request)
    except A.ArgumentError as exc:
        return Reply(text=str(exc), error=True)
    except Exception:
        log.exception("command /%s failed", request.command)
        return Reply(text=texts.INTERNAL_ERROR, error=True)


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
