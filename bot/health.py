"""The report behind `GET /healthz`: database, leader or follower, platforms, the last daily run."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from bot.lifecycle import Lifecycle as Platform
from storage.db import Database
from storage.health import last_daily

log = logging.getLogger(__name__)

DATABASE_TIMEOUT = 5.0  # seconds; a database slower than this counts as unreachable


async def platform_connected(platform: Platform) -> bool | None:
    """The platform's own `connected()` answer; None when it has no such check."""
    probe = getattr(platform, "connected", None)
    if probe is None:
        return None
    try:
        return bool(await probe())
    except Exception:  # a probe that fails says "not connected", it never fails the report
        log.debug("connected() of %s failed", platform.name, exc_info=True)
        return False


class HealthCheck:
    """Builds the health report of one `paperbot run` process."""

    def __init__(
        self,
        db: Database,
        is_leader: Callable[[], bool],
        platforms: Sequence[Platform],
        timeout: float = DATABASE_TIMEOUT,
    ) -> None:
        self.db, self.is_leader, self.platforms, self.timeout = db, is_leader, list(platforms), timeout
        self._reachable = True

    async def report(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, body): healthy means the database answered."""
        reachable, last = await self._database()
        body = {
            "status": "ok" if reachable else "database unreachable",
            "database": "reachable" if reachable else "unreachable",
            "role": "leader" if self.is_leader() else "follower",
            "platforms": {p.name: await platform_connected(p) for p in self.platforms},
            "last_daily_run": last,
        }
        return reachable, body

    async def _database(self) -> tuple[bool, dict[str, Any] | None]:
        try:
            last = await asyncio.wait_for(asyncio.to_thread(last_daily, self.db), self.timeout)
        except Exception as exc:
            self._note(False, type(exc).__name__)
            return False, None
        self._note(True)
        return True, last

    def _note(self, reachable: bool, error: str = "") -> None:
        """Log changes only: a probe every few seconds must not fill the log."""
        if reachable != self._reachable:
            if reachable:
                log.info("event=health database=reachable")
            else:
                log.warning("event=health database=unreachable error=%s", error)
        self._reachable = reachable
