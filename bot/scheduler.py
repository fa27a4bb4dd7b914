"""The schedule: each chat's digest at its time (PAPERBOT_DIGEST_TIME by default), weekly ones on Monday.

Every distinct time is a slot; a slot's run is created once per day (per week for the weekly digest)
and a run missed less than GRACE ago is caught up, at start and by the minute-by-minute tick.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.leader import Leadership

log = logging.getLogger(__name__)

GRACE = dt.timedelta(hours=12)  # a run missed by less than this is caught up; older ones are skipped
KEEP_SETTLED = dt.timedelta(days=10)  # how long this process remembers the runs it finished
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


def last_monday_due(now: dt.datetime, tz: ZoneInfo, at: dt.time) -> dt.datetime:
    """The latest Monday firing at `at` at or before `now` (aware, in `tz`)."""
    due = last_due(now, tz, at)
    return due - dt.timedelta(days=due.weekday())


def week_before(fired_at: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The Monday of the week of lists a weekly digest firing at `fired_at` sends: the previous week."""
    local = fired_at.astimezone(tz).date()
    return local - dt.timedelta(days=local.weekday() + 7)


@dataclass(frozen=True, order=True)
class Slot:
    """One scheduled run: the digest of a period (listing day, or a week's Monday) at a time of day."""

    kind: Literal["daily", "weekly"]
    period: dt.date
    at: dt.time

    def __str__(self) -> str:
        return f"{self.kind}:{self.period}@{self.at.isoformat()}"


def due_slots(
    now: dt.datetime,
    tz: ZoneInfo,
    daily: Iterable[dt.time],
    weekly: Iterable[dt.time],
    grace: dt.timedelta = GRACE,
) -> list[Slot]:
    """The runs whose time passed less than `grace` ago: the latest of each daily and weekly time."""
    found: list[tuple[dt.datetime, Slot]] = []
    for at in set(daily):
        due = last_due(now, tz, at)
        if now - due <= grace:
            found.append((due, Slot("daily", digest_day(due, tz), at)))
    for at in set(weekly):
        due = last_monday_due(now, tz, at)
        if now - due <= grace:
            found.append((due, Slot("weekly", week_before(due, tz), at)))
    return [slot for _, slot in sorted(found)]


def daily_trigger(tz: ZoneInfo, at: dt.time) -> CronTrigger:
    """The cron trigger of the digest, evaluated in `tz` whatever the host's zone."""
    return CronTrigger(hour=at.hour, minute=at.minute, second=at.second, timezone=tz)


RunSlot = Callable[[dt.date, dt.time], Awaitable[object]]
Times = Callable[[], tuple[set[dt.time | None], set[dt.time | None]]]


class DailyScheduler:
    """Runs each slot's digest once per period at its time, only while this process leads.

    `run_day(day, at)` sends listing day `day` to the chats of time `at`; `run_week(monday, at)` the
    weekly digest of the week of lists starting `monday`. `times()` gives the chats' own times (None
    for the default `at`): daily ones and weekly ones.
    """

    name = "scheduler"

    def __init__(
        self,
        tz: ZoneInfo,
        at: dt.time,
        run_day: RunSlot,
        leadership: Leadership,
        clock: Callable[[], dt.datetime] | None = None,
        retry_every: dt.timedelta = DEFAULT_RETRY,
        deadline: dt.time = DEFAULT_DEADLINE,
        times: Times | None = None,
        run_week: RunSlot | None = None,
    ) -> None:
        self.tz, self.at, self.run_day, self.leadership = tz, at, run_day, leadership
        self.run_week, self.times = run_week, times
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.retry_every, self.deadline = retry_every, deadline
        self._next_try: dict[Slot, dt.datetime] = {}  # slots whose list was not ready: when to try again
        self._settled: set[Slot] = set()  # slots this process ran to an end: no more catch-ups
        self._scheduler = AsyncIOScheduler(timezone=tz)
        self._lock = asyncio.Lock()
        self.first_catch_up: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Schedule the default time's job and a tick every minute (at :00), and catch up now.

        The tick runs every chat time's slot when it is due; it also covers leadership gained later
        (the previous leader died at 09:00): a slot's run is keyed by its period and time, so a
        catch-up of a slot already sent costs one query.
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
            CronTrigger(second=0, timezone=self.tz),
            id="catch-up",
            replace_existing=True,
            misfire_grace_time=30,
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
        """The scheduled job: every slot due now (and not sent yet), if this process leads."""
        await self.catch_up()

    async def catch_up(self) -> None:
        """Run each slot whose time passed less than GRACE ago, unless it was sent.

        A slot settled in this process is left alone; a slot whose list was not ready waits for its
        next try (the retry job normally runs it; this covers a retry job that was lost).
        """
        if not self.leadership.is_leader:
            log.debug("event=skip reason=not-leader")
            return
        now = self.clock()
        for slot in await self.slots(now):
            if self._due(slot, now):
                await self._run(slot)
        self._forget(now)

    async def slots(self, now: dt.datetime) -> list[Slot]:
        """The slots due at `now`: the default time and every subscribed chat's time."""
        daily: set[dt.time | None] = {None}
        weekly: set[dt.time | None] = set()
        if self.times is not None:
            try:
                found = await asyncio.to_thread(self.times)
            except Exception:
                log.exception("event=chat-times-failed")  # the default time still runs
            else:
                daily |= found[0]
                weekly = found[1] if self.run_week is not None else set()
        return due_slots(now, self.tz, {t or self.at for t in daily}, {t or self.at for t in weekly})

    async def retry(self, slot: Slot) -> None:
        """The one-off job after a not-ready (or failed) run: try the slot again when it is due."""
        now = self.clock()
        if not self.leadership.is_leader:
            return
        if slot in await self.slots(now) and self._due(slot, now):
            await self._run(slot)

    def _due(self, slot: Slot, now: dt.datetime) -> bool:
        return slot not in self._settled and now >= self._next_try.get(slot, now)

    def _forget(self, now: dt.datetime) -> None:
        """Drop settled slots too old to be caught up anyway."""
        oldest = (now - KEEP_SETTLED).astimezone(self.tz).date()
        self._settled = {s for s in self._settled if s.period >= oldest}

    async def _run(self, slot: Slot) -> None:
        if not self.leadership.is_leader:
            log.info("slot=%s event=skip reason=not-leader", slot)
            return
        async with self._lock:
            if slot in self._settled:  # (another job ran it while this one waited)
                return
            try:
                if slot.kind == "weekly" and self.run_week is not None:
                    result = await self.run_week(slot.period, slot.at)
                else:
                    result = await self.run_day(slot.period, slot.at)
                log.info("slot=%s event=run result=%s", slot, result)
            except Exception:
                log.exception("slot=%s event=run-failed", slot)
                return
        self._after(slot, getattr(result, "status", None))

    def _after(self, slot: Slot, status: object) -> None:
        """Plan the next try of a slot whose list is not ready yet, or mark it settled."""
        if status not in RETRY_STATUSES:
            self._next_try.pop(slot, None)
            self._settled.add(slot)
            return
        now = self.clock()
        at = self.next_try(slot.period, now) if slot.kind == "daily" else now + self.retry_every
        self._next_try[slot] = at
        run_date = dt.datetime.now(dt.UTC) + (at - now)  # the jobs run on real time, the clock may not
        self._scheduler.add_job(
            self.retry,
            "date",
            run_date=run_date,
            args=[slot],
            id=f"retry-{slot}",
            replace_existing=True,
            misfire_grace_time=int(GRACE.total_seconds()),
        )
        log.info("slot=%s event=retry-planned at=%s", slot, at.astimezone(self.tz).isoformat())

    def next_try(self, day: dt.date, now: dt.datetime) -> dt.datetime:
        """One retry interval from now, but not past the day's deadline (its last try)."""
        deadline = dt.datetime.combine(day + dt.timedelta(days=1), self.deadline, tzinfo=self.tz)
        later = now + self.retry_every
        return min(later, deadline) if now < deadline else later
