"""Broadcast queries: create a broadcast with its rendered parts and outbox rows, report on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import Database
from storage.records import BroadcastView, SubscriberView
from storage.subscribers import subscriber_view
from storage.tables import Broadcast, BroadcastPart, OutboxRow, Subscriber

ACTIVE_STATUSES = ("pending", "running")
SUBSCRIBER_PAGE = 1000  # subscribers read (and planned) at a time
INSERT_CHUNK = 1000  # outbox rows per batched INSERT (one cached Core statement, many parameter sets)
FINAL_OUTBOX_STATUSES = ("sent", "failed", "blocked", "unknown")
_SUBSCRIBERS = cast(Table, Subscriber.__table__)


@dataclass(frozen=True)
class NewBroadcast:
    """Everything a broadcast is made of: rendered parts per variant and who gets which variant."""

    day: dt.date
    kind: str  # "daily", "weekly" or "rebroadcast"
    parts: Mapping[str, Sequence[object]]  # variant -> JSON-ready message parts
    recipients: Sequence[tuple[int, str]]  # (subscriber id, variant)
    requested_by: str | None = None
    target: str | None = None
    note: str | None = None
    once_key: str | None = None  # a scheduled run's `daily_key`/`weekly_key`: created once only


def slot_text(at: dt.time) -> str:
    """A time slot in a key: "07:30" (with seconds only when a configured default time has some)."""
    return at.strftime("%H:%M:%S" if at.second else "%H:%M")


def daily_key(day: dt.date, at: dt.time) -> str:
    """The once-only key of the daily digest of listing day `day` sent at time slot `at`."""
    return f"daily:{day.isoformat()}@{slot_text(at)}"


def weekly_key(week_start: dt.date, at: dt.time) -> str:
    """The once-only key of the weekly digest of the ISO week starting `week_start`, sent at `at`."""
    year, week, _ = week_start.isocalendar()
    return f"weekly:{year}-W{week:02d}@{slot_text(at)}"


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


def find_once(session: Session, key: str) -> tuple[int, str] | None:
    """(id, status) of the scheduled broadcast with once-only key `key`, if it was created."""
    row = session.execute(select(Broadcast.id, Broadcast.status).where(Broadcast.once_key == key)).first()
    return (row[0], row[1]) if row else None


def find_daily(session: Session, day: dt.date, at: dt.time | None = None) -> tuple[int, str] | None:
    """(id, status) of the daily broadcast of `day` at time slot `at` (any slot, the first, when None)."""
    if at is not None:
        return find_once(session, daily_key(day, at))
    query = select(Broadcast.id, Broadcast.status).where(Broadcast.day == day, Broadcast.kind == "daily")
    row = session.execute(query.order_by(Broadcast.id)).first()
    return (row[0], row[1]) if row else None


def served(session: Session, kind: str, day: dt.date) -> set[int]:
    """Subscribers already given a `kind` broadcast of period `day` (in any time slot)."""
    query = (
        select(OutboxRow.subscriber_id)
        .join(Broadcast, Broadcast.id == OutboxRow.broadcast_id)
        .where(Broadcast.kind == kind, Broadcast.day == day, Broadcast.once_key.is_not(None))
        .distinct()
    )
    return set(session.scalars(query))


def create(session: Session, new: NewBroadcast) -> int:
    """Insert the broadcast, its parts and one outbox row per subscriber × part, atomically.

    A second scheduled broadcast with the same `once_key` (period and time slot) violates its
    uniqueness and raises IntegrityError: callers treat that as "already created".
    """
    empty = not new.recipients
    broadcast = Broadcast(
        day=new.day,
        kind=new.kind,
        once_key=new.once_key,
        requested_by=new.requested_by,
        target=new.target,
        note=new.note,
        status="done" if empty else "pending",
        finished_at=_now() if empty else None,
    )
    session.add(broadcast)
    session.flush()
    _add_messages(session, broadcast.id, new)
    return broadcast.id


def _add_messages(session: Session, broadcast_id: int, new: NewBroadcast) -> None:
    """The rendered parts of `new` and one pending outbox row per recipient × part."""
    part_rows = [
        {"broadcast_id": broadcast_id, "variant": variant, "part": i, "payload": payload}
        for variant, payloads in new.parts.items()
        for i, payload in enumerate(payloads)
    ]
    if part_rows:
        session.execute(insert(BroadcastPart), part_rows)
    rows_table = OutboxRow.__table__
    assert isinstance(rows_table, Table)
    statement = insert(rows_table)
    now = _now()  # one timestamp for the whole plan, not a default called per row
    chunk: list[dict[str, object]] = []
    for sid, variant in new.recipients:
        for i in range(len(new.parts[variant])):
            chunk.append(
                {
                    "broadcast_id": broadcast_id,
                    "subscriber_id": sid,
                    "variant": variant,
                    "part": i,
                    "status": "pending",
                    "attempts": 0,
                    "updated_at": now,
                }
            )
        if len(chunk) >= INSERT_CHUNK:
            session.connection().execute(statement, chunk)
            chunk = []
    if chunk:
        session.connection().execute(statement, chunk)


def reopen_empty(session: Session, broadcast_id: int, new: NewBroadcast) -> bool:
    """Give a finished broadcast that had nothing to send `new`'s messages; False when it had some.

    One conditional UPDATE claims it, so two runs that both saw it empty never fill it twice.
    """
    has_rows = select(OutboxRow.id).where(OutboxRow.broadcast_id == broadcast_id).exists()
    claimed = session.scalar(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == "done", ~has_rows)
        .values(status="pending", finished_at=None, note=new.note)
        .returning(Broadcast.id)
    )
    if claimed is None:
        return False
    _add_messages(session, broadcast_id, new)
    return True


def create_once(db: Database, new: NewBroadcast) -> tuple[int, bool]:
    """Create the scheduled broadcast keyed `new.once_key` unless it exists; returns (id, created)."""
    assert new.once_key is not None
    try:
        with db.session() as session:
            return create(session, new), True
    except IntegrityError:
        with db.session() as session:
            found = find_once(session, new.once_key)
        if found is None:
            raise
        return found[0], False


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def set_status(session: Session, broadcast_id: int, status: str, note: str | None = None) -> None:
    """Move a broadcast to `status` (stamping the finish time for final ones)."""
    values: dict[str, object] = {"status": status}
    if status in ("done", "failed"):
        values["finished_at"] = _now()
    if note is not None:
        values["note"] = note
    session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(**values))


def created_at(session: Session, broadcast_id: int) -> dt.datetime | None:
    """When the broadcast was created (UTC, naive): unsent rows are retried for a while from then."""
    return session.scalar(select(Broadcast.created_at).where(Broadcast.id == broadcast_id))


def unfinished(session: Session) -> list[int]:
    """Ids of broadcasts not yet done, oldest first."""
    query = select(Broadcast.id).where(Broadcast.status.in_(ACTIVE_STATUSES)).order_by(Broadcast.id)
    return list(session.scalars(query))


def counts(session: Session, broadcast_id: int) -> dict[str, int]:
    """Outbox row counts by status for one broadcast."""
    rows = session.execute(
        select(OutboxRow.status, func.count())
        .where(OutboxRow.broadcast_id == broadcast_id)
        .group_by(OutboxRow.status)
    )
    return {status: count for status, count in rows}


def active_subscribers(session: Session, target: tuple[str, str] | None = None) -> list[SubscriberView]:
    """Active subscribers of the daily digest, or just the one chat of `target` (platform, chat id)."""
    query = select(Subscriber).where(Subscriber.active.is_(True), Subscriber.daily.is_(True))
    if target is not None:
        query = query.where(Subscriber.platform == target[0], Subscriber.chat_id == target[1])
    return [subscriber_view(row) for row in session.scalars(query.order_by(Subscriber.id))]


def subscriber_pages(
    db: Database, digest: str = "daily", page: int | None = None
) -> Iterator[list[SubscriberView]]:
    """Active subscribers of the daily (or weekly) digest by id, `page` at a time (a session each)."""
    wanted = Subscriber.daily if digest == "daily" else Subscriber.weekly
    page = page or SUBSCRIBER_PAGE
    after = 0
    while True:
        query = select(_SUBSCRIBERS).where(Subscriber.active.is_(True), wanted.is_(True))
        query = query.where(Subscriber.id > after).order_by(Subscriber.id).limit(page)
        with db.session() as session:  # plain rows: no ORM objects to build and track for a big page
            views = [subscriber_view(row) for row in session.execute(query)]
        if views:
            yield views
        if len(views) < page:
            return
        after = views[-1].id


def weekly_subscribers(session: Session) -> list[SubscriberView]:
    """Active subscribers of the weekly digest."""
    query = select(Subscriber).where(Subscriber.active.is_(True), Subscriber.weekly.is_(True))
    return [subscriber_view(row) for row in session.scalars(query.order_by(Subscriber.id))]


def recent(session: Session, limit: int = 5) -> list[BroadcastView]:
    """The latest broadcasts with their outbox row counts by status."""
    rows = session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)).all()
    tallies: dict[int, dict[str, int]] = {}
    if rows:
        grouped = session.execute(
            select(OutboxRow.broadcast_id, OutboxRow.status, func.count())
            .where(OutboxRow.broadcast_id.in_([r.id for r in rows]))
            .group_by(OutboxRow.broadcast_id, OutboxRow.status)
        )
        for bid, status, count in grouped:
            tallies.setdefault(bid, {})[status] = count
    return [
        BroadcastView(
            id=r.id,
            day=r.day,
            kind=r.kind,
            status=r.status,
            requested_by=r.requested_by,
            target=r.target,
            created_at=r.created_at,
            counts=tallies.get(r.id, {}),
        )
        for r in rows
    ]
