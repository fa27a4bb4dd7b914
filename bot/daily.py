"""The daily run of one day: fetch (refresh votes), fill Korean texts, snapshot, broadcast — once."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot import texts
from bot.broadcast.engine import BroadcastEngine
from bot.broadcast.plan import plan
from bot.channels import Channel
from bot.ingest import store_day_list
from bot.selection import has_papers
from bot.services import Services
from bot.sources.hf import DayList, HFError
from storage import broadcasts
from storage.broadcasts import NewBroadcast

log = logging.getLogger(__name__)

Fetch = Callable[[dt.date], DayList]
Summarize = Callable[[dt.date], Awaitable[str | None]]  # returns a note when it failed


@dataclass(frozen=True)
class DailyResult:
    """What a daily run did."""

    day: dt.date
    status: str  # created | resumed | done-before | empty | failed
    broadcast_id: int | None = None
    recipients: int = 0
    note: str | None = None


class DailyRun:
    """Everything the daily digest of one day needs, wired once."""

    def __init__(
        self,
        services: Services,
        channels: Mapping[str, Channel],
        engine: BroadcastEngine,
        fetch: Fetch | None = None,
        summarize: Summarize | None = None,
    ) -> None:
        self.services, self.channels, self.engine = services, channels, engine
        self.fetch, self.summarize = fetch, summarize

    async def __call__(self, day: dt.date, wait: bool = False) -> DailyResult:
        """Run the digest of `day`; a second call for the same day never sends twice."""
        with self.services.db.session() as session:
            existing = broadcasts.find_daily(session, day)
        if existing is not None:
            return await self._resume(day, existing, wait)
        notes = [n for n in (await self._fetch(day), await self._summarize(day)) if n]
        with self.services.db.session() as session:
            recipients = broadcasts.active_subscribers(session)
        if notes and not has_papers(self.services, day):
            await self.notify_admins(texts.DAILY_FAILED.format(day=day, reason="; ".join(notes)))
            return DailyResult(day, "failed", note="; ".join(notes))
        parts, chosen = plan(self.services, self.channels, day, recipients)
        new = NewBroadcast(
            day=day, kind="daily", parts=parts, recipients=chosen, note="; ".join(notes) or None
        )
        broadcast_id, created = broadcasts.create_daily_once(self.services.db, new)
        log.info(
            "broadcast=%d event=%s kind=daily day=%s recipients=%d",
            broadcast_id,
            "created" if created else "exists",
            day,
            len(chosen),
        )
        await self._send(broadcast_id, wait)
        status = ("created" if chosen else "empty") if created else "resumed"
        return DailyResult(day, status, broadcast_id, len(chosen), new.note)

    async def _resume(self, day: dt.date, existing: tuple[int, str], wait: bool) -> DailyResult:
        broadcast_id, status = existing
        if status == "done":
            return DailyResult(day, "done-before", broadcast_id)
        await self._send(broadcast_id, wait)
        return DailyResult(day, "resumed", broadcast_id)

    async def _send(self, broadcast_id: int, wait: bool) -> None:
        if wait:
            await self.engine.send_broadcast(broadcast_id)
        else:
            self.engine.wake()

    async def _fetch(self, day: dt.date) -> str | None:
        if self.fetch is None:
            return None
        try:
            day_list = await asyncio.to_thread(self.fetch, day)
        except HFError as exc:
            log.warning("day=%s event=fetch-failed error=%s", day, exc)
            return f"fetch failed: {exc}"
        report = await asyncio.to_thread(store_day_list, self.services.db, day_list, self.services.taxonomy)
        log.info("day=%s event=fetched stored=%d skipped=%d", day, report.stored, len(report.skipped))
        return None

    async def _summarize(self, day: dt.date) -> str | None:
        if self.summarize is None:
            return None
        try:
            return await self.summarize(day)
        except Exception as exc:  # the LLM never blocks the digest
            log.exception("day=%s event=summarize-failed", day)
            return f"Korean texts failed: {type(exc).__name__}"

    async def notify_admins(self, message: str) -> None:
        """DM every bot admin on the platforms that are running."""
        for platform, user in sorted(self.services.admins):
            channel = self.channels.get(platform)
            if channel is None or platform == "console":
                continue
            chat = user.split(":", 1)[1] if platform == "slack" else user
            for part in channel.render_text(message):
                result = await channel.send(chat, part)
                if result.status != "sent":
                    log.warning("event=admin-notice-failed platform=%s status=%s", platform, result.status)
