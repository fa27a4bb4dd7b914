"""Plan a broadcast: render each variant once and snapshot its recipients into outbox rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy.orm import Session

from bot.channels import THREAD_VARIANT, Channel, ThreadedChannel
from bot.models import Digest
from bot.selection import top_of_day
from bot.services import RebroadcastResult, Services
from storage import broadcasts, subscribers
from storage.broadcasts import NewBroadcast
from storage.records import SubscriberView

log = logging.getLogger(__name__)


def variant_key(platform: str, fields: Sequence[str] | None, thread: bool = False) -> str:
    """Subscribers of one platform with the same field filter (and thread choice) get the same messages."""
    return f"{platform}:{','.join(sorted(fields)) if fields else '*'}" + (THREAD_VARIANT if thread else "")


def _render(channel: Channel, digest: Digest, thread: bool) -> list[object]:
    """The digest's parts: as a thread (header, then one reply per card) where asked and possible."""
    rendered = channel.render_thread(digest) if thread and isinstance(channel, ThreadedChannel) else None
    return [json_ready(p) for p in (rendered if rendered is not None else channel.render(digest))]


def json_ready(part: object) -> object:
    """A rendered part as JSON (dataclass parts, like Slack messages, become dicts)."""
    if dataclasses.is_dataclass(part) and not isinstance(part, type):
        return dataclasses.asdict(part)
    return part


def plan(
    services: Services, channels: Mapping[str, Channel], day: dt.date, recipients: Sequence[SubscriberView]
) -> tuple[dict[str, list[object]], list[tuple[int, str]]]:
    """Rendered parts per variant and (subscriber, variant) pairs; chats of unknown platforms are left out."""
    parts: dict[str, list[object]] = {}
    chosen: list[tuple[int, str]] = []
    for sub in recipients:
        channel = channels.get(sub.platform)
        if channel is None:
            continue
        thread = sub.slack_thread and isinstance(channel, ThreadedChannel)
        key = variant_key(sub.platform, sub.fields, thread)
        if key not in parts:
            digest = top_of_day(services, day, services.settings.top_n, sub.fields)
            parts[key] = _render(channel, digest, thread) if digest else []
        if parts[key]:
            chosen.append((sub.id, key))
    return parts, chosen


class BroadcastQueue:
    """The `Broadcaster` of the command layer: queues rebroadcasts for the engine to send."""

    def __init__(self, services: Services, channels: Mapping[str, Channel], wake: Callable[[], None]) -> None:
        self.services, self.channels, self.wake = services, channels, wake

    def rebroadcast(
        self, day: dt.date, requested_by: str | None, target: tuple[str, str] | None
    ) -> RebroadcastResult:
        """Create a new broadcast of `day`'s digest (unless the same one is still running)."""
        target_key = f"{target[0]}:{target[1]}" if target else None
        db = self.services.db
        with db.session() as session:
            running = broadcasts.find_running(session, day, "rebroadcast", target_key)
            if running is not None:
                return RebroadcastResult(running, 0, already_running=True)
            recipients = self._recipients(session, target)
            parts, chosen = plan(self.services, self.channels, day, recipients)
            if not chosen:  # nothing to send: leave no empty broadcast behind
                return RebroadcastResult(None, 0)
            new = NewBroadcast(
                day=day,
                kind="rebroadcast",
                parts=parts,
                recipients=chosen,
                requested_by=requested_by,
                target=target_key,
            )
            broadcast_id = broadcasts.create(session, new)
        log.info(
            "broadcast=%d event=created kind=rebroadcast day=%s recipients=%d by=%s",
            broadcast_id,
            day,
            len(chosen),
            requested_by,
        )
        self.wake()
        return RebroadcastResult(broadcast_id, len(chosen))

    def _recipients(self, session: Session, target: tuple[str, str] | None) -> list[SubscriberView]:
        if target is None:
            return broadcasts.active_subscribers(session)
        return [subscribers.quiet_row(session, *target)]  # subscribed or not: "here" means this chat
