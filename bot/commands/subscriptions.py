"""`/subscribe` and `/unsubscribe`: the daily digest, and with `weekly` the weekly one."""

from __future__ import annotations

from collections.abc import Sequence

from bot import args as A
from bot import texts
from bot.models import Reply, Request
from bot.selection import WEEKLY_TOP_N
from bot.services import Services
from storage import subscribers
from storage.records import SubscriberView

WEEKLY_WORDS = frozenset({"weekly", "week", "주간", "매주"})
ALL_WORDS = frozenset({"all", "전체", "모두"})


def when(services: Services, sub: SubscriberView | None = None) -> dict[str, str]:
    """The time (the chat's own, else the default) and zone the subscription texts name."""
    at = (sub.digest_time if sub else None) or services.settings.digest_time
    return {"time": at.strftime("%H:%M"), "tz": services.settings.timezone}


def _fields(services: Services, args: Sequence[str], command: str) -> tuple[list[str] | None, list[str]]:
    """Field codes and Korean names from `args` (None: every field); unknown ones are an ArgumentError."""
    found, unknown = A.parse_fields(args, services.taxonomy)
    if unknown:
        raise A.ArgumentError(
            texts.FIELD_UNKNOWN.format(text=" ".join(unknown)[:40])
            + "\n"
            + texts.FIELD_LIST_FOOTER.replace("/field", command)
        )
    return [f.code for f in found] or None, [f.name for f in found]


def subscribe(services: Services, request: Request) -> Reply:
    """`/subscribe [weekly] [분야 ...]`: this chat gets the daily (or weekly) digest, maybe of some fields."""
    if request.args and request.args[0].lower() in WEEKLY_WORDS:
        return _subscribe_weekly(services, request)
    codes, names = _fields(services, request.args, "/subscribe")
    with services.db.session() as session:
        sub, created = subscribers.subscribe(
            session, request.platform, request.chat_id, request.chat_kind, codes
        )
    if codes:
        message = texts.SUBSCRIBED_FIELDS.format(names=", ".join(names), **when(services, sub))
    else:
        message = texts.SUBSCRIBED.format(**when(services, sub))
    return Reply(text=message if created else f"{texts.SUBSCRIPTION_UPDATED}\n{message}")


def _subscribe_weekly(services: Services, request: Request) -> Reply:
    codes, names = _fields(services, request.args[1:], "/subscribe weekly")
    with services.db.session() as session:
        sub, created = subscribers.subscribe_weekly(
            session, request.platform, request.chat_id, request.chat_kind, codes
        )
    if codes:
        message = texts.SUBSCRIBED_WEEKLY_FIELDS.format(
            names=", ".join(names), n=WEEKLY_TOP_N, **when(services, sub)
        )
    else:
        message = texts.SUBSCRIBED_WEEKLY.format(n=WEEKLY_TOP_N, **when(services, sub))
    return Reply(text=message if created else f"{texts.SUBSCRIPTION_UPDATED}\n{message}")


def unsubscribe(services: Services, request: Request) -> Reply:
    """`/unsubscribe [weekly | all]`: stop the daily digest (or the weekly one, or both) for this chat."""
    word = request.args[0].lower() if request.args else ""
    if len(request.args) > 1 or (word and word not in WEEKLY_WORDS | ALL_WORDS):
        raise A.ArgumentError(texts.UNSUBSCRIBE_USAGE)
    daily, weekly = word not in WEEKLY_WORDS, word in WEEKLY_WORDS | ALL_WORDS
    with services.db.session() as session:
        before = subscribers.get(session, request.platform, request.chat_id)
        after = subscribers.stop(session, request.platform, request.chat_id, daily=daily, weekly=weekly)
    if after is None:
        if weekly and not daily:
            return Reply(text=texts.NOT_SUBSCRIBED_WEEKLY)
        weekly_on = before is not None and before.active and before.weekly
        return Reply(text=texts.NOT_SUBSCRIBED_DAILY if weekly_on else texts.NOT_SUBSCRIBED)
    if after.weekly:
        return Reply(text=texts.UNSUBSCRIBED_DAILY_WEEKLY_LEFT)
    if after.daily:
        return Reply(text=texts.UNSUBSCRIBED_WEEKLY_DAILY_LEFT)
    return Reply(text=texts.UNSUBSCRIBED_WEEKLY if weekly and not daily else texts.UNSUBSCRIBED)
