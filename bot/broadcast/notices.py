"""DMs from the engine to the bot admins, held for a platform that cannot be reached until it answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping

from bot.broadcast.pacing import Pacer
from bot.channels import Channel

log = logging.getLogger(__name__)

NOT_GONE = ("unsent", "retry")  # the notice did not arrive, but may later: keep it


def admin_chat(platform: str, user: str) -> str:
    """The DM chat of an admin (Slack admins are listed as TEAM:USER)."""
    return user.split(":", 1)[1] if platform == "slack" else user


class AdminNotices:
    """Sends notices to every admin in the background, in order per platform."""

    def __init__(
        self,
        admins: Iterable[tuple[str, str]],
        channels: Mapping[str, Channel],
        pacers: Mapping[str, Pacer],
        stopping: asyncio.Event | None = None,
    ) -> None:
        self.admins = sorted(a for a in admins if a[0] in channels and a[0] != "console")
        self.channels, self.pacers, self.stopping = channels, pacers, stopping
        self._queued: dict[str, list[tuple[str, object]]] = {}
        self._locks = {name: asyncio.Lock() for name in channels}
        self._tasks: set[asyncio.Task[None]] = set()

    def tell(self, text: str) -> None:
        """Queue `text` for every admin and send what every platform has queued."""
        for platform, user in self.admins:
            parts = self.channels[platform].render_text(text)
            self._queued.setdefault(platform, []).extend((admin_chat(platform, user), p) for p in parts)
        for platform in list(self._queued):
            task = asyncio.create_task(self._flush(platform))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def settle(self, timeout: float = 30.0) -> None:
        """Wait (bounded) for notices being sent: a command-line run sends them before it exits."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def _flush(self, platform: str) -> None:
        async with self._locks[platform]:
            queue = self._queued.get(platform, [])
            while queue:
                chat, part = queue[0]
                if not await self.pacers[platform].admit(self.stopping, scheduled=False):
                    return  # stopping: a notice never holds up a shutdown
                result = await self.channels[platform].send(chat, part)
                if result.status in NOT_GONE:
                    return  # tried again with the next notice, or when the platform is back
                queue.pop(0)
                if result.status != "sent":
                    log.warning("event=admin-notice-failed platform=%s status=%s", platform, result.status)
