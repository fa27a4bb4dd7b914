"""The broadcast engine: sends outbox rows with pacing, records every outcome, resumes after a crash."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Mapping

from bot import metrics
from bot.broadcast.notices import AdminNotices
from bot.broadcast.outage import OutageWatch, Reachability
from bot.broadcast.pacing import pacer_for
from bot.broadcast.pages import PendingPages
from bot.broadcast.sender import PlatformRun
from bot.broadcast.steps import Sending
from bot.channels import Channel
from bot.services import Services
from storage import broadcasts, outbox
from storage.outbox import Share

log = logging.getLogger(__name__)
ALONE = frozenset({"console"})  # platforms only the leading process sends to, whatever its share


class BroadcastEngine:
    """Sends every unfinished broadcast, oldest first; one instance per process, run by the leader."""

    name = "broadcast-engine"

    def __init__(
        self,
        services: Services,
        channels: Mapping[str, Channel],
        worker_id: str,
        *,
        concurrency: int = 64,
        pacing: bool = True,
        poll_interval: float = 2.0,
        may_send: Callable[[], bool] = lambda: True,
        share: Share | None = None,
    ) -> None:
        self.services, self.channels, self.worker_id = services, dict(channels), worker_id
        # With several sender processes: this one's share of the rows (console chats are all its own).
        self.share = share
        self.concurrency, self.poll_interval, self.may_send = concurrency, poll_interval, may_send
        self._leading = False
        self.pacers = {name: pacer_for(ch, pacing) for name, ch in self.channels.items()}
        if share is not None and share[1] > 1 and pacing:  # the senders share each token's rate
            for name in self.channels.keys() - ALONE:
                self.pacers[name].split(share[1])
        self.stopping = asyncio.Event()
        self.notices = AdminNotices(services.admins, self.channels, self.pacers, self.stopping)
        self.watches = {name: self._watch(name) for name in self.channels}
        self._wakeup = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    def _watch(self, platform: str) -> OutageWatch:
        settings = self.services.settings
        reach = Reachability(settings.unreachable_notice_minutes * 60, settings.send_retry_max_seconds)
        return OutageWatch(platform, self.pacers[platform], self.notices, settings.send_retry_hours, reach)

    def wake(self) -> None:
        """Look for new broadcasts now (safe to call from any thread)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wakeup.set)

    async def recover(self) -> int:
        """Settle rows a crashed sender left in flight (unknown, or pending to resend)."""
        resend = self.services.settings.resend_ambiguous
        with self.services.db.session() as session:
            count = outbox.recover(session, resend, self.share, [p for p in self.channels if p in ALONE])
        if count:
            log.warning("event=recovered rows=%d marked=%s", count, "pending" if resend else "unknown")
        return count

    async def start(self) -> None:
        """Keep sending in the background until `stop()` (only while `may_send()` says so)."""
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._serve(), name="broadcast-engine")

    async def stop(self) -> None:
        """Stop claiming, let sends in flight finish and record them, then return."""
        self.stopping.set()
        self._wakeup.set()
        if self._task is not None:
            await self._task

    async def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                leading = self.may_send()
                if leading and not self._leading:  # each time the lead is taken: settle what a
                    await self.recover()  # process that led before left in flight
                self._leading = leading
                if leading:
                    await self.run_pending()
            except Exception:
                log.exception("event=engine-error")
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.poll_interval)

    async def run_pending(self) -> None:
        """Send every unfinished broadcast once through (used by the CLI too)."""
        self._loop = self._loop or asyncio.get_running_loop()
        with self.services.db.session() as session:
            ids = broadcasts.unfinished(session)
        for broadcast_id in ids:
            if self.stopping.is_set():
                return
            await self.send_broadcast(broadcast_id)

    async def send_broadcast(self, broadcast_id: int) -> dict[str, int]:
        """Send what is pending of one broadcast on every platform at once; returns its counts."""
        db = self.services.db
        with db.session() as session:
            broadcasts.set_status(session, broadcast_id, "running")
            parts = outbox.payloads(session, broadcast_id)
            heads = {name: outbox.thread_heads(session, broadcast_id, name) for name in self.channels}
            retry_until = self._retry_until(broadcasts.created_at(session, broadcast_id))
            pending = broadcasts.counts(session, broadcast_id).get("pending", 0)
        pages = {name: self._pages(broadcast_id, name) for name in self.channels}
        items = {name: await asyncio.to_thread(page.next) for name, page in pages.items()}
        started = time.monotonic()
        log.info("broadcast=%d event=sending rows=%d share=%s", broadcast_id, pending, self.share)
        sending = Sending(
            self.services, self.worker_id, self.concurrency, self.stopping, self.may_send, retry_until
        )
        runs = [
            PlatformRun(sending, channel, self.pacers[name], parts, self.watches[name], heads[name]).run(
                items[name], pages[name]
            )
            for name, channel in self.channels.items()
            if items[name]
        ]
        for failure in await asyncio.gather(*runs, return_exceptions=True):
            if isinstance(failure, BaseException):  # the other platforms' runs went on regardless
                log.error("broadcast=%d event=platform-run-failed", broadcast_id, exc_info=failure)
        await self.notices.settle()
        with db.session() as session:
            done = outbox.finish_if_complete(session, broadcast_id)
            counts = broadcasts.counts(session, broadcast_id)
        event = "finished" if done else "paused"
        metrics.BROADCAST_SECONDS.observe(time.monotonic() - started)
        log.info(
            "broadcast=%d event=%s seconds=%.1f %s",
            broadcast_id,
            event,
            time.monotonic() - started,
            " ".join(f"{k}={v}" for k, v in sorted(counts.items())),
        )
        return counts

    def _pages(self, broadcast_id: int, platform: str) -> PendingPages:
        share = None if platform in ALONE else self.share
        return PendingPages(self.services.db, broadcast_id, platform, share)

    def _retry_until(self, created: dt.datetime | None) -> float:
        """Monotonic time until which unsent rows are tried: PAPERBOT_SEND_RETRY_HOURS from creation."""
        if created is None:
            return math.inf
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        left = created + dt.timedelta(hours=self.services.settings.send_retry_hours) - now
        return time.monotonic() + left.total_seconds()
