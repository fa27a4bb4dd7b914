"""The outbox: claim its rows atomically, record outcomes, recover after a crash."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from storage.db import affected
from storage.tables import Broadcast, BroadcastPart, OutboxRow, Subscriber

UNSENT = "unsent: "  # error prefix of a row whose request provably never left (platform unreachable)


@dataclass(frozen=True)
class OutboxItem:
    """One pending outbox row with what is needed to send it."""

    outbox_id: int
    broadcast_id: int
    subscriber_id: int
    platform: str
    chat_id: str
    chat_kind: str
    variant: str
    part: int


@dataclass(frozen=True)
class OutboxOutcome:
    """The result of one send, to be written back."""

    outbox_id: int
    status: str  # sent | failed | blocked | unknown | pending (retry later)
    error: str | None = None
    ref: str | None = None  # the platform's id of the sent message (a Slack thread's ts)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


Share = tuple[int, int]  # (index, senders): the rows of subscribers whose id modulo `senders` is `index`


def in_share(share: Share | None) -> ColumnElement[bool]:
    """The outbox rows of one sender's share (all rows when `share` is None)."""
    if share is None or share[1] <= 1:
        return true()
    return OutboxRow.subscriber_id % share[1] == share[0]


def pending_items(
    session: Session,
    broadcast_id: int,
    platform: str,
    *,
    after: int = 0,
    limit: int | None = None,
    share: Share | None = None,
) -> list[OutboxItem]:
    """Pending rows of one broadcast for one platform, by subscriber then part.

    A page: subscribers after id `after`, at most `limit` rows, only those of `share`."""
    rows = session.execute(
        select(
            OutboxRow.id,
            OutboxRow.subscriber_id,
            Subscriber.chat_id,
            Subscriber.chat_kind,
            OutboxRow.variant,
            OutboxRow.part,
        )
        .join(Subscriber, Subscriber.id == OutboxRow.subscriber_id)
        .where(
            OutboxRow.broadcast_id == broadcast_id,
            OutboxRow.status == "pending",
            Subscriber.platform == platform,
            OutboxRow.subscriber_id > after,
            in_share(share),
        )
        .order_by(OutboxRow.subscriber_id, OutboxRow.part)
        .limit(limit)
    )
    return [
        OutboxItem(oid, broadcast_id, sid, platform, chat, kind, variant, part)
        for oid, sid, chat, kind, variant, part in rows
    ]


def payloads(session: Session, broadcast_id: int) -> dict[tuple[str, int], object]:
    """The rendered parts of a broadcast by (variant, part)."""
    rows = session.execute(
        select(BroadcastPart.variant, BroadcastPart.part, BroadcastPart.payload).where(
            BroadcastPart.broadcast_id == broadcast_id
        )
    )
    return {(variant, part): payload for variant, part, payload in rows}


# Claims and outcomes are built once: a broadcast runs them for every batch of rows.
_CLAIM = (
    update(OutboxRow)
    .where(OutboxRow.id.in_(bindparam("ids", expanding=True)), OutboxRow.status == "pending")
    .values(
        status="in_flight",
        claimed_by=bindparam("worker"),
        attempts=OutboxRow.attempts + 1,
        updated_at=bindparam("now"),
    )
    .returning(OutboxRow.id)
)
_OUTCOME_VALUES: dict[str, object] = {
    "status": bindparam("st"),
    "error": bindparam("err"),
    "message_ref": bindparam("ref"),
    "updated_at": bindparam("now"),
}
_IN_FLIGHT = and_(OutboxRow.id == bindparam("oid"), OutboxRow.status == "in_flight")
_RECORD = update(OutboxRow).where(_IN_FLIGHT).values(_OUTCOME_VALUES)
_RECORD_OWN = (
    update(OutboxRow).where(_IN_FLIGHT, OutboxRow.claimed_by == bindparam("worker")).values(_OUTCOME_VALUES)
)
# PostgreSQL: a batch's outcomes in one UPDATE, joined to them passed as arrays. An executemany
# has the server run and commit-track one UPDATE per row; this is one statement per batch, and
# its SQL is the same whatever the batch's size (one cached plan).
_BATCH = (
    func.unnest(
        cast(bindparam("oids"), ARRAY(Integer)),
        cast(bindparam("sts"), ARRAY(String)),
        cast(bindparam("errs"), ARRAY(Text)),
        cast(bindparam("refs"), ARRAY(String)),
    )
    .table_valued("oid", "st", "err", "ref")
    .render_derived(name="v")
)
_RECORD_BATCH = (
    update(OutboxRow)
    .where(
        OutboxRow.id == _BATCH.c.oid,
        OutboxRow.status == "in_flight",
        or_(bindparam("worker", type_=String) == None, OutboxRow.claimed_by == bindparam("worker")),  # noqa: E711
    )
    .values(status=_BATCH.c.st, error=_BATCH.c.err, message_ref=_BATCH.c.ref, updated_at=bindparam("now"))
)


def _connection(db: Session | Connection) -> Connection:
    return db if isinstance(db, Connection) else db.connection()


def mark_in_flight(db: Session | Connection, ids: Sequence[int], worker: str) -> list[int]:
    """Claim pending rows for sending, atomically; returns the ids this worker got.

    One UPDATE … WHERE status = 'pending' RETURNING: on SQLite the write lock serialises
    claimers, on PostgreSQL the row locks do; either way a row is claimed at most once.
    """
    if not ids:
        return []
    params = {"ids": list(ids), "worker": worker, "now": _now()}
    return list(_connection(db).execute(_CLAIM, params).scalars())


def record(db: Session | Connection, outcomes: Iterable[OutboxOutcome], worker: str | None = None) -> int:
    """Write outcomes of rows this worker has in flight (one statement); returns how many took them.

    A row settled meanwhile (recovered by a new leader) keeps its state.
    """
    now = _now()
    conn = _connection(db)
    if conn.dialect.name == "postgresql":
        return _record_batch(conn, list(outcomes), worker, now)
    params = [
        {"oid": o.outbox_id, "st": o.status, "err": o.error, "ref": o.ref, "now": now, "worker": worker}
        for o in outcomes
    ]
    if not params:
        return 0
    statement = _RECORD if worker is None else _RECORD_OWN  # an executemany
    return conn.execute(statement, params).rowcount


def _record_batch(
    conn: Connection, outcomes: list[OutboxOutcome], worker: str | None, now: dt.datetime
) -> int:
    """`record` on PostgreSQL: the outcomes as arrays, one UPDATE."""
    if not outcomes:
        return 0
    columns = {
        "oids": [o.outbox_id for o in outcomes],
        "sts": [o.status for o in outcomes],
        "errs": [o.error for o in outcomes],
        "refs": [o.ref for o in outcomes],
    }
    return conn.execute(_RECORD_BATCH, {**columns, "now": now, "worker": worker}).rowcount


def thread_heads(session: Session, broadcast_id: int, platform: str) -> dict[int, str]:
    """Subscriber id -> ref of its first part, sent already: replies of a thread go under it."""
    rows = session.execute(
        select(OutboxRow.subscriber_id, OutboxRow.message_ref)
        .join(Subscriber, Subscriber.id == OutboxRow.subscriber_id)
        .where(
            OutboxRow.broadcast_id == broadcast_id,
            OutboxRow.part == 0,
            OutboxRow.status == "sent",
            OutboxRow.message_ref.is_not(None),
            Subscriber.platform == platform,
        )
    )
    return {subscriber_id: ref for subscriber_id, ref in rows if ref}


def recover(
    session: Session, resend_ambiguous: bool, share: Share | None = None, also: Sequence[str] = ()
) -> int:
    """After a crash: rows left in flight become `unknown` (or `pending` to resend them).

    With `share`, only that sender's rows, plus every row of the platforms in `also` (sent by it alone).
    """
    status = "pending" if resend_ambiguous else "unknown"
    error = None if resend_ambiguous else "in flight when the sender stopped; not resent"
    mine = in_share(share)
    if also and share is not None:
        alone = select(Subscriber.id).where(Subscriber.platform.in_(also))
        mine = or_(mine, OutboxRow.subscriber_id.in_(alone))
    return affected(
        session,
        update(OutboxRow).where(OutboxRow.status == "in_flight", mine).values(status=status, error=error),
    )


def finish_if_complete(session: Session, broadcast_id: int) -> bool:
    """Mark a broadcast done when no row is pending or in flight; True when it is done."""
    open_rows = session.scalar(
        select(OutboxRow.id)
        .where(OutboxRow.broadcast_id == broadcast_id, OutboxRow.status.in_(("pending", "in_flight")))
        .limit(1)
    )
    if open_rows is not None:
        return False
    session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status != "done")
        .values(status="done", finished_at=_now())
    )
    return True


def unsent_rows(session: Session, broadcast_id: int) -> int:
    """Rows of a broadcast whose last request never left: pending still, or given up."""
    return (
        session.scalar(
            select(func.count())
            .select_from(OutboxRow)
            .where(
                OutboxRow.broadcast_id == broadcast_id,
                OutboxRow.status.in_(("pending", "failed")),
                OutboxRow.error.startswith(UNSENT, autoescape=True),
            )
        )
        or 0
    )


def skip_rest_of_subscriber(
    session: Session | Connection, broadcast_id: int, subscriber_id: int, status: str
) -> None:
    """Give the remaining parts of one subscriber the same final status (e.g. blocked)."""
    session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.broadcast_id == broadcast_id,
            OutboxRow.subscriber_id == subscriber_id,
            OutboxRow.status == "pending",
        )
        .values(status=status, error="earlier part " + status)
    )


def deactivate(session: Session | Connection, subscriber_id: int, reason: str) -> None:
    """Stop sending to a chat that is gone (blocked, kicked, archived)."""
    session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber_id)
        .values(active=False, deactivated_reason=reason)
    )


def move_chat(session: Session, subscriber_id: int, new_chat_id: str) -> bool:
    """Point a subscriber at its new chat id (a group that became a supergroup).

    False when the new chat has a subscription of its own: that one is kept, this one retired.
    """
    row = session.get(Subscriber, subscriber_id)
    if row is None:
        return False
    taken = session.scalar(
        select(Subscriber.id).where(Subscriber.platform == row.platform, Subscriber.chat_id == new_chat_id)
    )
    if taken in (None, row.id):
        row.chat_id = new_chat_id
        return True
    row.active, row.deactivated_reason = False, f"moved to {new_chat_id}"
    return False
