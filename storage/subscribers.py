"""Subscriber queries: subscribe, unsubscribe, list, deactivate."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.records import SubscriberView
from storage.tables import Subscriber


def subscriber_view(row: Subscriber) -> SubscriberView:
    """A subscriber row as a plain record."""
    return SubscriberView(
        id=row.id,
        platform=row.platform,
        chat_id=row.chat_id,
        chat_kind=row.chat_kind,
        fields=tuple(row.fields) if row.fields else None,
        active=row.active,
        deactivated_reason=row.deactivated_reason,
        slack_thread=bool(row.slack_thread),
    )


def guess_chat_kind(platform: str, chat_id: str) -> str:
    """The chat kind an id's shape tells (Telegram groups and channels have negative ids)."""
    if platform == "telegram":
        if chat_id.isdigit():
            return "private"
        return "channel" if chat_id.startswith(("@", "-100")) else "group"
    if platform == "slack":
        return "private" if chat_id.startswith("D") else "channel"
    return "private"


def quiet_row(session: Session, platform: str, chat_id: str) -> SubscriberView:
    """The chat's subscriber row as it is, or a new inactive one to hang a one-off delivery on."""
    row = _find(session, platform, chat_id)
    if row is None:
        row = Subscriber(
            platform=platform,
            chat_id=chat_id,
            chat_kind=guess_chat_kind(platform, chat_id),
            active=False,
            deactivated_reason="not subscribed",
        )
        session.add(row)
        session.flush()
    return subscriber_view(row)


def _find(session: Session, platform: str, chat_id: str) -> Subscriber | None:
    return session.scalar(
        select(Subscriber).where(Subscriber.platform == platform, Subscriber.chat_id == chat_id)
    )


def subscribe(
    session: Session,
    platform: str,
    chat_id: str,
    chat_kind: str = "private",
    fields: Sequence[str] | None = None,
) -> tuple[SubscriberView, bool]:
    """Activate (or update) a subscription; returns it and whether it was new or inactive."""
    row = _find(session, platform, chat_id)
    created = row is None or not row.active
    if row is None:
        row = Subscriber(platform=platform, chat_id=chat_id)
        session.add(row)
    row.chat_kind = chat_kind
    row.fields = list(fields) if fields else None
    row.active, row.deactivated_reason = True, None
    session.flush()
    return subscriber_view(row), created


def unsubscribe(session: Session, platform: str, chat_id: str, reason: str = "unsubscribed") -> bool:
    """Deactivate a subscription; False when there was no active one."""
    row = _find(session, platform, chat_id)
    if row is None or not row.active:
        return False
    row.active, row.deactivated_reason = False, reason
    return True


def get(session: Session, platform: str, chat_id: str) -> SubscriberView | None:
    """One chat's subscription, active or not."""
    row = _find(session, platform, chat_id)
    return subscriber_view(row) if row else None


def list_all(
    session: Session, platform: str | None = None, active_only: bool = False
) -> list[SubscriberView]:
    """Subscribers, optionally of one platform and only the active ones."""
    query = select(Subscriber).order_by(Subscriber.platform, Subscriber.id)
    if platform:
        query = query.where(Subscriber.platform == platform)
    if active_only:
        query = query.where(Subscriber.active.is_(True))
    return [subscriber_view(r) for r in session.scalars(query)]


def counts_by_platform(session: Session) -> dict[str, tuple[int, int]]:
    """(active, inactive) subscriber counts per platform."""
    rows = session.execute(
        select(Subscriber.platform, Subscriber.active, func.count()).group_by(
            Subscriber.platform, Subscriber.active
        )
    )
    counts: dict[str, list[int]] = {}
    for platform, active, count in rows:
        counts.setdefault(platform, [0, 0])[0 if active else 1] += count
    return {p: (a, i) for p, (a, i) in counts.items()}


def set_slack_thread(session: Session, platform: str, chat_id: str, on: bool) -> bool:
    """Send this chat's digest as a Slack thread (or not); False when it has no active subscription."""
    row = _find(session, platform, chat_id)
    if row is None or not row.active:
        return False
    row.slack_thread = on
    return True
