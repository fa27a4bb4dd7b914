"""Large broadcasts in pages: planned, inserted and sent a page at a time; senders with shares of the rows."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.broadcast import pages
from bot.daily import DailyRun
from storage import broadcasts, outbox
from tests.bot.broadcast.test_engine import DAY, engine_for, outbox_rows, subscribe
from tests.fakes.memory_channel import MemoryChannel


@pytest.fixture
def small_pages(monkeypatch) -> None:
    """Pages of a few subscribers and rows, so a small broadcast spans many of them."""
    monkeypatch.setattr(broadcasts, "SUBSCRIBER_PAGE", 7)
    monkeypatch.setattr(broadcasts, "INSERT_CHUNK", 10)
    monkeypatch.setattr(pages, "PAGE_ROWS", 8)


async def test_a_broadcast_over_many_pages_reaches_everyone_once_with_parts_in_order(
    services, small_pages
) -> None:
    subscribe(services, range(1, 38))
    channel = MemoryChannel(parts_per_digest=3, latency=0.001)
    engine = engine_for(services, channel, concurrency=4)
    result = await DailyRun(services, {"telegram": channel}, engine)(DAY, wait=True)
    assert (result.status, result.recipients) == ("created", 37)
    assert Counter(s.chat_id for s in channel.sent) == {str(i): 3 for i in range(1, 38)}
    for chat in map(str, range(1, 38)):
        parts = [str(s.payload) for s in channel.sent if s.chat_id == chat]
        assert [p.split(" ")[0] for p in parts] == ["[1/3]", "[2/3]", "[3/3]"]
    assert Counter(r.status for r in outbox_rows(services)) == {"sent": 111}


async def test_a_page_never_splits_a_subscribers_parts(services, small_pages) -> None:
    subscribe(services, range(1, 12))
    channel = MemoryChannel(parts_per_digest=3)
    engine = engine_for(services, channel)
    result = await DailyRun(services, {"telegram": channel}, engine)(DAY, wait=False)
    assert result.broadcast_id is not None
    reader = pages.PendingPages(services.db, result.broadcast_id, "telegram", None)
    seen: list[list[int]] = []
    while not reader.done:
        seen.append([item.subscriber_id for item in reader.next()])
    assert all(len(page) <= 8 and Counter(page) == dict.fromkeys(page, 3) for page in seen)
    assert sorted(sid for page in seen for sid in page) == sorted(list(range(1, 12)) * 3)


async def test_two_shares_send_disjoint_rows_and_together_everything(services, small_pages) -> None:
    subscribe(services, range(1, 61))
    channel = MemoryChannel(parts_per_digest=2, latency=0.001)
    first = engine_for(services, channel, share=(0, 2))
    second = engine_for(services, channel, share=(1, 2))
    result = await DailyRun(services, {"telegram": channel}, first)(DAY, wait=False)
    assert result.broadcast_id is not None
    alone = await first.send_broadcast(result.broadcast_id)
    assert alone["sent"] == alone["pending"] == 60  # only its own half
    await second.send_broadcast(result.broadcast_id)
    assert Counter(s.chat_id for s in channel.sent) == {str(i): 2 for i in range(1, 61)}
    with services.db.session() as session:
        assert outbox.finish_if_complete(session, result.broadcast_id)


async def test_shares_sent_at_once_never_overlap(services, small_pages) -> None:
    subscribe(services, range(1, 101))
    channel = MemoryChannel(latency=0.001)
    engines = [engine_for(services, channel, share=(i, 3)) for i in range(3)]
    result = await DailyRun(services, {"telegram": channel}, engines[0])(DAY, wait=False)
    assert result.broadcast_id is not None
    await asyncio.gather(*(e.send_broadcast(result.broadcast_id) for e in engines))
    assert Counter(s.chat_id for s in channel.sent) == {str(i): 1 for i in range(1, 101)}


async def test_recover_settles_only_its_own_share(services) -> None:
    subscribe(services, range(1, 11))
    channel = MemoryChannel()
    engine = engine_for(services, channel, share=(1, 2))
    await DailyRun(services, {"telegram": channel}, engine)(DAY, wait=False)
    rows = outbox_rows(services)
    with services.db.session() as session:
        outbox.mark_in_flight(session, [r.id for r in rows], "dead-worker")
    assert await engine.recover() == 5
    statuses = {r.subscriber_id: r.status for r in outbox_rows(services)}
    assert {sid % 2 for sid, status in statuses.items() if status == "unknown"} == {1}
    assert {sid % 2 for sid, status in statuses.items() if status == "in_flight"} == {0}
