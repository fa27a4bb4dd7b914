"""`/subscribe`, `/unsubscribe` and `/settings`."""

from __future__ import annotations

from bot import args as A
from bot import texts
from bot.commands.access import Access, allowed, refusal
from bot.models import Reply, Request
from bot.services import Services
from storage import subscribers


def _when(services: Services) -> dict[str, str]:
    return {
        "time": services.settings.digest_time.strftime("%H:%M"),
        "tz": services.settings.timezone,
    }


def subscribe(services: Services, request: Request) -> Reply:
    """`/subscribe [분야 ...]`: this chat gets the daily digest, optionally only some fields."""
    found, unknown = A.parse_fields(request.args, services.taxonomy)
    if unknown:
        raise A.ArgumentError(
            texts.FIELD_UNKNOWN.format(text=" ".join(unknown)[:40])
            + "\n"
            + texts.FIELD_LIST_FOOTER.replace("/field", "/subscribe")
        )
    codes = [f.code for f in found] or None
    with services.db.session() as session:
        _, created = subscribers.subscribe(
            session, request.platform, request.chat_id, request.chat_kind, codes
        )
    if codes:
        message = texts.SUBSCRIBED_FIELDS.format(names=", ".join(f.name for f in found), **_when(services))
    else:
        message = texts.SUBSCRIBED.format(**_when(services))
    return Reply(text=message if created else f"{texts.SUBSCRIPTION_UPDATED}\n{message}")


def unsubscribe(services: Services, request: Request) -> Reply:
    """`/unsubscribe`: stop the daily digest for this chat."""
    with services.db.session() as session:
        done = subscribers.unsubscribe(session, request.platform, request.chat_id)
    return Reply(text=texts.UNSUBSCRIBED if done else texts.NOT_SUBSCRIBED)


def settings_reply(services: Services, request: Request) -> Reply:
    """`/settings`: this chat's subscription; `/settings thread on|off` changes it."""
    if request.args:
        subcommand = SUBCOMMANDS.get(request.args[0].lower())
        if subcommand is None:
            raise A.ArgumentError(texts.SETTINGS_USAGE)
        return subcommand(services, request, request.args[1:])
    with services.db.session() as session:
        sub = subscribers.get(session, request.platform, request.chat_id)
    if sub is None or not sub.active:
        return Reply(text=texts.SETTINGS_INACTIVE, ephemeral=True)
    names = [services.taxonomy.name(c) for c in sub.fields] if sub.fields else [texts.SETTINGS_ALL_FIELDS]
    text = texts.SETTINGS_ACTIVE.format(fields=", ".join(names), **_when(services))
    if request.platform == "slack" and sub.slack_thread:
        text += f" · {texts.SETTINGS_THREAD_ACTIVE}"
    return Reply(text=text, ephemeral=True)


_SWITCH = {"on": True, "켜기": True, "켬": True, "off": False, "끄기": False, "끔": False}


def settings_thread(services: Services, request: Request, args: tuple[str, ...]) -> Reply:
    """`/settings thread on|off`: on Slack, the digest as a header message with the cards in its thread."""
    if request.platform != "slack":
        return Reply(text=texts.SETTINGS_THREAD_SLACK_ONLY, ephemeral=True)
    on = _SWITCH.get(args[0].lower()) if len(args) == 1 else None
    if on is None:
        raise A.ArgumentError(texts.SETTINGS_THREAD_USAGE)
    if not allowed(services, request, Access.CHAT_ADMIN):
        return refusal(Access.CHAT_ADMIN)
    with services.db.session() as session:
        done = subscribers.set_slack_thread(session, request.platform, request.chat_id, on)
    if not done:
        return Reply(text=texts.NOT_SUBSCRIBED, ephemeral=True)
    return Reply(text=texts.SETTINGS_THREAD_ON if on else texts.SETTINGS_THREAD_OFF)


SUBCOMMANDS = {"thread": settings_thread}
