"""`/settings`: show this chat's settings, or change one with a subcommand (`/settings time 07:30`).

A subcommand is a row of SUBCOMMANDS: its names (the first is shown in help) and a handler of the
arguments after the name. Changes follow `/subscribe`'s rule (chat admins in groups and channels).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot import args as A
from bot import texts
from bot.commands.access import Access, allowed
from bot.commands.subscriptions import when
from bot.models import Reply, Request
from bot.search_query import format_keywords
from bot.services import Services
from storage import subscribers
from storage.records import SubscriberView

MAX_CHAT_N = 10  # cards a chat may ask for in its digest
RESET_WORDS = frozenset({"기본", "기본값", "default", "reset", "초기화"})
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?$")
_KOREAN_CLOCK = re.compile(r"^(\d{1,2})시(?:(\d{1,2})분)?$")

SubcommandHandler = Callable[[Services, Request, Sequence[str]], Reply]


@dataclass(frozen=True)
class Subcommand:
    """One `/settings <name> ...` change."""

    names: tuple[str, ...]  # lower-case; the first is the one the texts show
    handler: SubcommandHandler


def parse_time(words: Sequence[str]) -> dt.time | None:
    """ "07:30", "7:30", "7", "7시 30분" → a time; None when it is not a time of day."""
    text = "".join(words).strip()
    found = _CLOCK.match(text) or _KOREAN_CLOCK.match(text)
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    return dt.time(hour, minute) if hour < 24 and minute < 60 else None


def _is_reset(words: Sequence[str]) -> bool:
    return len(words) == 1 and words[0].lower() in RESET_WORDS


def _note(sub: SubscriberView) -> str:
    """A hint after a change on a chat that receives nothing yet."""
    return "" if sub.active else "\n" + texts.SETTINGS_NOT_SUBSCRIBED_NOTE


def set_time(services: Services, request: Request, words: Sequence[str]) -> Reply:
    """`/settings time HH:MM` (or `기본`): when this chat gets its digests."""
    reset = _is_reset(words)
    at = None if reset else parse_time(words)
    if at is None and not reset:
        raise A.ArgumentError(texts.SETTINGS_TIME_USAGE)
    with services.db.session() as session:
        sub = subscribers.set_schedule(session, request.platform, request.chat_id, digest_time=at)
    text = texts.SETTINGS_TIME_RESET if reset else texts.SETTINGS_TIME_SET
    return Reply(text=text.format(**when(services, sub)) + _note(sub), ephemeral=True)


def set_count(services: Services, request: Request, words: Sequence[str]) -> Reply:
    """`/settings n N` (or `기본`): how many cards this chat's daily digest has."""
    reset = _is_reset(words)
    if not reset and (len(words) != 1 or not A.is_number(words[0]) or len(words[0]) > 3):
        raise A.ArgumentError(texts.SETTINGS_N_USAGE.format(max_n=MAX_CHAT_N))
    try:
        n = None if reset else A.parse_n(words[0], MAX_CHAT_N)
    except A.ArgumentError:
        raise A.ArgumentError(texts.SETTINGS_N_USAGE.format(max_n=MAX_CHAT_N)) from None
    with services.db.session() as session:
        sub = subscribers.set_schedule(session, request.platform, request.chat_id, top_n=n)
    if n is None:
        text = texts.SETTINGS_N_RESET.format(n=services.settings.top_n)
    else:
        text = texts.SETTINGS_N_SET.format(n=n)
    return Reply(text=text + _note(sub), ephemeral=True)


_SWITCH = {"on": True, "켜기": True, "켬": True, "off": False, "끄기": False, "끔": False}


def set_thread(services: Services, request: Request, words: Sequence[str]) -> Reply:
    """`/settings thread on|off`: on Slack, the digest as a header message with the cards in its thread."""
    if request.platform != "slack":
        return Reply(text=texts.SETTINGS_THREAD_SLACK_ONLY, ephemeral=True)
    on = _SWITCH.get(words[0].lower()) if len(words) == 1 else None
    if on is None:
        raise A.ArgumentError(texts.SETTINGS_THREAD_USAGE)
    with services.db.session() as session:
        done = subscribers.set_slack_thread(session, request.platform, request.chat_id, on)
    if not done:
        return Reply(text=texts.NOT_SUBSCRIBED, ephemeral=True)
    return Reply(text=texts.SETTINGS_THREAD_ON if on else texts.SETTINGS_THREAD_OFF)


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(("time", "시간", "시각"), set_time),
    Subcommand(("n", "개수", "수", "count"), set_count),
    Subcommand(("thread", "스레드"), set_thread),
)


def find_subcommand(name: str) -> Subcommand | None:
    """The subcommand called `name` (any of its names, any case)."""
    name = name.lower()
    return next((s for s in SUBCOMMANDS if name in s.names), None)


def settings(services: Services, request: Request) -> Reply:
    """`/settings [이름 값]`: this chat's settings, or one of them changed."""
    if not request.args:
        return show(services, request)
    if not allowed(services, request, Access.CHAT_ADMIN):
        return Reply(text=texts.SETTINGS_NOT_ADMIN, error=True, ephemeral=True)
    name, *words = request.args
    found = find_subcommand(name)
    if found is None:
        names = ", ".join(s.names[0] for s in SUBCOMMANDS)
        raise A.ArgumentError(texts.SETTINGS_UNKNOWN.format(name=name[:20], names=names))
    return found.handler(services, request, words)


def show(services: Services, request: Request) -> Reply:
    """The chat's subscriptions, time and digest size."""
    with services.db.session() as session:
        sub = subscribers.get(session, request.platform, request.chat_id)
    return Reply(text="\n".join(settings_lines(services, sub)), ephemeral=True)


def _field_names(services: Services, codes: Sequence[str] | None) -> str:
    return ", ".join(services.taxonomy.name(c) for c in codes) if codes else texts.SETTINGS_ALL_FIELDS


def settings_lines(services: Services, sub: SubscriberView | None) -> list[str]:
    """One line per subscription and per setting (a chat that set nothing and gets nothing: one line)."""
    custom = sub is not None and (sub.digest_time is not None or sub.top_n is not None)
    if sub is None or (not sub.active and not custom):
        return [texts.SETTINGS_INACTIVE]
    lines: list[str] = []
    if not sub.active:
        lines.append(texts.SETTINGS_INACTIVE)
    elif sub.daily:
        lines.append(
            texts.SETTINGS_ACTIVE.format(fields=_field_names(services, sub.fields), **when(services, sub))
        )
    else:
        lines.append(texts.SETTINGS_NO_DAILY)
    if sub.active and sub.weekly:
        fields = _field_names(services, sub.weekly_fields)
        lines.append(texts.SETTINGS_WEEKLY.format(fields=fields, **when(services, sub)))
    if sub.keywords:
        lines.append(texts.SETTINGS_KEYWORDS.format(keywords=format_keywords(sub.keywords)))
    default = texts.SETTINGS_DEFAULT_MARK
    schedule = texts.SETTINGS_SCHEDULE.format(
        time=when(services, sub)["time"],
        time_default=default if sub.digest_time is None else "",
        n=sub.top_n or services.settings.top_n,
        n_default=default if sub.top_n is None else "",
    )
    lines.append(schedule)
    if sub.active and sub.platform == "slack" and sub.slack_thread:
        lines.append(texts.SETTINGS_THREAD_ACTIVE)
    lines.append(texts.SETTINGS_HINT)
    return lines
