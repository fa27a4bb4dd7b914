"""Migration 0007: the once-only key becomes (period, time slot); the rows of before keep their meaning."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.broadcast.engine import BroadcastEngine
from bot.daily import DailyRun
from storage import broadcasts, subscribers
from storage.broadcasts import NewBroadcast, daily_key, weekly_key
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from tests.fakes.memory_channel import MemoryChannel

DAY = dt.date(2025, 2, 11)
NINE = dt.time(9, 0)


def legacy_daily(db: Database) -> int:
    """A daily broadcast as the schema before 0007 stored it, sent to subscriber 1 ("telegram", "7")."""
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO subscribers (platform, chat_id, chat_kind, active, created_at, updated_at) "
                "VALUES ('telegram', '7', 'private', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO broadcasts (day, kind, daily_key, status, created_at) "
                "VALUES (:d, 'daily', :d, 'done', CURRENT_TIMESTAMP)"
            ),
            {"d": DAY},
        )
        broadcast_id = conn.execute(text("SELECT id FROM broadcasts")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO outbox (broadcast_id, subscriber_id, part, variant, status, attempts) "
                "VALUES (:b, 1, 0, 'telegram:*', 'sent', 1)"
            ),
            {"b": broadcast_id},
        )
    return broadcast_id


def test_upgrade_keys_the_old_daily_rows_and_keeps_every_row(db: Database) -> None:
    command.downgrade(alembic_config(db), "0005")
    old = legacy_daily(db)
    upgrade(db)
    with db.session() as session:
        assert broadcasts.find_once(session, f"daily:{DAY}") == (old, "done")
        assert broadcasts.counts(session, old) == {"sent": 1}
        assert broadcasts.served(session, "daily", DAY) == {1}
        sub = subscribers.get(session, "telegram", "7")
    assert sub is not None and sub.daily and not sub.weekly and sub.digest_time is None and sub.top_n is None
    names = {i["name"] for i in inspect(db.engine).get_indexes("broadcasts")}
    assert "uq_broadcasts_once_key" in names


async def test_a_slot_run_right_after_the_upgrade_skips_the_chats_the_old_row_reached(services) -> None:
    db = services.db
    command.downgrade(alembic_config(db), "0005")
    legacy_daily(db)
    upgrade(db)
    channel = MemoryChannel()
    engine = BroadcastEngine(services, {"telegram": channel}, "w", pacing=False)
    result = await DailyRun(services, {"telegram": channel}, engine)(DAY, wait=True, at=NINE)
    assert result.status == "empty" and channel.sent == []


def test_one_broadcast_per_key_and_downgrade_gives_each_day_one_daily_key(db: Database) -> None:
    def new(key: str, kind: str = "daily") -> NewBroadcast:
        return NewBroadcast(day=DAY, kind=kind, parts={}, recipients=[], once_key=key)

    first, created = broadcasts.create_once(db, new(daily_key(DAY, dt.time(7, 30))))
    assert created
    assert broadcasts.create_once(db, new(daily_key(DAY, dt.time(7, 30)))) == (first, False)
    second, _ = broadcasts.create_once(db, new(daily_key(DAY, NINE)))
    broadcasts.create_once(db, new(weekly_key(dt.date(2025, 2, 10), NINE), "weekly"))
    with pytest.raises(IntegrityError), db.session() as session:
        broadcasts.create(session, new(daily_key(DAY, NINE)))
    command.downgrade(alembic_config(db), "0005")
    with db.engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT id, daily_key FROM broadcasts ORDER BY id")).all())
    assert [str(keys[first])[:10], keys[second]] == [str(DAY), None]
    upgrade(db)
    with db.session() as session:
        assert broadcasts.find_once(session, f"daily:{DAY}") == (first, "done")
        assert broadcasts.find_once(session, daily_key(DAY, NINE)) is None  # (its key did not survive)
