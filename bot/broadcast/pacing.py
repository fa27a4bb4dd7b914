"""Pacing for one platform: a global rate, a minimum interval per chat, and 429 pauses."""

from __future__ import annotations

import asyncio
import time

from bot.channels import ChatLimits

# Pace a little under the configured rate, so that network jitter never lets a second count more
# messages at the server than the limit allows.
SAFETY = 0.97
# A dispatcher running up to this many seconds behind schedule catches up with back-to-back sends
# instead of losing the slots; the margin above still keeps every one-second window in the limit.
LATE_TOLERANCE = (1 - SAFETY) / 3


async def sleep_unless(event: asyncio.Event | None, seconds: float) -> bool:
    """Sleep `seconds`, or less when `event` is set first; True when it was."""
    if event is None:
        await asyncio.sleep(seconds)
        return False
    if event.is_set():
        return True
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        return False
    return True


class Pacer:
    """Decides when the next message may go out; every send awaits `slot()` first.

    The global rate uses virtual scheduling (GCRA): slot k is due `k / rate` after the first, so a
    waiter woken a little late does not push every later slot back, and sends never bunch up.
    """

    def __init__(self, limits: ChatLimits, enabled: bool = True) -> None:
        self.limits = limits
        self.enabled = enabled
        self._period = 1.0 / max(limits.global_per_second * SAFETY, 0.001)
        self._next_slot = 0.0  # the theoretical time of the next send
        self._next_for_chat: dict[str, float] = {}
        self._paused_until = 0.0

    def chat_ready_at(self, chat_id: str) -> float:
        """Monotonic time when `chat_id` may get its next message."""
        return self._next_for_chat.get(chat_id, 0.0)

    def interval(self, chat_kind: str) -> float:
        """Minimum seconds between two messages to one chat of this kind."""
        return self.limits.private_interval if chat_kind == "private" else self.limits.group_interval

    def sent_to(self, chat_id: str, chat_kind: str, at: float | None = None) -> None:
        """Remember a send so the chat's next message waits its interval."""
        if self.enabled:
            self._next_for_chat[chat_id] = (at or time.monotonic()) + self.interval(chat_kind)

    def pause(self, seconds: float) -> None:
        """Stop every send on this platform for `seconds` (a 429 says so)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    @property
    def paused_until(self) -> float:
        """Monotonic time the current pause ends (0 when not paused)."""
        return self._paused_until

    async def slot(self, stopping: asyncio.Event | None = None) -> bool:
        """Wait for the end of any pause and for this send's place in the global rate.

        Returns False (at once) when `stopping` is set meanwhile: a long 429 pause never delays
        a shutdown.
        """
        if not self.enabled:
            return not (stopping and stopping.is_set())
        while True:
            now = time.monotonic()
            if self._paused_until > now:
                if await sleep_unless(stopping, self._paused_until - now):
                    return False
                continue
            due = max(self._next_slot, now - LATE_TOLERANCE)
            self._next_slot = due + self._period
            if due > now and await sleep_unless(stopping, due - now):  # (a late one goes at once)
                return False
            if self._paused_until <= time.monotonic():
                return True  # else a pause began while we waited: queue again after it
