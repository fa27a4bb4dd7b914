"""The one INFO line that says what a `paperbot run` process runs, logged once everything started."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.engine import URL, make_url

from bot.lifecycle import Lifecycle as Platform
from bot.settings import Settings

log = logging.getLogger(__name__)
KST = ZoneInfo("Asia/Seoul")


def next_digest(now: dt.datetime, tz: ZoneInfo, at: dt.time) -> dt.datetime:
    """The first digest time after `now` (aware, in `tz`)."""
    local = now.astimezone(tz)
    due = dt.datetime.combine(local.date(), at, tzinfo=tz)
    return due if due > local else dt.datetime.combine(local.date() + dt.timedelta(days=1), at, tzinfo=tz)


def korean_time(moment: dt.datetime) -> str:
    """`2026-12-02 09:00 KST`."""
    return moment.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")


def public_database_url(url: str) -> str:
    """The database URL without user name and password."""
    try:
        parsed = make_url(url)
    except Exception:  # not a URL SQLAlchemy reads: say only what kind it is
        return url.split(":", 1)[0]
    public = URL.create(parsed.drivername, host=parsed.host, port=parsed.port, database=parsed.database)
    return public.update_query_dict(dict(parsed.query)).render_as_string()


def describe_platforms(platforms: Sequence[Platform]) -> str:
    """`telegram (polling), slack (socket), console`."""
    named = [f"{p.name} ({mode})" if (mode := getattr(p, "mode", None)) else p.name for p in platforms]
    return ", ".join(named)


def summary(settings: Settings, platforms: Sequence[Platform], leader: bool, now: dt.datetime) -> str:
    """The start line of `paperbot run`."""
    return (
        f"paperbot running: platforms={describe_platforms(platforms)}; "
        f"database={public_database_url(settings.database_url)}; "
        f"role={'leader' if leader else 'follower'}; "
        f"next digest {korean_time(next_digest(now, settings.tz, settings.digest_time))}"
    )


class StartupSummary:
    """The last part `serve()` starts: by then leadership is settled, so the line can say it."""

    name = "summary"

    def __init__(
        self,
        settings: Settings,
        platforms: Sequence[Platform],
        is_leader: Callable[[], bool],
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.settings, self.platforms, self.is_leader, self.clock = settings, platforms, is_leader, clock

    async def start(self) -> None:
        """Log the line."""
        log.info("%s", summary(self.settings, self.platforms, self.is_leader(), self.clock()))

    async def stop(self) -> None:
        """Nothing to stop."""
