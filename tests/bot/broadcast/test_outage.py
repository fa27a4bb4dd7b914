"""A platform that cannot be reached loses no digest: unsent rows wait, are retried, the admins told."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import replace

from sqlalchemy import select

from bot.broadcast.engine import BroadcastEngine
from bot.channels import SendResult
from bot.daily import DailyRun
from storage import broadcasts, outbox, subscribers
from storage.tables import OutboxRow
from tests.fakes.memory_channel import MemoryChannel

DAY = dt.date(2025, 2, 11)
ADMIN = "42"  # the bot admin of the `services` fixture


def subscribe(services, chats) -> None:
    with services.db.session() as session:
        for chat in chats:
            subscribers.subscribe(session, "telegram", str(chat), "private", None)


def statuses(services) -> Counter:
    with services.db.session() as session:
        return Counter(session.scalars(select(OutboxRow.status)))


def tried_rows(services) -> int:
    """Rows of the day's broadcast that were tried and provably never left."""
    with services.db.session() as session:
        found = broadcasts.find_daily(session, DAY)
        return outbox.unsent_rows(session, found[0]) if found else 0


def quick(services, **settings: float):
    """Minutes and hours scaled down so a test sees an outage, its notice and its end in seconds."""
    defaults = {"unreachable_notice_minutes": 0.01, "send_retry_max_seconds": 0.2}
    return replace(services, settings=services.settings.model_copy(update=defaults | settings))


async def until(condition, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_an_outage_loses_nothing_and_the_admins_hear_of_it(services) -> None:
    services = quick(services)
    subscribe(services, range(1, 21))
    channel = MemoryChannel(down=True)
    engine = BroadcastEngine(services, {"telegram": channel}, "w", pacing=True)
    run = asyncio.create_task(DailyRun(services, {"telegram": channel}, engine)(DAY, wait=True))
    await until(
        lambda: sum(statuses(services).values()) == 20 and tried_rows(services) >= 1
    )  # planned, tried
    await asyncio.sleep(1.0)  # well past the notice time: every send is refused meanwhile
    assert channel.sent == [] and not run.done()
    during = statuses(services)  # (a row may be claimed for its next try at this very moment)
    assert set(during) <= {"pending", "in_flight"} and sum(during.values()) == 20
    channel.down = False
    result = await asyncio.wait_for(run, 30)
    assert Counter(s.chat_id for s in channel.sent if s.chat_id != ADMIN) == {str(i): 1 for i in range(1, 21)}
    assert statuses(services) == {"sent": 20}
    with services.db.session() as session:
        assert broadcasts.find_daily(session, DAY) == (result.broadcast_id, "done")
    down, back = channel.received(ADMIN)
    assert down.startswith("⚠️ 텔레그램") and back.startswith("✅ 텔레그램")


async def test_rows_never_sent_are_given_up_after_the_retry_window(services) -> None:
    services = quick(services, send_retry_hours=0.0003)
    subscribe(services, range(1, 4))  # about a second
    channel = MemoryChannel(down=True)
    engine = BroadcastEngine(services, {"telegram": channel}, "w", pacing=True)
    result = await asyncio.wait_for(DailyRun(services, {"telegram": channel}, engine)(DAY, wait=True), 30)
    assert statuses(services) == {"failed": 3}
    with services.db.session() as session:
        assert outbox.unsent_rows(session, result.broadcast_id) == 3
        assert broadcasts.find_daily(session, DAY) == (result.broadcast_id, "done")


async def test_a_rate_limit_is_not_a_failed_attempt(services) -> None:
    subscribe(services, [1, 2])
    channel = MemoryChannel()
    channel.will("1", [SendResult("retry", "Too Many Requests", retry_after=0.01)] * 8)
    engine = BroadcastEngine(services, {"telegram": channel}, "w", pacing=True)
    await asyncio.wait_for(DailyRun(services, {"telegram": channel}, engine)(DAY, wait=True), 30)
    assert [c for c, _ in channel.calls].count("1") == 9
    assert statuses(services) == {"sent": 2}


async def test_stopping_during_an_outage_leaves_the_broadcast_unfinished(services) -> None:
    services = quick(services)
    subscribe(services, range(1, 6))
    channel = MemoryChannel(down=True)
    engine = BroadcastEngine(services, {"telegram": channel}, "w", pacing=True)
    run = asyncio.create_task(DailyRun(services, {"telegram": channel}, engine)(DAY, wait=True))
    await until(lambda: tried_rows(services) >= 1)  # a busy machine may take a while to plan
    engine.stopping.set()
    result = await asyncio.wait_for(run, 10)
    with services.db.session() as session:
        assert broadcasts.find_daily(session, DAY) == (result.broadcast_id, "running")
        assert outbox.unsent_rows(session, result.broadcast_id) >= 1  # tried, and provably never left
    assert statuses(services) == {"pending": 5}
