"""Slack digests as threads, through the real engine and slack_sdk against the fake Slack Web API:
one header message, the cards as replies in its thread, and no second header after a restart."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.broadcast.engine import BroadcastEngine
from bot.daily import DailyRun
from bot.services import Services
from handlers.slack.sender import SlackChannel, make_client
from storage import outbox, subscribers
from storage.tables import OutboxRow
from tests.fakes.slack_server import Canned, FakeSlack

DAY = dt.date(2025, 2, 11)
TOKEN = "xoxb-1-thread-token"
CARDS = 5  # the sample day's top N


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as server:
        yield server


def slack_for(services: Services, fake: FakeSlack) -> SlackChannel:
    """A Slack sender of its own (a new process has nothing of an earlier one in memory)."""
    values = {"slack_bot_token": SecretStr(TOKEN), "slack_api_base": fake.api_base}
    return SlackChannel(make_client(services.settings.model_copy(update=values)))


def subscribe(services: Services, chat: str, thread: bool) -> None:
    with services.db.session() as session:
        subscribers.subscribe(session, "slack", chat, "channel")
        assert subscribers.set_slack_thread(session, "slack", chat, thread)


async def run_daily(services: Services, channel: SlackChannel, **engine_options: Any) -> str:
    engine = BroadcastEngine(services, {"slack": channel}, "worker", pacing=False, **engine_options)
    await engine.recover()  # what every process does when it takes the lead
    return (await DailyRun(services, {"slack": channel}, engine)(DAY, wait=True)).status


def rows(services: Services, chat: str) -> list[OutboxRow]:
    with services.db.session() as session:
        sub = subscribers.get(session, "slack", chat)
        assert sub is not None
        query = select(OutboxRow).where(OutboxRow.subscriber_id == sub.id).order_by(OutboxRow.part)
        return list(session.scalars(query))


def assert_header(message: dict[str, Any]) -> None:
    assert "thread_ts" not in message
    assert message["blocks"][0]["type"] == "header" and "📰 2025-02-11" in message["text"]
    assert "제목" not in str(message["blocks"])  # the header carries no card


def assert_cards_in_thread(replies: list[dict[str, Any]], thread: str | None) -> None:
    assert [m.get("thread_ts") for m in replies] == [thread] * CARDS
    assert [m["text"].split(".", 1)[0] for m in replies] == [str(rank) for rank in range(1, CARDS + 1)]


async def test_a_thread_digest_is_one_header_with_the_cards_in_its_thread(services, fake) -> None:
    channel = slack_for(services, fake)
    subscribe(services, "C1", thread=True)
    subscribe(services, "C2", thread=False)
    assert await run_daily(services, channel) == "created"
    header, *replies = fake.channel_messages("C1")
    assert_header(header)
    assert_cards_in_thread(replies, header["ts"])
    (plain,) = fake.channel_messages("C2")  # the other channel keeps the one-message digest
    assert "thread_ts" not in plain and plain["text"] == header["text"]
    assert sum(b["type"] == "section" for b in plain["blocks"]) == CARDS
    sent = rows(services, "C1")
    assert [(r.part, r.status) for r in sent] == [(p, "sent") for p in range(CARDS + 1)]
    assert sent[0].message_ref == header["ts"]
    assert await run_daily(services, channel) == "done-before"
    assert len(fake.channel_messages("C1")) == CARDS + 1


async def test_a_restart_after_the_header_puts_the_cards_in_the_same_thread(services, fake) -> None:
    channel = slack_for(services, fake)
    subscribe(services, "C1", thread=True)
    # The first process stops sending right after the header went out (it lost the lead, or died).
    assert await run_daily(services, channel, may_send=lambda: not fake.channel_messages("C1")) == "created"
    (header,) = fake.channel_messages("C1")
    assert [r.status for r in rows(services, "C1")] == ["sent"] + ["pending"] * CARDS
    fresh = slack_for(services, fake)  # a new process: nothing of the first one in memory
    assert await run_daily(services, fresh) == "resumed"
    again, *replies = fake.channel_messages("C1")
    assert again == header  # no second header
    assert_cards_in_thread(replies, header["ts"])


async def test_a_header_whose_outcome_a_crash_left_unknown_is_not_posted_again(services, fake) -> None:
    channel = slack_for(services, fake)
    subscribe(services, "C1", thread=True)
    assert await run_daily(services, channel, may_send=lambda: False) == "created"  # planned, not sent
    header_row = rows(services, "C1")[0]
    with services.db.session() as session:  # a process claims the header and dies before recording it
        assert outbox.mark_in_flight(session, [header_row.id], "dead-worker") == [header_row.id]
    assert await run_daily(services, channel) == "resumed"
    messages = fake.channel_messages("C1")
    assert [m for m in messages if m["blocks"][0]["type"] == "header"] == []  # never a header twice
    assert_cards_in_thread(messages, None)  # no thread to go into: the cards still arrive, in order
    assert [r.status for r in rows(services, "C1")] == ["unknown"] + ["sent"] * CARDS


async def test_a_failed_reply_does_not_stop_the_thread(services, fake) -> None:
    channel = slack_for(services, fake)
    subscribe(services, "C1", thread=True)
    ok = Canned(200, {"ok": True, "ts": "9.000100"})
    fake.fail_with("chat.postMessage", ok, Canned(200, {"ok": False, "error": "msg_too_long"}))
    assert await run_daily(services, channel) == "created"
    replies = fake.channel_messages("C1")  # (the header and the refused reply came from the canned answers)
    assert [m["thread_ts"] for m in replies] == ["9.000100"] * (CARDS - 1)
    assert [r.status for r in rows(services, "C1")] == ["sent", "failed"] + ["sent"] * (CARDS - 1)


async def test_with_resend_ambiguous_an_unknown_header_is_sent_again_and_threads_the_cards(
    services, fake
) -> None:
    services = dataclasses.replace(
        services, settings=services.settings.model_copy(update={"resend_ambiguous": True})
    )
    channel = slack_for(services, fake)
    subscribe(services, "C1", thread=True)
    assert await run_daily(services, channel, may_send=lambda: False) == "created"
    header_row = rows(services, "C1")[0]
    with services.db.session() as session:
        assert outbox.mark_in_flight(session, [header_row.id], "dead-worker") == [header_row.id]
    assert await run_daily(services, channel) == "resumed"
    header, *replies = fake.channel_messages("C1")  # at-least-once, as the setting asks
    assert_header(header)
    assert_cards_in_thread(replies, header["ts"])
