"""Plan a broadcast: render each variant once and snapshot its recipients into outbox rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.channels import THREAD_VARIANT, Channel, ThreadedChannel
from bot.selection import WEEKLY_TOP_N, top_between, top_of_day
from bot.services import RebroadcastResult, Services
from storage import broadcasts, subscribers
from storage.broadcasts import NewBroadcast
from storage.records import Keywords, SubscriberView

log = logging.getLogger(__name__)


if TYPE_CHECKING:
    from bot.models import Digest


def variant_key(
    platform: str,
    fields: Sequence[str] | None,
    n: int | None = None,
    keywords: Keywords | None = None,
    thread: bool = False,
) -> str:
    """Subscribers of one platform with the same field and keyword filter, digest size and thread
    choice get the same messages."""
    key = f"{platform}:{','.join(sorted(fields)) if fields else '*'}"
    if keywords:
        key = f"{key}:{keywords_key(keywords)}"
    return (key if n is None else f"{key}:{n}") + (THREAD_VARIANT if thread else "")


def _render(channel: Channel, digest: Digest, thread: bool) -> list[object]:
    """The digest's parts: as a thread (header, then one reply per card) where asked and possible."""
    rendered = channel.render_thread(digest) if thread and isinstance(channel, ThreadedChannel) else None
    return [json_ready(p) for p in (rendered if rendered is not None else channel.render(digest))]


def keywords_key(keywords: Keywords) -> str:
    """A short fingerprint of a keyword filter: the variant column is short, and matching ignores
    case and word order, so filters differing only in those share one variant."""
    terms = sorted((t.text.casefold(), sorted(t.codes)) for t in keywords.terms)
    excluded = sorted(w.casefold() for w in keywords.excluded)
    text = json.dumps({"terms": terms, "excluded": excluded}, ensure_ascii=False)
    return "kw-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def json_ready(part: object) -> object:
    """A rendered part as JSON (dataclass parts, like Slack messages, become dicts)."""
    if dataclasses.is_dataclass(part) and not isinstance(part, type):
        return dataclasses.asdict(part)
    return part


def plan(
    services: Services, channels: Mapping[str, Channel], day: dt.date, recipients: Iterable[SubscriberView]
) -> tuple[dict[str, list[object]], list[tuple[int, str]]]:
    """Rendered parts per variant and (subscriber, variant) pairs; chats of unknown platforms are left out.

    Each chat gets its own number of cards (`/settings n`, else PAPERBOT_TOP_N)."""
    default_n = services.settings.top_n
    return _plan(
        channels,
        ((sub, sub.fields, sub.keywords, sub.top_n or default_n) for sub in recipients),
        lambda fields, keywords, n: top_of_day(services, day, n, fields, keywords),
    )


def plan_week(
    services: Services, channels: Mapping[str, Channel], start: dt.date, recipients: Iterable[SubscriberView]
) -> tuple[dict[str, list[object]], list[tuple[int, str]]]:
    """The weekly digest of the lists from `start` to six days later: the top WEEKLY_TOP_N by votes."""
    end = start + dt.timedelta(days=6)
    return _plan(
        channels,
        ((sub, sub.weekly_fields, None, WEEKLY_TOP_N) for sub in recipients),
        lambda fields, _keywords, n: top_between(services, start, end, n, fields),
    )


def _plan(
    channels: Mapping[str, Channel],
    wanted: Iterable[tuple[SubscriberView, Sequence[str] | None, Keywords | None, int]],
    digest_for: Callable[[Sequence[str] | None, Keywords | None, int], Digest | None],
) -> tuple[dict[str, list[object]], list[tuple[int, str]]]:
    """Render each (platform, fields, keywords, size) variant once; pair every recipient with it.

    `wanted` may be a stream (pages of subscribers): only the (id, variant) pairs are kept."""
    parts: dict[str, list[object]] = {}
    chosen: list[tuple[int, str]] = []
    for sub, fields, keywords, n in wanted:
        channel = channels.get(sub.platform)
        if channel is None:
            continue
        thread = sub.slack_thread and isinstance(channel, ThreadedChannel)
        key = variant_key(sub.platform, fields, n, keywords, thread)
        if key not in parts:
            digest = digest_for(fields, keywords, n)
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

    def _recipients(self, session: Session, target: tuple[str, str] | None) -> Iterable[SubscriberView]:
        if target is None:
            return itertools.chain.from_iterable(broadcasts.subscriber_pages(self.services.db))
        return [subscribers.quiet_row(session, *target)]  # subscribed or not: "here" means this chat
