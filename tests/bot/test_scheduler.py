"""The schedule under a controlled clock: restarts, downtime and DST never give a day two digests."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import time
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from bot.broadcast.engine import BroadcastEngine
from bot.daily import DailyRun
from bot.leader import Leadership
from bot.scheduler import DailyScheduler, catch_up_day, daily_trigger, digest_day, last_due
from storage import subscribers
from storage.tables import Broadcast
from tests.fakes.memory_channel import MemoryChannel

SEOUL = ZoneInfo("Asia/Seoul")
NINE = dt.time(9, 0)


def kst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SEOUL)


def test_digest_day_is_the_previous_korean_day() -> None:
    assert digest_day(kst(2025, 2, 12, 9, 0), SEOUL) == dt.date(2025, 2, 11)
    # 23:30 UTC on the 11th is already the 12th in Seoul
    assert digest_day(dt.datetime(2025, 2, 11, 23, 30, tzinfo=dt.UTC), SEOUL) == dt.date(2025, 2, 11)


def test_catch_up_only_within_the_grace_window() -> None:
    assert last_due(kst(2025, 2, 12, 8, 59), SEOUL, NINE) == kst(2025, 2, 11, 9, 0)
    assert catch_up_day(kst(2025, 2, 12, 8, 59), SEOUL, NINE) is None  # yesterday's run is too old
    assert catch_up_day(kst(2025, 2, 12, 9, 10), SEOUL, NINE) == dt.date(2025, 2, 11)
    assert catch_up_day(kst(2025, 2, 12, 20, 59), SEOUL, NINE) == dt.date(2025, 2, 11)
    assert catch_up_day(kst(2025, 2, 12, 21, 1), SEOUL, NINE) is None


@pytest.fixture
def host_zone_with_dst(monkeypatch: pytest.MonkeyPatch):
    """Run the test as if the host were in New York (DST changes in March and November)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


def test_trigger_fires_once_per_korean_day_across_host_dst(host_zone_with_dst) -> None:
    trigger = daily_trigger(SEOUL, NINE)
    now = kst(2025, 1, 1, 0, 0)
    fires, previous = [], None
    for _ in range(400):
        fire = trigger.get_next_fire_time(previous, now)
        fires.append(fire)
        previous, now = fire, fire + dt.timedelta(seconds=1)
    local = [f.astimezone(SEOUL) for f in fires]
    assert all((t.hour, t.minute) == (9, 0) for t in local)
    days = [t.date() for t in local]
    assert days == [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(400)]
    assert os.environ["TZ"] == "America/New_York"


class Clock:
    """A settable clock."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


INSTANCES = itertools.count()


async def start_instance(services, channel: MemoryChannel, clock: Clock) -> tuple[DailyScheduler, Leadership]:
    leadership = Leadership(services.db, f"instance-{next(INSTANCES)}")
    await leadership.start()
    engine = BroadcastEngine(services, {"telegram": channel}, "w", pacing=False)
    run = DailyRun(services, {"telegram": channel}, engine)

    async def run_day(day: dt.date, at: dt.time):
        return await run(day, wait=True, at=at)

    scheduler = DailyScheduler(SEOUL, NINE, run_day, leadership, clock=clock)
    await scheduler.start()
    await scheduler.first_catch_up
    return scheduler, leadership


async def stop_instance(scheduler: DailyScheduler, leadership: Leadership) -> None:
    await scheduler.stop()
    await leadership.stop()


def daily_broadcasts(services) -> Counter:
    with services.db.session() as session:
        return Counter(session.scalars(select(Broadcast.day).where(Broadcast.kind == "daily")))


async def test_restart_across_nine_and_two_days_down(services) -> None:
    with services.db.session() as session:
        subscribers.subscribe(session, "telegram", "1")
    channel = MemoryChannel()
    clock = Clock(kst(2025, 2, 12, 8, 55))
    instance = await start_instance(services, channel, clock)
    assert daily_broadcasts(services) == Counter()  # 08:55: nothing due yet
    await stop_instance(*instance)

    clock.now = kst(2025, 2, 12, 9, 10)  # down over 09:00, back ten minutes later
    instance = await start_instance(services, channel, clock)
    await stop_instance(*instance)
    clock.now = kst(2025, 2, 12, 9, 20)  # another restart the same morning
    instance = await start_instance(services, channel, clock)
    assert daily_broadcasts(services) == Counter({dt.date(2025, 2, 11): 1})
    assert len(channel.sent) == 1

    clock.now = kst(2025, 2, 13, 9, 0)
    await instance[0].fire()
    await instance[0].fire()  # fired twice
    await stop_instance(*instance)

    clock.now = kst(2025, 2, 16, 10, 0)  # two days down: only the latest missed digest goes out
    instance = await start_instance(services, channel, clock)
    await stop_instance(*instance)
    assert daily_broadcasts(services) == Counter(
        {dt.date(2025, 2, 11): 1, dt.date(2025, 2, 12): 1, dt.date(2025, 2, 15): 1}
    )
    assert len(channel.sent) == 1  # the other days had no papers: nothing to send


async def test_only_the_leader_runs_the_digest(services) -> None:
    channel = MemoryChannel()
    clock = Clock(kst(2025, 2, 12, 9, 5))
    first = await start_instance(services, channel, clock)
    second = await start_instance(services, channel, clock)
    assert first[1].is_leader and not second[1].is_leader
    await first[0].fire()
    await second[0].fire()
    for instance in (first, second):
        await stop_instance(*instance)
    assert daily_broadcasts(services) == Counter({dt.date(2025, 2, 11): 1})


async def test_apscheduler_fires_the_job_at_the_digest_time(services) -> None:
    fired: list[dt.date] = []

    async def run_day(day: dt.date, _at: dt.time) -> None:
        fired.append(day)

    leadership = Leadership(services.db, "solo")
    await leadership.start()
    soon = (dt.datetime.now(SEOUL) + dt.timedelta(seconds=2)).time().replace(microsecond=0)
    scheduler = DailyScheduler(SEOUL, soon, run_day, leadership)
    await scheduler.start()
    deadline = asyncio.get_running_loop().time() + 60  # a hang limit, not a speed limit
    while not fired and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    await stop_instance(scheduler, leadership)
    assert fired == [dt.datetime.now(SEOUL).date() - dt.timedelta(days=1)]


async def test_a_process_that_gains_the_lead_later_catches_up(services) -> None:
    channel = MemoryChannel()
    clock = Clock(kst(2025, 2, 12, 9, 30))
    first = await start_instance(services, channel, clock)
    second = await start_instance(services, channel, clock)
    await first[0].stop()  # the leader is down before its 09:00 run happened (it never ran it)
    with services.db.session() as session:
        session.execute(delete(Broadcast))
    await first[1].stop()
    assert second[1].try_acquire()
    await second[0].catch_up()  # what the minute-by-minute catch-up job does
    await stop_instance(*second)
    assert daily_broadcasts(services) == Counter({dt.date(2025, 2, 11): 1})
