"""Pacing for one bot token: a global rate, a minimum interval per chat, and 429 or outage pauses.

Two steps: `slot()` paces the dispatcher (how fast rows are claimed), and `admit()` is the check
right before a request leaves, for broadcasts and replies alike. Only `admit()` is binding: a send
that waited (for its claim, a place in flight, a busy event loop) is checked again there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

from bot.broadcast.window import SAFETY, SendWindow
from bot.channels import Channel, ChatLimits

PRUNE_AT = 10_000  # chats remembered before those whose interval has passed are forgotten

# A step running up to this many seconds behind schedule catches up at once instead of losing
# the slot; the sliding window still holds every second to the limit.
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
    """Decides when the next message may go out, for every sender of one bot token.

    Both steps use virtual scheduling (GCRA): slot k is due `k / rate` after the first, so a waiter
    woken a little late does not push every later slot back, and sends never bunch up.
    """

    def __init__(self, limits: ChatLimits, enabled: bool = True) -> None:
        self.enabled = enabled
        self._use(limits)
        self._next_slot = 0.0  # the dispatcher's next claim
        self._next_send = 0.0  # the next request to leave
        self._admission = asyncio.Lock()  # one decision at a time: two sends never take one place
        self._next_for_chat: dict[str, float] = {}
        self._prune_at = PRUNE_AT
        self._paused_until = 0.0

    def split(self, senders: int) -> None:
        """One of `senders` processes sending for the same token: keep to its part of the global rate."""
        self._use(dataclasses.replace(self.limits, global_per_second=self.limits.global_per_second / senders))

    def _use(self, limits: ChatLimits) -> None:
        """Take `limits`, and the slot period and sliding window of its global rate."""
        self.limits = limits
        self._period = 1.0 / max(limits.global_per_second * SAFETY, 0.001)
        self._window = SendWindow(limits.global_per_second)

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
            if len(self._next_for_chat) > self._prune_at:  # forget chats whose interval has passed
                now = time.monotonic()
                self._next_for_chat = {c: t for c, t in self._next_for_chat.items() if t > now}
                self._prune_at = max(PRUNE_AT, 2 * len(self._next_for_chat))

    def pause(self, seconds: float) -> None:
        """Stop every send of this token for `seconds` (a 429 says so, or the platform is unreachable)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    @property
    def paused_until(self) -> float:
        """Monotonic time the current pause ends (0 when not paused)."""
        return self._paused_until

    async def slot(self, stopping: asyncio.Event | None = None) -> bool:
        """Wait for the end of any pause and for the dispatcher's next place in the global rate.

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

    async def admit(
        self, stopping: asyncio.Event | None = None, *, scheduled: bool = True, wait_out_pause: bool = True
    ) -> bool:
        """Wait until a request may leave now: no pause, its place in the rate, room in the window.

        Call it immediately before the request. `scheduled` is False for sends the dispatcher did
        not plan (replies, notices): they take a dispatcher slot too. False when stopping first, or
        at once during a pause unless `wait_out_pause` (a claimed row goes back instead of waiting).
        """
        if not self.enabled:
            return not (stopping and stopping.is_set())
        async with self._admission:
            while (wait := self._admission_wait(now := time.monotonic())) > 0:
                if not wait_out_pause and self._paused_until > now:
                    return False
                if await sleep_unless(stopping, wait):
                    return False
            if stopping is not None and stopping.is_set():
                return False
            self._admitted(time.monotonic(), scheduled)
            return True

    def _admission_wait(self, now: float) -> float:
        return max(self._paused_until - now, self._next_send - now, self._window.wait(now))

    def _admitted(self, now: float, scheduled: bool) -> None:
        self._next_send = max(self._next_send, now - LATE_TOLERANCE) + self._period
        self._window.add(now)
        if not scheduled:  # the dispatcher leaves the place it took to this send
            self._next_slot = max(self._next_slot, now - LATE_TOLERANCE) + self._period


def pacer_for(channel: Channel, enabled: bool = True) -> Pacer:
    """The channel's own pacer when it has one (its token's replies use it too), else a new one."""
    own = getattr(channel, "pacer", None)
    if enabled and isinstance(own, Pacer):
        return own
    return Pacer(channel.limits, enabled=enabled)
