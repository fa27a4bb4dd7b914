"""Migration 0008 (thumbnails, Slack threads, sent message ids) both ways, and what the new columns hold."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import inspect

from storage import subscribers
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.papers import find_paper, upsert_papers
from storage.records import PaperIn

THUMB = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2502.00001.png"


def columns(db: Database, table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_downgrade_and_upgrade_keep_the_rows(db: Database) -> None:
    with db.session() as session:
        subscribers.subscribe(session, "slack", "C1", "channel")
        assert subscribers.set_slack_thread(session, "slack", "C1", True)
    command.downgrade(alembic_config(db), "0005")
    assert "slack_thread" not in columns(db, "subscribers") and "thumbnail" not in columns(db, "papers")
    assert "message_ref" not in columns(db, "outbox")
    upgrade(db)
    with db.session() as session:
        sub = subscribers.get(session, "slack", "C1")
        assert sub is not None and sub.active and sub.slack_thread is False  # the default when added


def test_thread_is_only_set_for_an_active_subscription(db: Database) -> None:
    with db.session() as session:
        assert not subscribers.set_slack_thread(session, "slack", "C9", True)
        subscribers.subscribe(session, "slack", "C9", "channel")
        subscribers.unsubscribe(session, "slack", "C9")
        assert not subscribers.set_slack_thread(session, "slack", "C9", True)


def test_links_and_thumbnail_are_stored_and_kept_by_later_sources(db: Database) -> None:
    day = dt.date(2025, 2, 11)
    rich = PaperIn(
        id="2502.00001",
        title="T",
        github_repo="https://github.com/a/b",
        github_stars=1234,
        project_page="https://a.github.io/b",
        thumbnail=THUMB,
    )
    with db.session() as session:
        upsert_papers(session, [rich], day, "hf")
        upsert_papers(session, [PaperIn(id="2502.00001", title="T", thumbnail="")], None, "digest")
    with db.session() as session:
        paper = find_paper(session, "2502.00001")
    assert paper is not None
    assert (paper.github_repo, paper.github_stars) == ("https://github.com/a/b", 1234)
    assert (paper.project_page, paper.thumbnail) == ("https://a.github.io/b", THUMB)
