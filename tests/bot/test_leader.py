"""Leadership: once stopped, a renewal that was already under way takes nothing back."""

from __future__ import annotations

from bot.leader import Leadership
from storage.db import Database
from tests.conftest import _postgres_db


async def test_a_renewal_running_after_stop_takes_nothing(db: Database) -> None:
    first = Leadership(db, "first")
    await first.start()
    assert first.is_leader
    await first.stop()
    # What the renewal task's thread does when stop() comes while it runs: one more attempt.
    assert first.try_acquire() is False
    second = Leadership(db, "second")
    try:
        assert second.try_acquire(), "the stopped leader still holds the lock"
    finally:
        await second.stop()


async def test_one_leader_per_database_and_one_per_schema_on_postgresql(db: Database) -> None:
    first, second = Leadership(db, "first"), Leadership(db, "second")
    await first.start()
    await second.start()
    try:
        assert (first.is_leader, second.is_leader) == (True, False)
        if db.engine.dialect.name != "postgresql":
            return
        schemas = _postgres_db()
        elsewhere = Leadership(next(schemas), "elsewhere")  # another paperbot on the same server
        try:
            assert elsewhere.try_acquire(), "a paperbot in another schema waits for this one's leader"
        finally:
            await elsewhere.stop()
            schemas.close()
    finally:
        await second.stop()
        await first.stop()
