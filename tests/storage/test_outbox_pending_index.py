"""Migration 0013 indexes the outbox by broadcast, status, subscriber and part, and back."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from storage import outbox
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from tests.storage.test_outbox_migration import a_broadcast


def outbox_indexes(db: Database) -> dict[str, list[str]]:
    """Index name -> its columns, of the outbox table."""
    return {ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes("outbox") if ix["name"]}


def pending(db: Database, broadcast_id: int) -> list[tuple[int, str]]:
    with db.session() as session:
        return [(i.part, i.chat_id) for i in outbox.pending_items(session, broadcast_id, "telegram")]


def test_pending_rows_are_indexed_in_page_order(db: Database) -> None:
    indexes = outbox_indexes(db)
    assert indexes["ix_outbox_pending"] == ["broadcast_id", "status", "subscriber_id", "part"]
    assert "ix_outbox_claim" not in indexes  # (the new index's prefix)


def test_downgrade_restores_the_status_index_and_upgrade_replaces_it(db: Database) -> None:
    broadcast_id = a_broadcast(db)
    command.downgrade(alembic_config(db), "0012")
    indexes = outbox_indexes(db)
    assert indexes["ix_outbox_claim"] == ["broadcast_id", "status"]
    assert "ix_outbox_pending" not in indexes
    assert pending(db, broadcast_id) == [(0, "7"), (1, "7")]
    upgrade(db)
    assert "ix_outbox_pending" in outbox_indexes(db)
    assert pending(db, broadcast_id) == [(0, "7"), (1, "7")]
