"""The dependencies the command layer and the CLI share, handed in by the composition root."""

from __future__ import annotations

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
    """Creates broadcasts; sending happens elsewhere (the broadcast engine)."""

    def rebroadcast(
        self, day: dt.date, requested_by: str | None, target: tuple[str, str] | None
    ) -> RebroadcastResult:
        """Queue a new broadcast of `day`'s digest to every subscriber or to one chat."""
        ...


@dataclass
class Services:
    """Everything a command needs: storage, settings, taxonomy and the broadcaster."""

    db: Database
    settings: Settings
    taxonomy: Taxonomy
    broadcaster: Broadcaster | None = None
    admins: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))

    def today(self) -> dt.date:
        """Today's date in the configured time zone."""
        return self.clock().astimezone(self.settings.tz).date()

    def is_bot_admin(self, platform: str, user_id: str | None) -> bool:
        """True when the user is a bot admin (numeric id on Telegram, TEAM:USER on Slack)."""
        return user_id is not None and (platform, user_id) in self.admins
