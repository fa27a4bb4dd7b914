"""The daily schedule: APScheduler fires at PAPERBOT_DIGEST_TIME; missed runs are caught up at start."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.leader import Leadership

log = logging.getLogger(__name__)

GRACE = dt.timedelta(hours=12)
CATCH_UP_EVERY = 60  # seconds  # a run missed by less than this is caught up; older ones are skipped
DEFAULT_RETRY = dt.timedelta(minutes=20)
DEFAULT_DEADLINE = dt.time(12, 0)
RETRY_STATUSES = frozenset({"not-ready", "failed"})  # the day's run ends in another try later


def digest_day(fired_at: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The listing day a digest firing at `fired_at` sends: the previous day in `tz`."""
    return fired_at.astimezone(tz).date() - dt.timedelta(days=1)


def last_due(now: dt.datetime, tz: ZoneInfo, at: dt.time) -> dt.datetime:
    """The latest scheduled firing at or before `now` (aware, in `tz`)."""
    local = now.astimezone(tz)
    due = dt.datetime.combine(local.date(), at, tzinfo=tz)
    return due if due <= local else dt.datetime.combine(local.date() - dt.timedelta(days=1), at, tzinfo=tz)


def catch_up_day(now: dt.datetime, tz: ZoneInfo, at: dt.time, grace: dt.timedelta = GRACE) -> dt.date | None:
    """The day whose digest should be sent at start-up if its run was missed, else None."""
    due = last_due(now, tz, at)
    return digest_day(due, tz) if now - due <= grace else None


def daily_trigger(tz: ZoneInfo, at: dt.time) -> CronTrigger:
    """The cron trigger of the digest, evaluated in `tz` whatever the host's zone."""
    return CronTrigger(hour=at.hour, minute=at.minute, second=at.second, timezone=tz)


class DailyScheduler:
    """Runs `run_day(day)` once per day at the digest time, only while this process leads."""

    name = "scheduler"

    def __init__(
        self,
        tz: ZoneInfo,
        at: dt.time,
        run_day: Callable[[dt.date], Awaitable[object]],
        leadership: Leadership,
        clock: Callable[[], dt.datetime] | None = None,
        retry_every: dt.timedelta = DEFAULT_RETRY,
        deadline: dt.time = DEFAULT_DEADLINE,
    ) -> None:
        self.tz, self.at, self.run_day, self.leadership = tz, at, run_day, leadership
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.retry_every, self.deadline = retry_every, deadline
        self._next_try: dict[dt.date, dt.datetime] = {}  # days whose list was not ready: when to try again
        self._settled: set[dt.date] = set()  # days this process ran to an end: no more catch-ups
        self._scheduler = AsyncIOScheduler(timezone=tz)
        self._lock = asyncio.Lock()
        self.first_catch_up: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Schedule the daily job, and a catch-up now and every minute.

        The catch-up also covers leadership gained later (the previous leader died at 09:00):
        the day's run is keyed by its date, so a catch-up of a day already sent costs one query.
        """
        self._scheduler.add_job(
            self.fire,
            daily_trigger(self.tz, self.at),
            id="daily-digest",
            replace_existing=True,
            misfire_grace_time=int(GRACE.total_seconds()),
            coalesce=True,
            max_instances=1,
        )
        self._scheduler.add_job(
            self.catch_up,
            "interval",
            seconds=CATCH_UP_EVERY,
            id="catch-up",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        self._scheduler.start()
        self.first_catch_up = asyncio.create_task(self.catch_up(), name="catch-up")

    async def stop(self) -> None:
        """Stop scheduling (a run in progress finishes on its own)."""
        self._scheduler.shutdown(wait=False)
        if self.first_catch_up is not None and not self.first_catch_up.done():
            self.first_catch_up.cancel()

    async def fire(self) -> None:
        """The scheduled job: the digest due at the latest firing time, if this process leads."""
        await self._run(digest_day(last_due(self.clock(), self.tz, self.at), self.tz))

    async def catch_up(self) -> None:
        """Send the latest missed digest when its time passed less than GRACE ago.

        A day settled in this process is left alone; a day whose list was not ready waits for its
        next try (the retry job normally runs it; this covers a retry job that was lost).
        """
        now = self.clock()
        day = catch_up_day(now, self.tz, self.at)
        if day is not None and self._due(day, now):
            await self._run(day)

    async def retry(self, day: dt.date) -> None:
        """The one-off job after a not-ready (or failed) run: try the day again when it is due."""
        now = self.clock()
        if catch_up_day(now, self.tz, self.at) == day and self._due(day, now):
            await self._run(day)

    def _due(self, day: dt.date, now: dt.datetime) -> bool:
        return day not in self._settled and now >= self._next_try.get(day, now)

    async def _run(self, day: dt.date) -> None:
        if not self.leadership.is_leader:
            log.info("day=%s event=skip reason=not-leader", day)
            return
        async with self._lock:
            try:
                result = await self.run_day(day)
                log.info("day=%s event=daily-run result=%s", day, result)
            except Exception:
                log.exception("day=%s event=daily-run-failed", day)
                return
        self._after(day, getattr(result, "status", None))

    def _after(self, day: dt.date, status: object) -> None:
        """Plan the next try of a day that is not ready yet, or mark it settled."""
        if status not in RETRY_STATUSES:
            self._next_try.pop(day, None)
            self._settled.add(day)
            return
        now = self.clock()
        at = self.next_try(day, now)
        self._next_try[day] = at
        run_date = dt.datetime.now(dt.UTC) + (at - now)  # the jobs run on real time, the clock may not
        self._scheduler.add_job(
            self.retry,
            "date",
            run_date=run_date,
            args=[day],
            id=f"retry-{day}",
            replace_existing=True,
            misfire_grace_time=int(GRACE.total_seconds()),
        )
        log.info("day=%s event=retry-planned at=%s", day, at.astimezone(self.tz).isoformat())

    def next_try(self, day: dt.date, now: dt.datetime) -> dt.datetime:
        """One retry interval from now, but not past the day's deadline (its last try)."""
        deadline = dt.datetime.combine(day + dt.timedelta(days=1), self.deadline, tzinfo=self.tz)
        later = now + self.retry_every
        return min(later, deadline) if now < deadline else later
