"""Each chat at its own time, under a controlled clock: one digest per chat and day, whatever happens.

The digests go through the real Telegram sender to the fake Bot API and are counted there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections import Counter
from collections.abc import AsyncIterator
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot import texts
from bot.bootstrap import chat_times, slot_runner
from bot.broadcast.engine import BroadcastEngine
from bot.cli.demo import SAMPLE_DAY, sample_text
from bot.daily import DailyRun
from bot.ingest import store_digest
from bot.leader import Leadership
from bot.scheduler import DailyScheduler, Slot, due_slots
from bot.sources.markdown import parse_digest
from bot.weekly import WeeklyRun
from handlers.telegram.sender import TelegramChannel
from storage import subscribers
from storage.tables import Broadcast
from tests.bot.test_scheduler import Clock
from tests.fakes.telegram_server import TOKEN, FakeTelegramServer

SEOUL = ZoneInfo("Asia/Seoul")
NINE = dt.time(9, 0)
EARLY, LATE = dt.time(7, 30), dt.time(21, 0)
# chat id -> (its /settings time, its /settings n); None = the defaults (09:00, 5 cards)
CHATS = {
    1001: (EARLY, 3),
    1002: (NINE, None),  # set explicitly to the default time: the same slot as 1004
    1003: (LATE, None),
    1004: (None, None),
}
SECOND_DAY = SAMPLE_DAY + dt.timedelta(days=1)
NAMES = itertools.count()


def kst(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramServer]:
    server = await FakeTelegramServer().start()
    yield server
    await server.stop()


def on_fake(services, fake: FakeTelegramServer, clock: Clock):
    update = {"telegram_token": SecretStr(TOKEN), "telegram_api_base": fake.base_url}
    return dataclasses.replace(services, settings=services.settings.model_copy(update=update), clock=clock)


class Instance:
    """One `paperbot run` worth of leadership, engine, daily and weekly runs and scheduler."""

    def __init__(self, services) -> None:
        self.services = services
        self.channel = TelegramChannel(services.settings)
        channels = {"telegram": self.channel}
        self.leadership = Leadership(services.db, f"schedule-{next(NAMES)}")
        engine = BroadcastEngine(services, channels, self.leadership.holder, pacing=False)
        daily, weekly = DailyRun(services, channels, engine), WeeklyRun(services, channels, engine)

        async def run_day(day: dt.date, at: dt.time) -> object:
            return await daily(day, wait=True, at=at)

        async def run_week(start: dt.date, at: dt.time) -> object:
            return await weekly(start, wait=True, at=at)

        self.scheduler = DailyScheduler(
            SEOUL,
            NINE,
            run_day,
            self.leadership,
            clock=services.clock,
            times=chat_times(services),
            run_week=run_week,
        )

    async def start(self) -> Instance:
        await self.leadership.start()
        await self.scheduler.start()
        await self.scheduler.first_catch_up
        return self

    async def stop(self) -> None:
        await self.scheduler.stop()
        await self.leadership.stop()
        await self.channel.aclose()


def subscribe_chats(services) -> None:
    with services.db.session() as session:
        for chat, (at, n) in CHATS.items():
            subscribers.subscribe(session, "telegram", str(chat))
            subscribers.set_schedule(session, "telegram", str(chat), digest_time=at, top_n=n)


def plain(html: str) -> str:
    """A Telegram HTML message as the user reads it."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def first_parts(fake: FakeTelegramServer, header: str) -> list:
    """The messages opening a digest whose header starts with `header` (not its "(2/3)" parts)."""
    prefix = header.rsplit(" ", 1)[0]  # "... TOP", whatever the count
    lines = [(s, plain(s.text).splitlines()[0]) for s in fake.sent]
    return [s for s, line in lines if line.startswith(prefix) and "(" not in line.removeprefix(prefix)]


def digests_at_the_server(fake: FakeTelegramServer) -> Counter:
    """(chat, listing day) of every digest the fake Bot API accepted."""
    found: Counter = Counter()
    for day in (SAMPLE_DAY, SECOND_DAY):
        found.update((s.chat_id, day) for s in first_parts(fake, texts.digest_header(day.isoformat(), 0)))
    return found


def card_counts(fake: FakeTelegramServer, chat: int) -> set[str]:
    """The "TOP n" of the digests chat `chat` got."""
    return {plain(s.text).splitlines()[0].rsplit(" ", 1)[1] for s in fake.sent_to(chat)}


async def test_three_times_each_get_one_digest_a_day_through_restarts_and_a_second_instance(
    services, fake: FakeTelegramServer
) -> None:
    clock = Clock(kst(SAMPLE_DAY + dt.timedelta(days=1), 7, 0))
    services = on_fake(services, fake, clock)
    store_digest(services.db, parse_digest(sample_text(), SECOND_DAY), services.taxonomy, SECOND_DAY)
    subscribe_chats(services)
    leader = await Instance(services).start()
    standby = await Instance(services).start()  # a second `paperbot run` on the same database
    assert leader.leadership.is_leader and not standby.leadership.is_leader
    try:
        for digest_day in (SAMPLE_DAY + dt.timedelta(days=1), SECOND_DAY + dt.timedelta(days=1)):
            for hour, minute in [(7, 0), (7, 29), (7, 30), (7, 31), (8, 0), (9, 0), (9, 0), (10, 0)]:
                clock.now = kst(digest_day, hour, minute)
                for instance in (leader, standby):
                    await instance.scheduler.fire()  # the default time's job and the minute tick alike
                    await instance.scheduler.catch_up()
                if (hour, minute) == (8, 0):  # the leader restarts: down over nothing, back at once
                    await leader.stop()
                    leader = await Instance(services).start()
            await leader.stop()  # down over 21:00, back at 21:40: caught up once
            clock.now = kst(digest_day, 21, 40)
            leader = await Instance(services).start()
            for hour, minute in [(21, 45), (23, 59)]:
                clock.now = kst(digest_day, hour, minute)
                for instance in (leader, standby):
                    await instance.scheduler.catch_up()
    finally:
        await leader.stop()
        await standby.stop()

    wanted = {(chat, day): 1 for chat in CHATS for day in (SAMPLE_DAY, SECOND_DAY)}
    assert digests_at_the_server(fake) == wanted
    assert card_counts(fake, 1001) == {"3"} and card_counts(fake, 1004) == {"5"}  # each chat's size
    with services.db.session() as session:
        keys = Counter(k for k in session.scalars(select(Broadcast.once_key)) if k)
    assert set(keys.values()) == {1}  # one broadcast per (day, slot), 1002 and 1004 sharing 09:00's
    for day in (SAMPLE_DAY, SECOND_DAY):
        assert {f"daily:{day}@{at}" for at in ("07:30", "09:00", "21:00")} <= set(keys)


async def test_a_chat_moved_to_a_later_time_the_same_day_gets_nothing_twice(
    services, fake: FakeTelegramServer
) -> None:
    clock = Clock(kst(SAMPLE_DAY + dt.timedelta(days=1), 7, 30))
    services = on_fake(services, fake, clock)
    with services.db.session() as session:
        subscribers.subscribe(session, "telegram", "1001")
        subscribers.set_schedule(session, "telegram", "1001", digest_time=EARLY)
    instance = await Instance(services).start()
    try:
        with services.db.session() as session:  # after its 07:30 digest, the chat moves to 21:00
            subscribers.set_schedule(session, "telegram", "1001", digest_time=LATE)
        clock.now = kst(SAMPLE_DAY + dt.timedelta(days=1), 21, 0)
        await instance.scheduler.fire()
    finally:
        await instance.stop()
    assert digests_at_the_server(fake) == {(1001, SAMPLE_DAY): 1}


def test_due_slots_are_the_latest_firing_of_each_time_within_the_grace() -> None:
    now = kst(dt.date(2025, 2, 17), 8, 0)  # a Monday
    slots = due_slots(now, SEOUL, {EARLY, NINE, LATE}, {EARLY, NINE})
    assert slots == [
        Slot("daily", dt.date(2025, 2, 15), LATE),  # Sunday 21:00, eleven hours ago
        Slot("daily", dt.date(2025, 2, 16), EARLY),
        Slot("weekly", dt.date(2025, 2, 10), EARLY),  # the week of lists from Monday the 10th
    ]
    assert due_slots(kst(dt.date(2025, 2, 18), 8, 0), SEOUL, set(), {EARLY}) == []  # Tuesday: none


async def test_two_weekly_runs_in_the_same_week_send_once(services, fake: FakeTelegramServer) -> None:
    monday = dt.date(2025, 2, 17)
    clock = Clock(kst(monday, 9, 0))
    services = on_fake(services, fake, clock)
    week = [dt.date(2025, 2, 10) + dt.timedelta(days=i) for i in range(7)]
    for day in week[1:3]:  # the same papers on three days of the week: each counts once
        store_digest(services.db, parse_digest(sample_text(), day), services.taxonomy, day)
    with services.db.session() as session:
        subscribers.subscribe_weekly(session, "telegram", "2001")
        subscribers.subscribe_weekly(session, "telegram", "2002", fields=["nlp"])
        subscribers.set_schedule(session, "telegram", "2002", digest_time=EARLY)
    instance = await Instance(services).start()
    try:
        await instance.scheduler.fire()
        clock.now = kst(monday, 10, 0)
        await instance.scheduler.catch_up()
        await instance.stop()
        instance = await Instance(services).start()  # a restart the same Monday
        clock.now = kst(monday + dt.timedelta(days=2), 9, 0)  # and a run later in the same week
        channels = {"telegram": instance.channel}
        engine = BroadcastEngine(services, channels, "w", pacing=False)
        again = await slot_runner(WeeklyRun(services, channels, engine))(week[3], NINE)
    finally:
        await instance.stop()
    assert getattr(again, "status", None) == "done-before"
    firsts = first_parts(fake, texts.week_header(week[0].isoformat(), week[-1].isoformat(), 0))
    assert Counter(s.chat_id for s in firsts) == {2001: 1, 2002: 1}
    lines = [line for s in fake.sent_to(2001) for line in plain(s.text).splitlines()]
    titles = [line for line in lines if f"{texts.LABEL_TITLE}:" in line]
    assert len(titles) == len(set(titles)) == 8  # the sample day's 8 papers, once each (under 10)
    with services.db.session() as session:
        keys = sorted(k for k in session.scalars(select(Broadcast.once_key)) if k and k.startswith("weekly"))
    assert keys == ["weekly:2025-W07@07:30", "weekly:2025-W07@09:00"]
