"""The daily run of a day and time slot: fetch (refresh votes), fill Korean texts, snapshot, broadcast — once.

Each chat has its time (`/settings time`, else PAPERBOT_DIGEST_TIME): the run of slot 07:30 sends to
the chats of 07:30 only, and never to a chat that already got a digest of the same day in another slot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from bot import texts
from bot.broadcast.engine import BroadcastEngine
from bot.broadcast.plan import plan
from bot.channels import Channel
from bot.ingest import store_day_list
from bot.readiness import known_empty, may_wait
from bot.selection import has_papers
from bot.services import Services
from bot.sources.hf import DayList, HFError
from storage import broadcasts
from storage.broadcasts import NewBroadcast, daily_key
from storage.records import SubscriberView

log = logging.getLogger(__name__)

Fetch = Callable[[dt.date], DayList]
Summarize = Callable[[dt.date], Awaitable[str | None]]  # returns a note when it failed


@dataclass(frozen=True)
class DailyResult:
    """What a daily run did."""

    day: dt.date  # the listing day (a weekly run: the week's Monday)
    status: str  # created | reopened | resumed | done-before | empty | not-ready | failed
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
        self._fetched: dict[dt.date, dt.datetime] = {}  # when each day's list was last fetched

    async def __call__(self, day: dt.date, wait: bool = False, at: dt.time | None = None) -> DailyResult:
        """Run the digest of `day` for the chats of time slot `at` (default: PAPERBOT_DIGEST_TIME).

        A second call for the same day and slot never sends twice."""
        slot = at or self.services.settings.digest_time
        key = daily_key(day, slot)
        with self.services.db.session() as session:
            existing = broadcasts.find_once(session, key)
        if existing is not None:
            return await self._resume(day, slot, existing, wait)
        notes = await self._prepare(day)
        recipients = self._recipients(day, slot)
        listed = has_papers(self.services, day)
        if notes and not listed:
            await self.notify_admins(texts.DAILY_FAILED.format(day=day, reason="; ".join(notes)))
            return DailyResult(day, "failed", note="; ".join(notes))
        if not listed and self._may_wait(day):
            log.info("day=%s event=not-ready", day)
            return DailyResult(day, "not-ready", note=f"{day}'s list is still empty")
        new = self._new_broadcast(day, slot, recipients, notes)
        broadcast_id, created = broadcasts.create_once(self.services.db, new)
        if created and not listed and self.fetch is not None:
            await self._notify_empty(day)
        log.info(
            "broadcast=%d event=%s kind=daily day=%s slot=%s recipients=%d",
            broadcast_id,
            "created" if created else "exists",
            day,
            slot.strftime("%H:%M"),
            len(new.recipients),
        )
        await self._send(broadcast_id, wait)
        status = ("created" if new.recipients else "empty") if created else "resumed"
        return DailyResult(day, status, broadcast_id, len(new.recipients), new.note)

    def _recipients(self, day: dt.date, slot: dt.time) -> Iterator[SubscriberView]:
        """The daily subscribers of time slot `slot` that no other slot gave `day`'s digest yet.

        Read a page at a time as planning goes: a large subscriber list is never in memory at once."""
        default = self.services.settings.digest_time
        with self.services.db.session() as session:
            done = broadcasts.served(session, "daily", day)
        for page in broadcasts.subscriber_pages(self.services.db):
            yield from (s for s in page if (s.digest_time or default) == slot and s.id not in done)

    def _new_broadcast(
        self, day: dt.date, slot: dt.time, recipients: Iterable[SubscriberView], notes: list[str]
    ) -> NewBroadcast:
        """The day's digest planned for `recipients` (nobody gets anything when the day is empty)."""
        parts, chosen = plan(self.services, self.channels, day, recipients)
        return NewBroadcast(
            day=day,
            kind="daily",
            parts=parts,
            recipients=chosen,
            note="; ".join(notes) or None,
            once_key=daily_key(day, slot),
        )

    def _may_wait(self, day: dt.date) -> bool:
        """An empty list is only "not ready" when it is fetched, on a weekday, before the deadline."""
        return self.fetch is not None and may_wait(day, self.services.settings, self.services.clock())

    async def _notify_empty(self, day: dt.date) -> None:
        """Tell the admins a weekday's list stayed empty until the deadline (weekend lists always are)."""
        if known_empty(day, self.services.settings):
            return
        deadline = self.services.settings.digest_deadline.strftime("%H:%M")
        await self.notify_admins(texts.DAILY_EMPTY.format(day=day, deadline=deadline))

    async def _resume(
        self, day: dt.date, slot: dt.time, existing: tuple[int, str], wait: bool
    ) -> DailyResult:
        broadcast_id, status = existing
        if status == "done" and self._recorded_empty(broadcast_id):
            return await self._reopen(day, slot, broadcast_id, wait)
        if status == "done":
            return DailyResult(day, "done-before", broadcast_id)
        await self._send(broadcast_id, wait)
        return DailyResult(day, "resumed", broadcast_id)

    def _recorded_empty(self, broadcast_id: int) -> bool:
        """True when the day's broadcast went to nobody: its list may have filled up since."""
        if self.fetch is None:
            return False
        with self.services.db.session() as session:
            return not broadcasts.counts(session, broadcast_id)

    async def _reopen(self, day: dt.date, slot: dt.time, broadcast_id: int, wait: bool) -> DailyResult:
        """Fetch a day recorded empty again; when there is something to send now, send it."""
        notes = await self._prepare(day)
        new = self._new_broadcast(day, slot, self._recipients(day, slot), notes)
        if not new.recipients:
            return DailyResult(day, "done-before", broadcast_id, note=new.note)
        with self.services.db.session() as session:
            reopened = broadcasts.reopen_empty(session, broadcast_id, new)
        log.info(
            "broadcast=%d event=%s kind=daily day=%s", broadcast_id, "reopened" if reopened else "exists", day
        )
        await self._send(broadcast_id, wait)
        return DailyResult(day, "reopened" if reopened else "resumed", broadcast_id, len(new.recipients))

    async def _send(self, broadcast_id: int, wait: bool) -> None:
        if wait:
            await self.engine.send_broadcast(broadcast_id)
        else:
            self.engine.wake()

    def _fresh(self, day: dt.date) -> bool:
        """True when another slot fetched `day`'s (non-empty) list less than a retry interval ago."""
        last = self._fetched.get(day)
        recent = last is not None and self.services.clock() - last < self.services.settings.fetch_retry
        return recent and has_papers(self.services, day)

    async def _prepare(self, day: dt.date) -> list[str]:
        """Fetch the day's list and fill its Korean texts (unless another slot just did); the notes."""
        if self._fresh(day):
            return []
        return [n for n in (await self._fetch(day), await self._summarize(day)) if n]

    async def _fetch(self, day: dt.date) -> str | None:
        if self.fetch is None:
            return None
        self._fetched[day] = self.services.clock()
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
