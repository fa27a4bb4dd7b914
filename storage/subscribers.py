"""Subscriber queries: subscribe, unsubscribe, list, deactivate, each chat's schedule.

`subscribe_many` and `unsubscribe_many` change many chats with two statements per chunk of ids at
most; a chunk's ids are bound as one parameter (an array on PostgreSQL, a JSON text on SQLite), so
no statement comes near PostgreSQL's 65,535 parameters, however large the chunk.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    FromClause,
    Row,
    Select,
    Table,
    Text,
    case,
    false,
    func,
    literal,
    select,
    true,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.db import affected
from storage.records import Keywords, SubscribeCounts, SubscriberView, Term, UnsubscribeCounts
from storage.tables import Subscriber

CHUNK = 5000
_SUBSCRIBERS = cast(Table, Subscriber.__table__)
_TEXTS = ARRAY(Text)


def keywords_json(keywords: Keywords) -> dict[str, Any]:
    """A keyword filter as stored in `subscribers.keywords`."""
    return {
        "terms": [{"text": t.text, "codes": list(t.codes)} for t in keywords.terms],
        "excluded": list(keywords.excluded),
    }


def keywords_from_json(value: object) -> Keywords | None:
    """The stored keyword filter; None for no filter (or a value this version cannot read)."""
    if not isinstance(value, dict):
        return None
    terms = tuple(
        Term(str(t["text"]), tuple(str(c) for c in t.get("codes") or ()))
        for t in value.get("terms") or ()
        if isinstance(t, dict) and t.get("text")
    )
    excluded = tuple(str(w) for w in value.get("excluded") or () if w)
    return Keywords(terms, excluded) or None


def subscriber_view(row: Subscriber | Row[Any]) -> SubscriberView:
    """A subscriber (an ORM object, or a row of the table's columns) as a plain record."""
    return SubscriberView(
        id=row.id,
        platform=row.platform,
        chat_id=row.chat_id,
        chat_kind=row.chat_kind,
        fields=tuple(row.fields) if row.fields else None,
        active=row.active,
        deactivated_reason=row.deactivated_reason,
        slack_thread=bool(row.slack_thread),
        digest_time=row.digest_time,
        top_n=row.top_n,
        daily=row.daily,
        weekly=row.weekly,
        weekly_fields=tuple(row.weekly_fields) if row.weekly_fields else None,
        keywords=keywords_from_json(row.keywords),
    )


def guess_chat_kind(platform: str, chat_id: str) -> str:
    """The chat kind an id's shape tells (Telegram groups and channels have negative ids)."""
    if platform == "telegram":
        if chat_id.isdigit():
            return "private"
        return "channel" if chat_id.startswith(("@", "-100")) else "group"
    if platform == "slack":
        return "private" if chat_id.startswith("D") else "channel"
    return "private"


def quiet_row(session: Session, platform: str, chat_id: str) -> SubscriberView:
    """The chat's subscriber row as it is, or a new inactive one to hang a one-off delivery on."""
    row = _find(session, platform, chat_id)
    if row is None:
        row = Subscriber(
            platform=platform,
            chat_id=chat_id,
            chat_kind=guess_chat_kind(platform, chat_id),
            active=False,
            deactivated_reason="not subscribed",
        )
        session.add(row)
        session.flush()
    return subscriber_view(row)


def _find(session: Session, platform: str, chat_id: str) -> Subscriber | None:
    return session.scalar(
        select(Subscriber).where(Subscriber.platform == platform, Subscriber.chat_id == chat_id)
    )


def subscribe(
    session: Session,
    platform: str,
    chat_id: str,
    chat_kind: str = "private",
    fields: Sequence[str] | None = None,
) -> tuple[SubscriberView, bool]:
    """Activate (or update) the daily digest; returns the subscription and whether it was off before.

    An inactive chat that subscribes again gets the daily digest only (not a weekly one of before)."""
    row, _ = _activate(session, platform, chat_id, chat_kind)
    created = not row.daily
    row.daily = True
    row.fields = list(fields) if fields else None
    session.flush()
    return subscriber_view(row), created


def subscribe_weekly(
    session: Session,
    platform: str,
    chat_id: str,
    chat_kind: str = "private",
    fields: Sequence[str] | None = None,
) -> tuple[SubscriberView, bool]:
    """Activate (or update) the weekly digest; (subscription, whether it was off before)."""
    row, _ = _activate(session, platform, chat_id, chat_kind)
    created = not row.weekly
    row.weekly = True
    row.weekly_fields = list(fields) if fields else None
    session.flush()
    return subscriber_view(row), created


def _activate(session: Session, platform: str, chat_id: str, chat_kind: str) -> tuple[Subscriber, bool]:
    """The chat's row, active; a new or inactive one starts with no digest (the caller picks one)."""
    row = _find(session, platform, chat_id)
    created = row is None or not row.active
    if row is None:
        row = Subscriber(platform=platform, chat_id=chat_id)
        session.add(row)
    if created:
        row.daily, row.weekly = False, False
    row.chat_kind = chat_kind
    row.active, row.deactivated_reason = True, None
    return row, created


def stop(session: Session, platform: str, chat_id: str, daily: bool, weekly: bool) -> SubscriberView | None:
    """Turn the daily and/or weekly digest off; the chat is inactive once it gets neither.

    None when the chat had none of them on."""
    row = _find(session, platform, chat_id)
    if row is None or not row.active or not ((daily and row.daily) or (weekly and row.weekly)):
        return None
    row.daily = row.daily and not daily
    row.weekly = row.weekly and not weekly
    if not row.daily and not row.weekly:
        row.active, row.deactivated_reason = False, "unsubscribed"
    session.flush()
    return subscriber_view(row)


def set_schedule(
    session: Session, platform: str, chat_id: str, **values: dt.time | int | None
) -> SubscriberView:
    """Set the chat's `digest_time` and/or `top_n` (None = the default), on a new inactive row if needed."""
    assert set(values) <= {"digest_time", "top_n"}
    quiet_row(session, platform, chat_id)
    row = _find(session, platform, chat_id)
    assert row is not None
    for name, value in values.items():
        setattr(row, name, value)
    session.flush()
    return subscriber_view(row)


def schedule_times(session: Session) -> tuple[set[dt.time | None], set[dt.time | None]]:
    """The distinct times (None = the default) of active daily and of active weekly subscribers."""
    active = Subscriber.active.is_(True)
    daily = session.scalars(
        select(Subscriber.digest_time).where(active, Subscriber.daily.is_(True)).distinct()
    )
    weekly = session.scalars(
        select(Subscriber.digest_time).where(active, Subscriber.weekly.is_(True)).distinct()
    )
    return set(daily), set(weekly)


def set_keywords(
    session: Session, platform: str, chat_id: str, chat_kind: str, keywords: Keywords | None
) -> SubscriberView:
    """Set (or with None or an empty filter, clear) a chat's keywords; a chat without a row gets an
    inactive one, so the words are there when it subscribes."""
    row = _find(session, platform, chat_id)
    if row is None:
        row = Subscriber(
            platform=platform,
            chat_id=chat_id,
            chat_kind=chat_kind,
            active=False,
            deactivated_reason="not subscribed",
        )
        session.add(row)
    row.keywords = keywords_json(keywords) if keywords else None
    session.flush()
    return subscriber_view(row)


def unsubscribe(session: Session, platform: str, chat_id: str, reason: str = "unsubscribed") -> bool:
    """Deactivate a subscription; False when there was no active one."""
    row = _find(session, platform, chat_id)
    if row is None or not row.active:
        return False
    row.active, row.deactivated_reason = False, reason
    return True


def get(session: Session, platform: str, chat_id: str) -> SubscriberView | None:
    """One chat's subscription, active or not."""
    row = _find(session, platform, chat_id)
    return subscriber_view(row) if row else None


def list_all(
    session: Session, platform: str | None = None, active_only: bool = False
) -> list[SubscriberView]:
    """Subscribers, optionally of one platform and only the active ones."""
    query = select(Subscriber).order_by(Subscriber.platform, Subscriber.id)
    if platform:
        query = query.where(Subscriber.platform == platform)
    if active_only:
        query = query.where(Subscriber.active.is_(True))
    return [subscriber_view(r) for r in session.scalars(query)]


def counts_by_platform(session: Session) -> dict[str, tuple[int, int]]:
    """(active, inactive) subscriber counts per platform."""
    rows = session.execute(
        select(Subscriber.platform, Subscriber.active, func.count()).group_by(
            Subscriber.platform, Subscriber.active
        )
    )
    counts: dict[str, list[int]] = {}
    for platform, active, count in rows:
        counts.setdefault(platform, [0, 0])[0 if active else 1] += count
    return {p: (a, i) for p, (a, i) in counts.items()}


def set_slack_thread(session: Session, platform: str, chat_id: str, on: bool) -> bool:
    """Send this chat's digest as a Slack thread (or not); False when it has no active subscription."""
    row = _find(session, platform, chat_id)
    if row is None or not row.active:
        return False
    row.slack_thread = on
    return True


def chunks(ids: Iterable[str], size: int = CHUNK) -> Iterator[list[str]]:
    """The ids without repeats (first occurrence wins), `size` at a time."""
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


def subscribe_many(
    session: Session,
    platform: str,
    ids: Iterable[str],
    fields: Sequence[str] | None = None,
    keywords: Keywords | None = None,
    chat_kind: str | None = None,
    chunk_size: int = CHUNK,
) -> SubscribeCounts:
    """`subscribe` (and, given `keywords`, `set_keywords`) for every id, a chunk per statement.

    `chat_kind` None guesses each chat's kind from its id; `keywords` None leaves them as they were
    (an empty filter clears them)."""
    session.flush()
    counts = SubscribeCounts()
    for chunk in chunks(ids, chunk_size):
        counts += _subscribe_chunk(session, platform, chunk, fields, keywords, chat_kind)
    session.expire_all()  # rows this session loaded before are stale now
    return counts


def _subscribe_chunk(
    session: Session,
    platform: str,
    chunk: list[str],
    fields: Sequence[str] | None,
    keywords: Keywords | None,
    chat_kind: str | None,
) -> SubscribeCounts:
    """One SELECT for the counts, then one INSERT … ON CONFLICT DO UPDATE for new and known chats."""
    table = _SUBSCRIBERS
    known = select(table.c.active).where(
        table.c.platform == platform, table.c.chat_id.in_(_id_list(session, chunk))
    )
    states = list(session.scalars(known))
    active = sum(1 for on in states if on)
    counts = SubscribeCounts(len(chunk) - len(states), len(states) - active, active)

    now = _now()
    new = _id_kind_rows(session, [(i, chat_kind or guess_chat_kind(platform, i)) for i in chunk])
    values = {
        "platform": literal(platform, table.c.platform.type),
        "chat_id": new.c.chat_id,
        "chat_kind": new.c.chat_kind,
        "fields": literal(list(fields) if fields else None, table.c.fields.type),
        "keywords": literal(keywords_json(keywords) if keywords else None, table.c.keywords.type),
        "active": true(),
        "daily": true(),
        "weekly": false(),
        "slack_thread": false(),
        "created_at": literal(now, table.c.created_at.type),
        "updated_at": literal(now, table.c.updated_at.type),
    }
    # (the WHERE keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT)
    source = select(*values.values()).select_from(new).where(true())
    stmt = _insert(session, table).from_select(list(values), source)
    changes: dict[str, Any] = {
        "chat_kind": stmt.excluded.chat_kind,
        "active": true(),
        "deactivated_reason": None,
        "daily": true(),
        # an inactive chat that subscribes again gets the daily digest only, as in `subscribe`
        "weekly": case((table.c.active, table.c.weekly), else_=false()),
        "fields": stmt.excluded.fields,
        "updated_at": now,
    }
    if keywords is not None:
        changes["keywords"] = stmt.excluded.keywords
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.platform, table.c.chat_id], set_=changes)
    session.execute(stmt)
    return counts


def unsubscribe_many(
    session: Session,
    platform: str,
    ids: Iterable[str],
    reason: str = "unsubscribed",
    chunk_size: int = CHUNK,
) -> UnsubscribeCounts:
    """`unsubscribe` for every id: one UPDATE per chunk deactivates the active ones."""
    session.flush()
    table = _SUBSCRIBERS
    counts = UnsubscribeCounts()
    for chunk in chunks(ids, chunk_size):
        stmt = (
            update(table)
            .where(
                table.c.platform == platform,
                table.c.chat_id.in_(_id_list(session, chunk)),
                table.c.active.is_(True),
            )
            .values(active=False, deactivated_reason=reason, updated_at=_now())
        )
        removed = affected(session, stmt)
        counts += UnsubscribeCounts(removed, len(chunk) - removed)
    session.expire_all()
    return counts


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _id_list(session: Session, ids: list[str]) -> Select[tuple[str]]:
    """The ids as a one-column SELECT bound as one parameter (an array, or a JSON text on SQLite)."""
    if _is_postgresql(session):
        ids_array = sql_cast(literal(ids, _TEXTS), _TEXTS)
        return select(func.unnest(ids_array).table_valued("value").render_derived().c.value)
    return select(func.json_each(json.dumps(ids)).table_valued("value").c.value)


def _id_kind_rows(session: Session, rows: list[tuple[str, str]]) -> FromClause:
    """(chat_id, chat_kind) rows bound as one parameter per column (one JSON text on SQLite)."""
    if _is_postgresql(session):
        ids, kinds = (sql_cast(literal(list(column), _TEXTS), _TEXTS) for column in zip(*rows, strict=True))
        return func.unnest(ids, kinds).table_valued("chat_id", "chat_kind").render_derived()
    pairs = func.json_each(json.dumps(rows)).table_valued("value").alias("pairs")
    return select(
        func.json_extract(pairs.c.value, "$[0]").label("chat_id"),
        func.json_extract(pairs.c.value, "$[1]").label("chat_kind"),
    ).subquery("new")


def _insert(session: Session, table: Table) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (SQLite and PostgreSQL share its API)."""
    dialect = postgresql if _is_postgresql(session) else sqlite
    return dialect.insert(table)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
