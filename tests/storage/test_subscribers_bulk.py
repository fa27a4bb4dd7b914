"""`subscribe_many` / `unsubscribe_many`: the same rows as the one-id functions, counted set-wise."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage import subscribers
from storage.db import Database
from storage.records import Keywords, SubscribeCounts, SubscriberView, Term, UnsubscribeCounts
from storage.tables import Subscriber

WORDS = Keywords((Term("diffusion"), Term("video generation")), ("survey",))
# Known ids 1-4 (see `prepare`), new ones, and repeats that fall into other chunks of 3.
IDS = ["1", "-1009", "2", "3", "5", "1", "4", "@new_channel", "-77", "5", "6", "3", "7"]


def prepare(session: Session) -> None:
    """1: active, daily and weekly, with its own schedule; 2: weekly only; 3: unsubscribed after
    having both digests; 4: a quiet row holding keywords only."""
    subscribers.subscribe(session, "telegram", "1", "private", ["nlp"])
    subscribers.subscribe_weekly(session, "telegram", "1", "private", ["cv"])
    subscribers.set_schedule(session, "telegram", "1", digest_time=dt.time(7, 30), top_n=3)
    subscribers.set_keywords(session, "telegram", "1", "private", Keywords((Term("agents"),)))
    subscribers.subscribe_weekly(session, "telegram", "2", "group")
    subscribers.subscribe(session, "telegram", "3", "private")
    subscribers.subscribe_weekly(session, "telegram", "3", "private")
    subscribers.unsubscribe(session, "telegram", "3")
    subscribers.set_keywords(session, "telegram", "4", "private", Keywords((Term("robots"),)))
    subscribers.subscribe(session, "slack", "1", "private")  # the same id on another platform


def rows(session: Session) -> list[SubscriberView]:
    return [dataclasses.replace(v, id=0) for v in subscribers.list_all(session)]


def reset(session: Session) -> None:
    session.execute(delete(Subscriber))
    prepare(session)


@pytest.mark.parametrize("keywords", [None, WORDS, Keywords()], ids=["keep", "set", "clear"])
@pytest.mark.parametrize("fields", [None, ["nlp", "llm"]], ids=["all-fields", "two-fields"])
def test_subscribe_many_leaves_the_rows_subscribe_leaves(
    db: Database, keywords: Keywords | None, fields: list[str] | None
) -> None:
    with db.session() as session:
        prepare(session)
        for chat_id in dict.fromkeys(IDS):
            kind = subscribers.guess_chat_kind("telegram", chat_id)
            subscribers.subscribe(session, "telegram", chat_id, kind, fields)
            if keywords is not None:
                subscribers.set_keywords(session, "telegram", chat_id, kind, keywords)
        one_by_one = rows(session)
        reset(session)
        counts = subscribers.subscribe_many(session, "telegram", IDS, fields, keywords, chunk_size=3)
        assert rows(session) == one_by_one
    assert counts == SubscribeCounts(added=6, reactivated=2, already_subscribed=2)
    with db.session() as session:
        assert rows(session) == one_by_one


def test_subscribe_many_counts_and_kinds(db: Database) -> None:
    with db.session() as session:
        prepare(session)
        counts = subscribers.subscribe_many(
            session, "telegram", ["1", "1", "-100123", "12", "4"], chunk_size=2
        )
        assert counts == SubscribeCounts(added=2, reactivated=1, already_subscribed=1)
        assert subscribers.subscribe_many(session, "telegram", []) == SubscribeCounts()
        forced = subscribers.subscribe_many(session, "console", ["a", "b"], chat_kind="group")
        assert forced == SubscribeCounts(added=2)
    with db.session() as session:
        by_id = {(v.platform, v.chat_id): v for v in subscribers.list_all(session)}
    assert (
        by_id["telegram", "-100123"].chat_kind == "channel" and by_id["telegram", "12"].chat_kind == "private"
    )
    assert by_id["telegram", "4"].keywords == Keywords((Term("robots"),))  # kept: none were given
    assert by_id["telegram", "1"].digest_time == dt.time(7, 30) and by_id["telegram", "1"].weekly
    assert {by_id["console", c].chat_kind for c in "ab"} == {"group"}
    given = [("telegram", c) for c in ("1", "-100123", "12", "4")] + [("console", "a"), ("console", "b")]
    assert all(by_id[key].active and by_id[key].daily for key in given)
    assert not by_id["telegram", "3"].active


def test_unsubscribe_many_deactivates_the_active_ones_only(db: Database) -> None:
    ids = ["1", "2", "3", "4", "404", "1", "2", "405"]
    with db.session() as session:
        prepare(session)
        for chat_id in dict.fromkeys(ids):
            subscribers.unsubscribe(session, "telegram", chat_id, "removed by admin")
        one_by_one = rows(session)
        reset(session)
        counts = subscribers.unsubscribe_many(session, "telegram", ids, "removed by admin", chunk_size=3)
        assert rows(session) == one_by_one
    assert counts == UnsubscribeCounts(removed=2, not_subscribed=4)
    with db.session() as session:
        by_id = {(v.platform, v.chat_id): v for v in subscribers.list_all(session)}
        assert by_id["telegram", "1"].deactivated_reason == "removed by admin"
        assert by_id["telegram", "3"].deactivated_reason == "unsubscribed"  # inactive before: untouched
        assert by_id["slack", "1"].active  # another platform's chat of the same id
        assert not any(v.chat_id in ("404", "405") for v in by_id.values())  # no rows for unknown ids
        again = subscribers.unsubscribe_many(session, "telegram", ids)
        assert again == UnsubscribeCounts(removed=0, not_subscribed=6)


def test_many_ids_in_default_chunks(db: Database) -> None:
    ids = [str(1_000_000 + i) for i in range(12_000)]
    with db.session() as session:
        assert subscribers.subscribe_many(session, "telegram", ids[:7_000]) == SubscribeCounts(added=7_000)
    with db.session() as session:
        counts = subscribers.subscribe_many(session, "telegram", ids)
        assert counts == SubscribeCounts(added=5_000, already_subscribed=7_000)
        assert subscribers.unsubscribe_many(session, "telegram", ids[::2]) == UnsubscribeCounts(6_000, 0)
        assert subscribers.subscribe_many(session, "telegram", ids[:10]) == SubscribeCounts(0, 5, 5)
        assert subscribers.counts_by_platform(session) == {"telegram": (6_005, 5_995)}
