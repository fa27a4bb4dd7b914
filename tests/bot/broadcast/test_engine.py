"""The broadcast engine over a real database with an in-memory channel: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from bot.broadcast.engine import BroadcastEngine
from bot.broadcast.plan import BroadcastQueue
from bot.channels import ChatLimits, SendResult
from bot.daily import DailyRun
from storage import broadcasts, outbox, subscribers
from storage.tables import OutboxRow, Subscriber
from tests.fakes.memory_channel import MemoryChannel
from tests.transcripts.layer import Chat

DAY = dt.date(2025, 2, 11)


def subscribe(services, chats, fields=None, platform="telegram", kind="private") -> None:
    with services.db.session() as session:
        for chat in chats:
            subscribers.subscribe(session, platform, str(chat), kind, fields)


def engine_for(services, channel: MemoryChannel, **kwargs) -> BroadcastEngine:
    return BroadcastEngine(services, {channel.platform: channel}, "test-worker", pacing=False, **kwargs)


def outbox_rows(services) -> list[OutboxRow]:
    with services.db.session() as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


async def daily(services, channel: MemoryChannel, day: dt.date = DAY, engine=None):
    engine = engine or engine_for(services, channel)
    return await DailyRun(services, {channel.platform: channel}, engine)(day, wait=True)


async def test_daily_run_reaches_every_subscriber_once(services) -> None:
    subscribe(services, range(1, 51))
    channel = MemoryChannel()
    result = await daily(services, channel)
    assert (result.status, result.recipients) == ("created", 50)
    assert Counter(s.chat_id for s in channel.sent) == {str(i): 1 for i in range(1, 51)}
    assert "📰 2025-02-11" in str(channel.sent[0].payload)
    assert {d.status for d in outbox_rows(services)} == {"sent"}
    again = await daily(services, channel)
    assert again.status == "done-before" and len(channel.sent) == 50


async def test_field_filters_apply(services) -> None:
    subscribe(services, [1], fields=["rl"])
    subscribe(services, [2], fields=["audio"])  # nothing of the sample day is about audio
    subscribe(services, [3])
    channel = MemoryChannel()
    result = await daily(services, channel)
    assert result.recipients == 2
    [only_rl] = channel.received("1")
    field_lines = [line for line in only_rl.splitlines() if "관련분야:" in line]
    assert 0 < len(field_lines) < 5 and all("강화 학습" in line for line in field_lines)
    assert channel.received("2") == []
    assert "TOP 5" in channel.received("3")[0]


async def test_empty_day_sends_nothing_and_is_remembered(services) -> None:
    subscribe(services, [1, 2])
    channel = MemoryChannel()
    result = await daily(services, channel, day=dt.date(2025, 2, 15))
    assert result.status == "empty" and channel.sent == []
    assert (await daily(services, channel, day=dt.date(2025, 2, 15))).status == "done-before"


async def test_blocked_chat_is_deactivated_and_never_retried(services) -> None:
    subscribe(services, [1, 2, 3])
    channel = MemoryChannel(parts_per_digest=3)
    channel.always["2"] = SendResult("blocked", "Forbidden: bot was blocked by the user")
    await daily(services, channel)
    assert [c for c, _ in channel.calls].count("2") == 1
    assert len(channel.received("1")) == len(channel.received("3")) == 3
    with services.db.session() as session:
        sub = subscribers.get(session, "telegram", "2")
    assert not sub.active and "blocked" in sub.deactivated_reason
    assert Counter(d.status for d in outbox_rows(services)) == {"sent": 6, "blocked": 3}


async def test_rate_limited_sends_are_retried_after_the_pause(services) -> None:
    subscribe(services, [1, 2])
    channel = MemoryChannel()
    channel.will("1", [SendResult("retry", retry_after=0.2), SendResult("retry", retry_after=0.2)])
    engine = BroadcastEngine(services, {"telegram": channel}, "w", pacing=True)
    started = asyncio.get_running_loop().time()
    await daily(services, channel, engine=engine)
    assert Counter(s.chat_id for s in channel.sent) == {"1": 1, "2": 1}
    assert asyncio.get_running_loop().time() - started >= 0.4
    assert {d.status for d in outbox_rows(services)} == {"sent"}


async def test_ambiguous_sends_are_marked_unknown_by_default(services) -> None:
    subscribe(services, [1, 2])
    channel = MemoryChannel()
    channel.will("1", [SendResult("ambiguous", "read timeout")])
    await daily(services, channel)
    assert channel.received("1") == []
    assert Counter(d.status for d in outbox_rows(services)) == {"sent": 1, "unknown": 1}


async def test_ambiguous_sends_are_resent_when_configured(services) -> None:
    services.settings.resend_ambiguous = True
    subscribe(services, [1])
    channel = MemoryChannel()
    channel.will("1", [SendResult("ambiguous", "read timeout")])
    await daily(services, channel)
    assert len(channel.received("1")) == 1
    assert {d.status for d in outbox_rows(services)} == {"sent"}


async def test_migrated_group_gets_the_digest_at_its_new_id(services) -> None:
    subscribe(services, ["-100"], kind="group")
    channel = MemoryChannel()
    channel.always["-100"] = SendResult("moved", new_chat_id="-1009999")
    await daily(services, channel)
    assert len(channel.received("-1009999")) == 1
    with services.db.session() as session:
        assert subscribers.get(session, "telegram", "-1009999").active


async def test_a_crash_leaves_in_flight_rows_unknown_and_the_rest_is_resumed(services) -> None:
    subscribe(services, range(1, 11))
    channel = MemoryChannel()
    engine = engine_for(services, channel)
    run = DailyRun(services, {"telegram": channel}, engine)
    created = await run(DAY, wait=False)  # created, not sent
    rows = outbox_rows(services)
    with services.db.session() as session:  # as if a sender died right after claiming two rows
        outbox.mark_in_flight(session, [rows[0].id, rows[1].id], "dead-worker")
    assert await engine.recover() == 2
    resumed = await run(DAY, wait=True)
    assert resumed.status == "resumed" and resumed.broadcast_id == created.broadcast_id
    assert len(channel.sent) == 8
    assert Counter(d.status for d in outbox_rows(services)) == {"sent": 8, "unknown": 2}


async def test_two_engines_never_send_a_row_twice(services) -> None:
    subscribe(services, range(1, 201))
    channel = MemoryChannel(latency=0.001)
    first, second = engine_for(services, channel), engine_for(services, channel)
    result = await DailyRun(services, {"telegram": channel}, first)(DAY, wait=False)
    await asyncio.gather(
        first.send_broadcast(result.broadcast_id), second.send_broadcast(result.broadcast_id)
    )
    assert Counter(s.chat_id for s in channel.sent) == {str(i): 1 for i in range(1, 201)}


async def test_daily_broadcast_is_unique_per_day(services) -> None:
    subscribe(services, [1])
    channel = MemoryChannel()
    runs = [DailyRun(services, {"telegram": channel}, engine_for(services, channel)) for _ in range(3)]
    results = await asyncio.gather(*(run(DAY, wait=True) for run in runs))
    assert len({r.broadcast_id for r in results}) == 1
    assert len(channel.sent) == 1


async def test_pacing_respects_global_and_per_chat_limits(services) -> None:
    subscribe(services, range(1, 31))
    subscribe(services, ["-5"], kind="group")
    limits = ChatLimits(global_per_second=40.0, private_interval=0.3, group_interval=0.6)
    channel = MemoryChannel(limits=limits, parts_per_digest=2)
    engine = BroadcastEngine(services, {"telegram": channel}, "w", pacing=True)
    await daily(services, channel, engine=engine)
    times = sorted(at for _, at in channel.calls)
    assert len(times) == 62
    window = [sum(1 for t in times if start <= t < start + 0.5) for start in times]
    assert max(window) <= 40 * 0.5
    by_chat: dict[str, list[float]] = {}
    for chat, at in channel.calls:
        by_chat.setdefault(chat, []).append(at)
    assert by_chat["-5"][1] - by_chat["-5"][0] >= 0.6 - 0.01
    assert all(b - a >= 0.3 - 0.01 for a, b in (by_chat[str(i)] for i in range(1, 31)))


async def test_rebroadcast_command_queues_a_new_broadcast(services) -> None:
    subscribe(services, [1, 2])
    channel = MemoryChannel()
    engine = engine_for(services, channel)
    services = services.with_broadcaster(BroadcastQueue(services, {"telegram": channel}, engine.wake))
    admin = Chat(services, user_id="42", chat_id="42")
    assert "2곳" in admin.say("/rebroadcast 2025-02-11")
    assert "이미 진행 중" in admin.say("/rebroadcast 2025-02-11")
    assert "1곳" in admin.say("/rebroadcast 2025-02-11 here")  # the admin's own chat, not subscribed
    await engine.run_pending()
    assert Counter(s.chat_id for s in channel.sent) == {"1": 1, "2": 1, "42": 1}
    with services.db.session() as session:
        kinds = [b.kind for b in broadcasts.recent(session)]
        assert not subscribers.get(session, "telegram", "42").active
    assert kinds == ["rebroadcast", "rebroadcast"]
    assert "성공 1" in admin.say("/stats")


async def test_admins_get_a_dm_when_the_daily_run_fails(services) -> None:
    channel = MemoryChannel()

    def fetch(day):
        from bot.sources.hf import HFError

        raise HFError("Hugging Face 2025-03-01: HTTP 503 after 5 attempts")

    run = DailyRun(services, {"telegram": channel}, engine_for(services, channel), fetch=fetch)
    result = await run(dt.date(2025, 3, 1), wait=True)
    assert result.status == "failed"
    [notice] = channel.received("42")
    assert "2025-03-01" in notice and "503" in notice


@pytest.mark.parametrize("resend", [False, True])
async def test_recover_only_touches_in_flight_rows(services, resend: bool) -> None:
    subscribe(services, [1, 2, 3])
    channel = MemoryChannel()
    await DailyRun(services, {"telegram": channel}, engine_for(services, channel))(DAY, wait=False)
    rows = outbox_rows(services)
    with services.db.session() as session:
        outbox.mark_in_flight(session, [rows[0].id], "dead")
        outbox.record(session, [outbox.OutboxOutcome(rows[0].id, "sent")])
        outbox.mark_in_flight(session, [rows[1].id], "dead")
        assert outbox.recover(session, resend) == 1
        statuses = [session.get(OutboxRow, r.id).status for r in rows]
        assert session.scalar(select(Subscriber.id).where(Subscriber.chat_id == "3")) is not None
    assert statuses == ["sent", "pending" if resend else "unknown", "pending"]


async def test_rebroadcast_here_leaves_the_chats_subscription_as_it_was(services) -> None:
    subscribe(services, ["-100777"], fields=["nlp"], kind="group")
    with services.db.session() as session:
        subscribers.unsubscribe(session, "telegram", "-100777")
        before = subscribers.get(session, "telegram", "-100777")
    channel = MemoryChannel()
    engine = engine_for(services, channel)
    services = services.with_broadcaster(BroadcastQueue(services, {"telegram": channel}, engine.wake))
    admin = Chat(services, user_id="42", chat_id="-100777", chat_kind="group")
    assert "1곳" in admin.say("/rebroadcast here")
    await engine.run_pending()
    with services.db.session() as session:
        assert subscribers.get(session, "telegram", "-100777") == before
    [digest] = channel.received("-100777")
    assert "자연어 처리" in digest and "TOP 5" not in digest  # its own field filter still applies


async def test_rebroadcast_of_a_day_without_papers_creates_nothing(services) -> None:
    subscribe(services, [1])
    channel = MemoryChannel()
    services = services.with_broadcaster(BroadcastQueue(services, {"telegram": channel}, lambda: None))
    reply = Chat(services, user_id="42", chat_id="42").reply("/rebroadcast 2020-01-01")
    assert reply.error and "2020-01-01" in reply.text and "/top 2025-02-11" in reply.text
    with services.db.session() as session:
        assert broadcasts.recent(session) == []


async def test_a_migrated_group_gets_every_part_at_its_new_id(services) -> None:
    subscribe(services, ["-100"], kind="group")
    channel = MemoryChannel(parts_per_digest=3)
    channel.always["-100"] = SendResult("moved", new_chat_id="-1009999")
    await daily(services, channel)
    assert [c for c, _ in channel.calls] == ["-100", "-1009999", "-1009999", "-1009999"]
    with services.db.session() as session:
        moved = subscribers.get(session, "telegram", "-1009999")
    assert moved.active and Counter(d.status for d in outbox_rows(services)) == {"sent": 3}


async def test_a_group_moved_into_a_subscribed_chat_gets_no_second_copy(services) -> None:
    subscribe(services, ["-100", "-1009999"], kind="group")
    channel = MemoryChannel()
    channel.always["-100"] = SendResult("moved", new_chat_id="-1009999")
    await daily(services, channel)
    assert len(channel.received("-1009999")) == 1
    with services.db.session() as session:
        assert not subscribers.get(session, "telegram", "-100").active


async def test_stop_during_a_rate_limit_pause_is_prompt_and_sends_nothing_more(services) -> None:
    subscribe(services, range(1, 6))
    # One slot every ~3 s: the 429 is back long before the next slot, however slow the database.
    channel = MemoryChannel(limits=ChatLimits(1 / 3, 0.0, 0.0))
    channel.will("1", [SendResult("retry", retry_after=600)])
    engine = BroadcastEngine(services, {"telegram": channel}, "w", pacing=True)
    run = DailyRun(services, {"telegram": channel}, engine)
    task = asyncio.create_task(run(DAY, wait=True))
    while not engine.pacers["telegram"].paused_until:
        await asyncio.sleep(0.01)
    await asyncio.sleep(3.5)  # past the next slot: the second send now waits for the pause to end
    engine.stopping.set()
    await asyncio.wait_for(task, 60)  # far less than the 600 s pause: the stop did not wait it out
    assert len(channel.calls) == 1  # the 429, and nothing during the pause or after the stop
    assert Counter(d.status for d in outbox_rows(services)) == {"pending": 5}


async def test_a_process_that_loses_the_lead_stops_claiming(services) -> None:
    subscribe(services, range(1, 41))
    channel = MemoryChannel(latency=0.005)
    leading = {"yes": True}
    engine = BroadcastEngine(
        services, {"telegram": channel}, "w", may_send=lambda: leading["yes"], concurrency=4, pacing=False
    )
    run = DailyRun(services, {"telegram": channel}, engine)
    task = asyncio.create_task(run(DAY, wait=True))
    while len(channel.sent) < 10:
        await asyncio.sleep(0.005)
    leading["yes"] = False
    await asyncio.wait_for(task, 60)
    statuses = Counter(d.status for d in outbox_rows(services))
    assert statuses["in_flight"] == 0 and 10 <= statuses["sent"] < 40
    assert statuses["sent"] + statuses["pending"] == 40 and len(channel.sent) == statuses["sent"]
