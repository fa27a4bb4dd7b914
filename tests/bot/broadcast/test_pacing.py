"""Rate limits hold over every sliding second of the actual send times, even on a busy machine."""

from __future__ import annotations

import datetime as dt
import math

from bot.broadcast.engine import BroadcastEngine
from bot.broadcast.window import SendWindow
from bot.channels import ChatLimits
from bot.daily import DailyRun
from storage import subscribers
from tests.fakes.memory_channel import MemoryChannel

DAY = dt.date(2025, 2, 11)


def busiest_second(times: list[float], span: float = 1.0) -> int:
    """The most sends in any window of `span` seconds."""
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + span) for start in times)


def test_the_window_holds_the_cap_over_any_span() -> None:
    window = SendWindow(25)
    assert window.cap == 25 and window.span > 1.0
    now = 100.0
    for _ in range(25):
        assert window.wait(now) == 0
        window.add(now)
    assert math.isclose(window.wait(now + 0.5), window.span - 0.5)
    assert window.wait(now + window.span) == 0


async def test_a_stalled_event_loop_does_not_let_a_burst_through(services) -> None:
    rate = 25
    with services.db.session() as session:
        for chat in range(1, 81):
            subscribers.subscribe(session, "telegram", str(chat), "private", None)
    channel = MemoryChannel(limits=ChatLimits(rate, 0.0, 0.0), stalls={10: 0.5, 30: 0.8, 50: 0.3})
    engine = BroadcastEngine(services, {"telegram": channel}, "w", pacing=True)
    await DailyRun(services, {"telegram": channel}, engine)(DAY, wait=True)
    times = [at for _, at in channel.calls]
    assert len(times) == 80
    assert busiest_second(times) <= rate


def test_a_pacer_forgets_chats_whose_interval_has_passed() -> None:
    from bot.broadcast import pacing

    pacer = pacing.Pacer(ChatLimits(1000.0, 1.0, 3.0))
    for chat in range(pacing.PRUNE_AT + 1):  # long ago: every interval has passed
        pacer.sent_to(str(chat), "private", at=-100.0)
    pacer.sent_to("recent", "group")
    assert pacer.chat_ready_at("recent") > 0 and pacer.chat_ready_at("0") == 0.0
    assert len(pacer._next_for_chat) < 10  # the old chats are not kept


def test_split_gives_each_sender_its_part_of_the_rate() -> None:
    from bot.broadcast.pacing import Pacer

    pacer = Pacer(ChatLimits(30.0, 1.0, 3.0))
    pacer.split(3)
    assert pacer.limits == ChatLimits(10.0, 1.0, 3.0)
