"""`/subscribe`, `/unsubscribe`, `/settings` and `/keywords`."""

from __future__ import annotations

from bot import args as A
from bot import texts
from bot.models import Reply, Request
from bot.search_query import KEYWORDS_OFF, format_keywords, parse_keywords
from bot.services import Services
from storage import subscribers
from storage.records import SubscriberView


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
    """`/settings`: this chat's subscription."""
    with services.db.session() as session:
        sub = subscribers.get(session, request.platform, request.chat_id)
    if sub is None or not sub.active:
        return Reply(text=texts.SETTINGS_INACTIVE, ephemeral=True)
    names = [services.taxonomy.name(c) for c in sub.fields] if sub.fields else [texts.SETTINGS_ALL_FIELDS]
    lines = [texts.SETTINGS_ACTIVE.format(fields=", ".join(names), **_when(services))]
    if sub.keywords:
        lines.append(texts.SETTINGS_KEYWORDS.format(keywords=format_keywords(sub.keywords)))
    return Reply(text="\n".join(lines), ephemeral=True)


def keywords(services: Services, request: Request) -> Reply:
    """`/keywords [단어 ... | 끄기]`: show, set or clear the words this chat's digest follows."""
    with services.db.session() as session:
        sub = subscribers.get(session, request.platform, request.chat_id)
    if not request.args:
        if sub is None or not sub.keywords:
            return Reply(text=texts.KEYWORDS_NONE)
        return Reply(text=texts.KEYWORDS_SHOW.format(keywords=format_keywords(sub.keywords)))
    if len(request.args) == 1 and request.args[0].lower() in KEYWORDS_OFF:
        if sub is None or not sub.keywords:
            return Reply(text=texts.KEYWORDS_NOTHING_TO_CLEAR)
        with services.db.session() as session:
            subscribers.set_keywords(session, request.platform, request.chat_id, request.chat_kind, None)
        return Reply(text=texts.KEYWORDS_CLEARED)
    parsed = parse_keywords(request.args, services.taxonomy)
    with services.db.session() as session:
        sub = subscribers.set_keywords(session, request.platform, request.chat_id, request.chat_kind, parsed)
    return Reply(text=_keywords_saved(services, sub))


def _keywords_saved(services: Services, sub: SubscriberView) -> str:
    """What a chat's digest holds now that its keywords are set."""
    assert sub.keywords
    shown = format_keywords(sub.keywords)
    if not sub.keywords.terms:
        lines = [texts.KEYWORDS_SET_EXCLUDED.format(keywords=shown)]
    else:
        names = ", ".join(services.taxonomy.name(c) for c in sub.fields or ())
        scope = texts.KEYWORDS_SCOPE_FIELDS.format(fields=names) if names else texts.KEYWORDS_SCOPE
        lines = [texts.KEYWORDS_SET.format(keywords=shown, scope=scope)]
        if sub.keywords.excluded:
            lines[0] += f" {texts.KEYWORDS_EXCLUDED_NOTE}"
    if not sub.active:
        lines.append(texts.KEYWORDS_NOT_SUBSCRIBED)
    return "\n".join(lines)
