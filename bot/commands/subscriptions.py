"""`/subscribe`, `/unsubscribe` and `/settings`."""

from __future__ import annotations

from bot import args as A
from bot import texts
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
    """`/settings`: this chat's subscription."""
    with services.db.session() as session:
        sub = subscribers.get(session, request.platform, request.chat_id)
    if sub is None or not sub.active:
        return Reply(text=texts.SETTINGS_INACTIVE, ephemeral=True)
    names = [services.taxonomy.name(c) for c in sub.fields] if sub.fields else [texts.SETTINGS_ALL_FIELDS]
    return Reply(
        text=texts.SETTINGS_ACTIVE.format(fields=", ".join(names), **_when(services)), ephemeral=True
    )
