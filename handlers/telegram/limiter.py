"""Replies take their places from the broadcast pacer of the same bot token: one budget per token.

Telegram counts every message of a token against one limit, whichever `Bot` object sent it. The
Application's requests ask the broadcast channel's pacer right before they leave, so replies and
a running broadcast together stay within PAPERBOT_TELEGRAM_RATE, and a 429 pauses both.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.broadcast.pacing import Pacer

GROUP_PER_MINUTE = 20  # Telegram's limit for one group, kept as PTB's AIORateLimiter keeps it
GROUP_LIMITERS_KEPT = 512
MESSAGE_METHODS = ("send", "copy", "forward", "edit")  # requests that put a message in a chat

Result = bool | dict[str, Any] | list[dict[str, Any]]


def retry_after_seconds(exc: RetryAfter) -> float:
    """The 429's wait in seconds (PTB 22 warns that the int form will become a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class SharedRateLimiter(BaseRateLimiter[int]):
    """PTB's rate limiter hook, answered by the token's pacer (plus 20 messages a minute per group)."""

    def __init__(self, pacer: Pacer, max_retries: int = 1) -> None:
        self.pacer, self.max_retries = pacer, max_retries
        self._groups: dict[str | int, AsyncLimiter] = {}

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Send when the pacer admits it; after a 429, pause the whole token and try again."""
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            try:
                return await self._paced(callback, args, kwargs, endpoint, data)
            except RetryAfter as exc:
                self.pacer.pause(retry_after_seconds(exc))
                if attempt >= retries:
                    raise
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _paced(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
    ) -> Result:
        chat = data.get("chat_id")
        if chat is None or not endpoint.lower().startswith(MESSAGE_METHODS):
            return await callback(*args, **kwargs)
        group = self._group(chat)
        if group is not None:
            await group.acquire()
        await self.pacer.admit(scheduled=False)
        return await callback(*args, **kwargs)

    def _group(self, chat: object) -> AsyncLimiter | None:
        """The per-minute limiter of a group or channel (negative ids and @names); None for a user."""
        text = str(chat)
        key: str | int = int(text) if text.lstrip("-").isdigit() else text
        if isinstance(key, int) and key > 0:
            return None
        if key not in self._groups:
            if len(self._groups) >= GROUP_LIMITERS_KEPT:
                self._groups.pop(next(iter(self._groups)))
            self._groups[key] = AsyncLimiter(GROUP_PER_MINUTE, 60)
        return self._groups[key]
