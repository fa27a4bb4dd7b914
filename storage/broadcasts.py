"""Broadcast queries: create a broadcast with its outbox rows, and report on recent ones."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from storage.records import BroadcastView
from storage.tables import Broadcast, Delivery, Subscriber

ACTIVE_STATUSES = ("pending", "running")


def find_running(session: Session, day: dt.date, kind: str, target: str | None) -> int | None:
    """The id of an unfinished broadcast of the same day, kind and target, if any."""
    return session.scalar(
        select(Broadcast.id).where(
            Broadcast.day == day,
            Broadcast.kind == kind,
            Broadcast.target.is_(None) if target is None else Broadcast.target == target,
            Broadcast.status.in_(ACTIVE_STATUSES),
        )
    )


def create(
    session: Session,
    day: dt.date,
    kind: str,
    recipients: list[tuple[int, int]],
    requested_by: str | None = None,
    target: str | None = None,
) -> int:
    """Create a broadcast and its delivery rows, (subscriber id, parts) each, in one transaction."""
    broadcast = Broadcast(
        day=day,
        kind=kind,
        daily_key=day if kind == "daily" else None,
        requested_by=requested_by,
        target=target,
        status="pending",
    )
    session.add(broadcast)
    session.flush()
    rows = [
        {"broadcast_id": broadcast.id, "subscriber_id": sid, "part": part, "status": "pending"}
        for sid, parts in recipients
        for part in range(parts)
    ]
    if rows:
        session.execute(insert(Delivery), rows)
    return broadcast.id


def active_subscribers(session: Session, target: tuple[str, str] | None = None) -> list[Subscriber]:
    """Active subscriber rows, or just the one chat of `target` (platform, chat id)."""
    query = select(Subscriber).where(Subscriber.active.is_(True))
    if target is not None:
        query = query.where(Subscriber.platform == target[0], Subscriber.chat_id == target[1])
    return list(session.scalars(query.order_by(Subscriber.id)))


def recent(session: Session, limit: int = 5) -> list[BroadcastView]:
    """The latest broadcasts with their delivery counts by status."""
    rows = session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)).all()
    counts: dict[int, dict[str, int]] = {}
    if rows:
        tallies = session.execute(
            select(Delivery.broadcast_id, Delivery.status, func.count())
            .where(Delivery.broadcast_id.in_([r.id for r in rows]))
            .group_by(Delivery.broadcast_id, Delivery.status)
        )
        for bid, status, count in tallies:
            counts.setdefault(bid, {})[status] = count
    return [
        BroadcastView(
            id=r.id,
            day=r.day,
            kind=r.kind,
            status=r.status,
            requested_by=r.requested_by,
            target=r.target,
            created_at=r.created_at,
            counts=counts.get(r.id, {}),
        )
        for r in rows
    ]
