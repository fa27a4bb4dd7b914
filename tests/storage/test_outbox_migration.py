"""Migration 0003 renames the outbox table with its index and constraints, and back, keeping every row."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from storage import outbox, subscribers
from storage.broadcasts import NewBroadcast, create
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.tables import OutboxRow

DAY = dt.date(2025, 2, 11)


def names(db: Database, table: str) -> set[str]:
    """Index and constraint names of `table` (SQLite leaves its primary key and foreign keys unnamed)."""
    found = inspect(db.engine)
    named = [*found.get_indexes(table), *found.get_unique_constraints(table), *found.get_foreign_keys(table)]
    return {n for n in [*(x["name"] for x in named), found.get_pk_constraint(table)["name"]] if n}


def a_broadcast(db: Database) -> int:
    with db.session() as session:
        sub, _ = subscribers.subscribe(session, "telegram", "7", "private", None)
        new = NewBroadcast(day=DAY, kind="daily", parts={"v": ["a", "b"]}, recipients=[(sub.id, "v")])
        return create(session, new)


def test_the_outbox_is_one_table_named_outbox(db: Database) -> None:
    broadcast_id = a_broadcast(db)
    assert set(inspect(db.engine).get_table_names()) >= {"outbox", "broadcast_parts"}
    assert "deliveries" not in inspect(db.engine).get_table_names()
    assert {n for n in names(db, "outbox") if "deliver" in n} == set()
    assert {"ix_outbox_pending", "uq_outbox_unique"} <= names(db, "outbox")
    with db.session() as session:
        items = outbox.pending_items(session, broadcast_id, "telegram")
    assert [(i.part, i.chat_id) for i in items] == [(0, "7"), (1, "7")]


def test_downgrade_and_upgrade_keep_the_rows(db: Database) -> None:
    broadcast_id = a_broadcast(db)
    command.downgrade(alembic_config(db), "0002")
    tables = inspect(db.engine).get_table_names()
    assert "deliveries" in tables and "outbox" not in tables
    assert {"ix_deliveries_claim", "uq_deliveries_unique"} <= names(db, "deliveries")
    upgrade(db)
    with db.session() as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()
        assert [(r.broadcast_id, r.part, r.status) for r in rows] == [(broadcast_id, 0, "pending")] + [
            (broadcast_id, 1, "pending")
        ]
        session.execute(insert(OutboxRow).values(broadcast_id=broadcast_id, subscriber_id=1, part=2))
    with pytest.raises(IntegrityError, match="(?i)uq_outbox_unique|unique"), db.session() as session:
        session.execute(insert(OutboxRow).values(broadcast_id=broadcast_id, subscriber_id=1, part=2))
