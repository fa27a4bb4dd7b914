"""A weekday list that is still empty at the digest time is waited for until the deadline."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.broadcast.engine import BroadcastEngine
from bot.daily import DailyRun
from bot.leader import Leadership
from bot.scheduler import DailyScheduler
from bot.sources.hf import day_fetcher
from storage import subscribers
from tests.bot.test_scheduler import Clock, daily_broadcasts
from tests.fakes.hf_server import FakeHFServer, synthetic_entries
from tests.fakes.memory_channel import MemoryChannel

SEOUL = ZoneInfo("Asia/Seoul")
THURSDAY = dt.date(2025, 2, 13)  # its digest goes out on Friday 2025-02-14 at 09:00
SATURDAY = dt.date(2025, 2, 15)
SUBSCRIBER, ADMIN = "1", "42"


def kst(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL)


@pytest.fixture
def hf() -> Iterator[FakeHFServer]:
    with FakeHFServer() as server:
        yield server


class Instance:
    """One `paperbot run` worth of scheduler, daily run and engine on a controlled clock."""

    def __init__(self, services, hf: FakeHFServer, clock: Clock) -> None:
        self.services = dataclasses.replace(services, clock=clock)
        self.channel, self.clock = MemoryChannel(), clock
        engine = BroadcastEngine(self.services, {"telegram": self.channel}, "w", pacing=False)
        self.run = DailyRun(
            self.services, {"telegram": self.channel}, engine, fetch=day_fetcher(hf.url, 60.0)
        )
        self.leadership = Leadership(self.services.db, f"late-{id(self)}")

        async def run_day(day: dt.date, at: dt.time):
            return await self.run(day, wait=True, at=at)

        self.scheduler = DailyScheduler(SEOUL, dt.time(9, 0), run_day, self.leadership, clock=clock)

    async def __aenter__(self) -> Instance:
        await self.leadership.start()
        await self.scheduler.start()
        await self.scheduler.first_catch_up
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.scheduler.stop()
        await self.leadership.stop()

    async def at(self, when: dt.datetime) -> None:
        """The minute-by-minute catch-up job running at `when`."""
        self.clock.now = when
        await self.scheduler.catch_up()

    def digests(self) -> list[object]:
        return self.channel.received(SUBSCRIBER)


def subscribe(services) -> None:
    with services.db.session() as session:
        subscribers.subscribe(session, "telegram", SUBSCRIBER)


async def test_a_list_empty_at_nine_and_full_at_nine_forty_sends_one_digest_at_nine_forty(
    services, hf: FakeHFServer
) -> None:
    subscribe(services)
    hf.days[str(THURSDAY)] = synthetic_entries(8)
    hf.empty_at_first(THURSDAY, 2)
    clock = Clock(kst(THURSDAY + dt.timedelta(days=1), 8, 59))
    async with Instance(services, hf, clock) as bot:
        clock.now = kst(THURSDAY + dt.timedelta(days=1), 9, 0)
        await bot.scheduler.fire()
        for minute in range(1, 40):  # the catch-up job runs every minute
            await bot.at(kst(THURSDAY + dt.timedelta(days=1), 9, minute))
        assert bot.digests() == [] and len(hf.api_requests()) == 2  # at 09:00 and 09:20 only
        await bot.at(kst(THURSDAY + dt.timedelta(days=1), 9, 40))
        assert len(bot.digests()) == 1 and len(hf.api_requests()) == 3
        for minute in range(41, 60):
            await bot.at(kst(THURSDAY + dt.timedelta(days=1), 9, minute))
    assert len(bot.digests()) == 1 and len(hf.api_requests()) == 3
    assert bot.channel.received(ADMIN) == []
    assert daily_broadcasts(services) == {THURSDAY: 1}


async def test_a_list_empty_until_the_deadline_tells_the_admins_once(services, hf: FakeHFServer) -> None:
    subscribe(services)
    friday = THURSDAY + dt.timedelta(days=1)
    clock = Clock(kst(friday, 8, 59))
    async with Instance(services, hf, clock) as bot:
        clock.now = kst(friday, 9, 0)
        await bot.scheduler.fire()
        for minute in range(1, 6 * 60):  # 09:01 … 14:59
            await bot.at(kst(friday, 9) + dt.timedelta(minutes=minute))
    assert bot.digests() == []
    notice = texts.DAILY_EMPTY.format(day=THURSDAY, deadline="12:00")
    assert bot.channel.received(ADMIN) == [notice]
    assert len(hf.api_requests()) == 10  # 09:00, every 20 minutes, the last at 12:00
    assert daily_broadcasts(services) == {THURSDAY: 1}


async def test_a_day_recorded_empty_is_sent_when_its_list_appears_later(services, hf: FakeHFServer) -> None:
    subscribe(services)
    friday = THURSDAY + dt.timedelta(days=1)
    clock = Clock(kst(friday, 12, 0))  # started at the deadline: the empty list is recorded empty
    async with Instance(services, hf, clock) as bot:
        await bot.at(kst(friday, 12, 1))
    assert bot.digests() == [] and len(bot.channel.received(ADMIN)) == 1
    hf.days[str(THURSDAY)] = synthetic_entries(8)
    clock.now = kst(friday, 13, 0)
    async with Instance(services, hf, clock) as restarted:  # its catch-up fetches the day again
        await restarted.at(kst(friday, 13, 1))
    assert len(restarted.digests()) == 1 and restarted.channel.received(ADMIN) == []
    assert daily_broadcasts(services) == {THURSDAY: 1}
    again = await restarted.run(THURSDAY, wait=True)  # what `paperbot broadcast --date` runs
    assert again.status == "done-before" and len(restarted.digests()) == 1


async def test_a_weekend_list_is_not_waited_for_and_nobody_is_told(services, hf: FakeHFServer) -> None:
    subscribe(services)
    sunday = SATURDAY + dt.timedelta(days=1)
    clock = Clock(kst(sunday, 8, 59))
    async with Instance(services, hf, clock) as bot:
        clock.now = kst(sunday, 9, 0)
        await bot.scheduler.fire()
        for minute in range(1, 4 * 60):
            await bot.at(kst(sunday, 9) + dt.timedelta(minutes=minute))
    assert bot.channel.sent == []
    assert len(hf.api_requests()) == 1
    assert daily_broadcasts(services) == {SATURDAY: 1}
