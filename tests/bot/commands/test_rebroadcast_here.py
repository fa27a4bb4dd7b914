"""`/rebroadcast here` in a chat whose field filter matches nothing that day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot import texts
from bot.broadcast.plan import BroadcastQueue
from storage import subscribers
from storage.tables import Broadcast
from tests.fakes.memory_channel import MemoryChannel
from tests.transcripts.layer import Chat


def broadcast_count(services) -> int:
    with services.db.session() as session:
        return session.scalar(select(func.count()).select_from(Broadcast)) or 0


def test_rebroadcast_here_with_no_matching_field_says_so_and_records_nothing(services) -> None:
    with services.db.session() as session:
        subscribers.subscribe(session, "telegram", "42", fields=["robotics", "audio"])
    broadcaster = BroadcastQueue(services, {"telegram": MemoryChannel()}, lambda: None)
    admin = Chat(services.with_broadcaster(broadcaster), user_id="42", chat_id="42")
    answer = admin.say("/rebroadcast 2025-02-11 here")
    names = texts.FIELD_SEPARATOR.join(services.taxonomy.name(c) for c in ("robotics", "audio"))
    assert answer == texts.REBROADCAST_NO_MATCH.format(fields=names, day="2025-02-11")
    assert "2025-02-11" in answer and "로보틱스" in answer
    assert broadcast_count(services) == 0


def test_rebroadcast_to_recipients_that_match_nothing_creates_no_broadcast(services) -> None:
    with services.db.session() as session:
        subscribers.subscribe(session, "telegram", "7", fields=["robotics"])
    broadcaster = BroadcastQueue(services, {"telegram": MemoryChannel()}, lambda: None)
    result = broadcaster.rebroadcast(dt.date(2025, 2, 11), "cli", None)
    assert (result.broadcast_id, result.recipients) == (None, 0)
    assert broadcast_count(services) == 0
