"""The weekly digest: on Monday at each chat's time, the top papers of the last week's lists — once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping

from bot.broadcast.engine import BroadcastEngine
from bot.broadcast.plan import plan_week
from bot.channels import Channel
from bot.daily import DailyResult
from bot.services import Services
from storage import broadcasts
from storage.broadcasts import NewBroadcast, weekly_key
from storage.records import SubscriberView

log = logging.getLogger(__name__)


def week_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


class WeeklyRun:
    """The weekly digest of one week of lists and one time slot."""

    def __init__(self, services: Services, channels: Mapping[str, Channel], engine: BroadcastEngine) -> None:
        self.services, self.channels, self.engine = services, channels, engine

    async def __call__(self, start: dt.date, wait: bool = False, at: dt.time | None = None) -> DailyResult:
        """Send the digest of the lists of the week from Monday `start` to the weekly chats of slot `at`.

        A second call for the same week and slot never sends twice."""
        start = week_of(start)
        slot = at or self.services.settings.digest_time
        key = weekly_key(start, slot)
        with self.services.db.session() as session:
            existing = broadcasts.find_once(session, key)
        if existing is not None:
            if existing[1] == "done":
                return DailyResult(start, "done-before", existing[0])
            await self._send(existing[0], wait)
            return DailyResult(start, "resumed", existing[0])
        parts, chosen = plan_week(self.services, self.channels, start, self._recipients(start, slot))
        new = NewBroadcast(day=start, kind="weekly", parts=parts, recipients=chosen, once_key=key)
        broadcast_id, created = broadcasts.create_once(self.services.db, new)
        log.info(
            "broadcast=%d event=%s kind=weekly week=%s slot=%s recipients=%d",
            broadcast_id,
            "created" if created else "exists",
            start,
            slot.strftime("%H:%M"),
            len(chosen),
        )
        await self._send(broadcast_id, wait)
        status = ("created" if chosen else "empty") if created else "resumed"
        return DailyResult(start, status, broadcast_id, len(chosen))

    def _recipients(self, start: dt.date, slot: dt.time) -> Iterator[SubscriberView]:
        """The weekly subscribers of slot `slot` that no other slot gave this week's digest yet (by pages)."""
        default = self.services.settings.digest_time
        with self.services.db.session() as session:
            done = broadcasts.served(session, "weekly", start)
        for page in broadcasts.subscriber_pages(self.services.db, "weekly"):
            yield from (s for s in page if (s.digest_time or default) == slot and s.id not in done)

    async def _send(self, broadcast_id: int, wait: bool) -> None:
        if wait:
            await self.engine.send_broadcast(broadcast_id)
        else:
            self.engine.wake()
