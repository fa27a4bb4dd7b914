"""The dependencies every command and CLI verb shares, built once by the composition root."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.fields import Taxonomy
from bot.settings import Settings
from storage.db import Database


@dataclass(frozen=True)
class RebroadcastResult:
    """What a rebroadcast request did."""

    broadcast_id: int | None
    recipients: int
    already_running: bool = False


class Broadcaster(Protocol):
    """Queues broadcasts; sending happens elsewhere (the broadcast engine)."""

    def rebroadcast(
        self, day: dt.date, requested_by: str | None, target: tuple[str, str] | None
    ) -> RebroadcastResult:
        """Queue a new broadcast of `day`'s digest to every subscriber or to one chat."""
        ...


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Services:
    """Storage, settings, taxonomy, bot admins and (in a running service) the broadcaster."""

    db: Database
    settings: Settings
    taxonomy: Taxonomy
    admins: frozenset[tuple[str, str]] = frozenset()
    broadcaster: Broadcaster | None = None
    clock: Callable[[], dt.datetime] = field(default=_utc_now)

    def today(self) -> dt.date:
        """Today's date in the configured time zone."""
        return self.clock().astimezone(self.settings.tz).date()

    def is_bot_admin(self, platform: str, user_id: str | None) -> bool:
        """True when the user is a bot admin (numeric id on Telegram, TEAM:USER on Slack)."""
        return user_id is not None and (platform, user_id) in self.admins

    def with_broadcaster(self, broadcaster: Broadcaster) -> Services:
        """A copy whose commands queue rebroadcasts through `broadcaster`."""
        return dataclasses.replace(self, broadcaster=broadcaster)
