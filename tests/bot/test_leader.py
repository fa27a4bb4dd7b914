"""Leadership: once stopped, a renewal that was already under way takes nothing back."""

from __future__ import annotations

from bot.leader import Leadership
from storage.db import Database


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
