"""Outages: a platform that cannot be reached is backed off and tried again, and the admins are told."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

from bot import texts
from bot.broadcast.notices import AdminNotices
from bot.broadcast.pacing import Pacer
from bot.channels import SendResult

log = logging.getLogger(__name__)

FIRST_BACKOFF = 1.0  # seconds before the first retry; doubled while the platform stays unreachable
ANSWERED = frozenset({"sent", "blocked", "failed", "retry", "moved"})  # the platform's server replied


@dataclass
class Reachability:
    """Whether one platform answers: how long to back off while it does not, when to tell the admins."""

    notice_after: float  # seconds unreachable before the admins get a DM
    max_backoff: float  # the longest wait between two tries
    down_since: float | None = None
    reported: bool = False
    _streak: int = 0
    _backoff_until: float = -math.inf

    def unsent(self, now: float) -> float | None:
        """A request never left: seconds to pause the platform, or None when already backing off."""
        if self.down_since is None:
            self.down_since = now
        if now < self._backoff_until:  # a send that started before the pause: it changes nothing
            return None
        delay = min(FIRST_BACKOFF * 2**self._streak, self.max_backoff)
        self._streak += 1
        self._backoff_until = now + delay
        return delay

    def notice_due(self, now: float) -> bool:
        """True once per outage, when the platform has been unreachable for `notice_after` seconds."""
        if self.down_since is None or self.reported or now - self.down_since < self.notice_after:
            return False
        self.reported = True
        return True

    def answered(self) -> float | None:
        """The platform answered: how long it was down when the admins had been told, else None."""
        was_down, reported = self.down_since, self.reported
        self.down_since, self.reported, self._streak, self._backoff_until = None, False, 0, -math.inf
        return was_down if reported else None


@dataclass
class OutageWatch:
    """Watches one platform's send results: pauses it while unreachable, tells the admins down and back."""

    platform: str
    pacer: Pacer
    notices: AdminNotices
    retry_hours: float
    reach: Reachability = field(default_factory=lambda: Reachability(600.0, 60.0))

    def observe(self, result: SendResult) -> None:
        """Take note of one send's result (every result of the platform passes here)."""
        now = time.monotonic()
        if result.status == "unsent":
            self._unsent(now, result.detail)
        elif result.status in ANSWERED and (since := self.reach.answered()) is not None:
            log.warning("platform=%s event=reachable-again down_seconds=%.0f", self.platform, now - since)
            self.notices.tell(texts.platform_back(self.platform, (now - since) / 60))

    def _unsent(self, now: float, detail: str | None) -> None:
        delay = self.reach.unsent(now)
        if delay is not None:
            self.pacer.pause(delay)
            log.warning("platform=%s event=unreachable retry_in=%.0fs error=%s", self.platform, delay, detail)
        if self.reach.notice_due(now):
            minutes = (now - (self.reach.down_since or now)) / 60
            self.notices.tell(texts.platform_unreachable(self.platform, minutes, self.retry_hours))
