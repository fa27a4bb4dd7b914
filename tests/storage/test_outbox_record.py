"""Outcomes are written to the rows a worker has in flight, a batch in one statement."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage import outbox, subscribers
from storage.broadcasts import NewBroadcast, create
from storage.db import Database
from storage.outbox import OutboxOutcome
from storage.tables import OutboxRow

DAY = dt.date(2025, 2, 11)


def four_rows(db: Database) -> list[int]:
    """Outbox ids of a broadcast of two parts to two chats."""
    with db.session() as session:
        a, _ = subscribers.subscribe(session, "telegram", "7", "private", None)
        b, _ = subscribers.subscribe(session, "telegram", "8", "private", None)
        new = NewBroadcast(
            day=DAY, kind="daily", parts={"v": ["x", "y"]}, recipients=[(a.id, "v"), (b.id, "v")]
        )
        broadcast_id = create(session, new)
        return list(session.scalars(select(OutboxRow.id).where(OutboxRow.broadcast_id == broadcast_id)))


def rows(db: Database) -> dict[int, tuple[str, str | None, str | None]]:
    with db.session() as session:
        found = session.execute(
            select(OutboxRow.id, OutboxRow.status, OutboxRow.error, OutboxRow.message_ref)
        )
        return {oid: (status, error, ref) for oid, status, error, ref in found}


def test_a_batch_settles_only_the_rows_this_worker_has_in_flight(db: Database) -> None:
    ids = four_rows(db)
    with db.engine.begin() as conn:
        assert sorted(outbox.mark_in_flight(conn, ids[:3], "w1")) == sorted(ids[:3])
        assert outbox.mark_in_flight(conn, ids[2:3], "w2") == []  # (claimed already)
    outcomes = [
        OutboxOutcome(ids[0], "sent", None, "101"),
        OutboxOutcome(ids[1], "pending", "unsent: connection refused"),
        OutboxOutcome(ids[2], "failed", "Bad Request"),
        OutboxOutcome(ids[3], "sent", None, "104"),  # never claimed: stays pending
    ]
    with db.engine.begin() as conn:
        assert outbox.record(conn, outcomes[2:3], "w2") == 0  # another worker's row
        assert outbox.record(conn, outcomes, "w1") == 3
        assert outbox.record(conn, [], "w1") == 0
    assert rows(db) == {
        ids[0]: ("sent", None, "101"),
        ids[1]: ("pending", "unsent: connection refused", None),
        ids[2]: ("failed", "Bad Request", None),
        ids[3]: ("pending", None, None),
    }


def test_without_a_worker_any_row_in_flight_takes_its_outcome(db: Database) -> None:
    ids = four_rows(db)
    with db.engine.begin() as conn:
        outbox.mark_in_flight(conn, ids[:1], "w1")
    with db.session() as session:
        assert outbox.record(session, [OutboxOutcome(ids[0], "unknown"), OutboxOutcome(ids[1], "sent")]) == 1
    assert rows(db)[ids[0]] == ("unknown", None, None)
    assert rows(db)[ids[1]] == ("pending", None, None)
