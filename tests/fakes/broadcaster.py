"""A Broadcaster that only records what it was asked to do (the command layer's side of it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.services import RebroadcastResult


@dataclass
class RecordingBroadcaster:
    """Remembers every rebroadcast request; "sends" to 3 chats, or to 1 with a target."""

    calls: list[tuple[dt.date, str | None, tuple[str, str] | None]] = field(default_factory=list)

    def rebroadcast(
        self, day: dt.date, requested_by: str | None, target: tuple[str, str] | None
    ) -> RebroadcastResult:
        """Record the request."""
        self.calls.append((day, requested_by, target))
        return RebroadcastResult(broadcast_id=len(self.calls), recipients=1 if target else 3)
