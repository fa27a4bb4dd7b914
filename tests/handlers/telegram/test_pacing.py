"""One budget per bot token at the fake Bot API: 429 pauses hold for every send, replies share the rate."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import replace

from pydantic import SecretStr

from bot.broadcast.engine import BroadcastEngine
from bot.daily import DailyRun
from handlers.telegram.bot import TelegramPlatform
from handlers.telegram.sender import TelegramChannel
from storage import subscribers
from tests.fakes.broadcaster import RecordingBroadcaster
from tests.fakes.telegram_server import TOKEN, FakeTelegramServer, private_chat, user

DAY = dt.date(2025, 2, 11)
FIRST_CHAT = 100_000


def on_fake(services, fake: FakeTelegramServer, rate: float):
    update = {"telegram_token": SecretStr(TOKEN), "telegram_api_base": fake.base_url, "telegram_rate": rate}
    return replace(services, settings=services.settings.model_copy(update=update))


def subscribe(services, count: int) -> None:
    with services.db.session() as session:
        for i in range(count):
            subscribers.subscribe(session, "telegram", str(FIRST_CHAT + i), "private", None)


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


async def test_no_request_leaves_while_a_429_pause_lasts(services) -> None:
    """With one send in flight every request after a 429 left after it: none may meet its penalty."""
    fake = await FakeTelegramServer(latency_ms=20, seed=4).start()
    try:
        services = on_fake(services, fake, rate=200)
        subscribe(services, 150)
        limited = range(FIRST_CHAT + 20, FIRST_CHAT + 150, 30)  # past the first connections
        for chat in limited:
            fake.fault(chat, retry_after=1, retry_probability=0.6, global_penalty=True)
        channel = TelegramChannel(services.settings)
        engine = BroadcastEngine(services, {"telegram": channel}, "w", concurrency=1)
        try:
            await asyncio.wait_for(DailyRun(services, {"telegram": channel}, engine)(DAY, wait=True), 120)
        finally:
            await channel.aclose()
    finally:
        await fake.stop()
    assert any(len(fake.request_times[chat]) > 1 for chat in limited)  # 429s were answered
    assert fake.penalty_hits == []
    assert Counter(m.chat_id for m in fake.sent) == {FIRST_CHAT + i: 1 for i in range(150)}


async def test_replies_and_a_broadcast_share_one_rate(services) -> None:
    rate = 10
    fake = await FakeTelegramServer().start()
    try:
        services = on_fake(services, fake, rate=rate)
        subscribe(services, 30)
        services = services.with_broadcaster(RecordingBroadcaster())
        platform = TelegramPlatform(services, poll_timeout=1)
        await platform.start()
        try:
            channel = platform.channel()
            engine = BroadcastEngine(services, {"telegram": channel}, "w")
            run = asyncio.create_task(DailyRun(services, {"telegram": channel}, engine)(DAY, wait=True))
            await fake.wait_for(lambda: len(fake.sent) >= 5, 10, "the broadcast to start")
            for i in range(1, 21):  # twenty people ask for help during the broadcast
                fake.push_message(private_chat(i), user(i), "/help")
            await asyncio.wait_for(run, 60)
            await fake.wait_for(lambda: all(fake.sent_to(i) for i in range(1, 21)), 30, "every reply")
        finally:
            await platform.stop()
    finally:
        await fake.stop()
    sends = fake.calls_of("sendMessage")
    assert len(sends) == 50
    assert busiest_second([c.t for c in sends]) <= rate
