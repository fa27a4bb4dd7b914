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
