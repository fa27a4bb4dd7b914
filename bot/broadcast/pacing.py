"""Pacing for one platform: a global rate, a minimum interval per chat, and 429 pauses."""

from __future__ import annotations

import asyncio
import time

from aiolimiter import AsyncLimiter

from bot.channels import ChatLimits

# Pace a little under the configured rate so clock jitter never pushes a second past the limit.
SAFETY = 0.97


class Pacer:
    """Decides when the next message may go out; every send awaits `slot()` first."""

    def __init__(self, limits: ChatLimits, enabled: bool = True) -> None:
        self.limits = limits
        self.enabled = enabled
        rate = max(limits.global_per_second * SAFETY, 0.001)
        # capacity 1: evenly spaced sends, never a burst at the start of a second
        self._global = AsyncLimiter(1, 1 / rate)
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

    async def slot(self) -> None:
        """Wait for the end of any pause and for the global rate."""
        if not self.enabled:
            return
        while (wait := self._paused_until - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        await self._global.acquire()
        while (wait := self._paused_until - time.monotonic()) > 0:  # a pause may start while we waited
            await asyncio.sleep(wait)
