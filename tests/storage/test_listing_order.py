"""Equal votes are ranked the way Hugging Face lists them, and each day's listing keeps that day's votes:
the recorded corpus through the real HF client, the /field window, the broadcast digest, the JSON
output and the migration that adds the columns."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text

from bot.__main__ import main
from bot.fields import default_taxonomy
from bot.ingest import store_day_list
from bot.output import digest_json
from bot.selection import top_of_day, top_of_field
from bot.services import Services
from bot.sources.hf import HFClient, fetch_days
from storage import papers
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.records import PaperIn
from storage.tables import Listing
from tests.fakes.hf_server import FakeHFServer

DAY1, DAY2 = dt.date(2025, 3, 3), dt.date(2025, 3, 4)
TOP = 5


def entry(paper_id: str, votes: int, title: str = "A Paper") -> dict[str, Any]:
    return {
        "paper": {"id": paper_id, "title": f"{title} {paper_id}", "summary": "An abstract.", "upvotes": votes}
    }


def fetch(db: Database, days: dict[dt.date, list[dict[str, Any]]], page_size: int = 100) -> None:
    """Serve `days` from the fake Hugging Face server and store them through the ingest path."""
    taxonomy = default_taxonomy()
    served = {d.isoformat(): e for d, e in days.items()}
    with FakeHFServer(served) as fake, HFClient(fake.url, backoff=0, page_size=page_size) as hf:
        fetch_days(hf, sorted(days), on_day=lambda day_list: store_day_list(db, day_list, taxonomy))


def top_ids(db: Database, day: dt.date, n: int = TOP) -> list[str]:
    with db.session() as session:
        return [p.id for p in papers.top_for_day(session, day, n)]


# --- ties -----------------------------------------------------------------------------------------


def test_equal_votes_keep_the_list_order_across_pages(db: Database) -> None:
    # ids descend while the list goes on, so an order by id would reverse the list
    entries = [entry(f"2503.{10099 - i}", votes=7) for i in range(25)]
    fetch(db, {DAY1: entries}, page_size=10)
    assert top_ids(db, DAY1, 25) == [e["paper"]["id"] for e in entries]


def test_papers_without_a_position_follow_those_with_one_then_by_id(db: Database) -> None:
    fetch(db, {DAY1: [entry("2503.00009", 5), entry("2503.00008", 5), entry("2503.00007", 9)]})
    imported = [PaperIn(id=i, title=f"Imported {i}", upvotes=5) for i in ("2503.00003", "2503.00001")]
    with db.session() as session:
        papers.upsert_papers(session, imported, DAY1, "digest")
    assert top_ids(db, DAY1) == ["2503.00007", "2503.00009", "2503.00008", "2503.00001", "2503.00003"]


def test_a_new_fetch_of_a_day_replaces_its_votes_and_positions(db: Database) -> None:
    fetch(db, {DAY1: [entry("2503.00001", 5), entry("2503.00002", 5)]})
    fetch(db, {DAY1: [entry("2503.00002", 6), entry("2503.00001", 6)]})
    with db.session() as session:
        shown = papers.top_for_day(session, DAY1, TOP)
    assert [(p.id, p.upvotes) for p in shown] == [("2503.00002", 6), ("2503.00001", 6)]


# --- votes of a day, on every read path ----------------------------------------------------------


@pytest.fixture
def two_days(services: Services) -> Services:
    """2503.00001 has 2 votes on DAY1 and 42 on DAY2; on DAY1 it ties with the later-listed
    2503.00002 and trails 2503.00009 and 2503.00003 (3 votes each, listed in that order)."""
    fetch(
        services.db,
        {
            DAY1: [
                entry("2503.00009", 3, "Language Model"),
                entry("2503.00003", 3, "Language Model"),
                entry("2503.00001", 2, "Language Model"),
                entry("2503.00002", 2, "Language Model"),
            ],
            DAY2: [entry("2503.00001", 42, "Language Model"), entry("2503.00005", 1, "Language Model")],
        },
    )
    return services


DAY1_ORDER = [("2503.00009", 3), ("2503.00003", 3), ("2503.00001", 2), ("2503.00002", 2)]


def test_top_of_a_day_shows_that_days_votes_in_hugging_faces_order(two_days: Services) -> None:
    digest = top_of_day(two_days, DAY1, 10)
    assert digest is not None
    assert [(c.paper_id, c.votes) for c in digest.cards] == DAY1_ORDER
    assert [(p["id"], p["votes"]) for p in digest_json(digest, DAY1, None)["papers"]] == DAY1_ORDER
    later = top_of_day(two_days, DAY2, 10)
    assert later is not None and later.cards[0].votes == 42


def test_the_broadcast_digest_shows_that_days_votes_in_hugging_faces_order(two_days: Services) -> None:
    every_field = [f.code for f in two_days.taxonomy.fields]  # the plan's filtered read path
    digest = top_of_day(two_days, DAY1, 10, every_field)
    assert digest is not None
    assert [(c.paper_id, c.votes) for c in digest.cards] == DAY1_ORDER


def test_the_field_window_shows_the_latest_listings_votes_and_breaks_ties_by_position(
    two_days: Services,
) -> None:
    digest = top_of_field(two_days, "llm", 10, 7)
    assert digest is not None
    assert [(c.paper_id, c.votes) for c in digest.cards] == [
        ("2503.00001", 42),
        ("2503.00009", 3),
        ("2503.00003", 3),
        ("2503.00002", 2),
        ("2503.00005", 1),
    ]


def test_the_json_output_shows_that_days_votes(
    two_days: Services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", two_days.db.url)
    assert main(["top", "--date", DAY1.isoformat(), "--n", "10", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)["papers"]
    assert [(p["id"], p["votes"]) for p in shown] == DAY1_ORDER


# --- the migration --------------------------------------------------------------------------------


def test_the_migration_backfills_each_listing_with_the_papers_votes(db: Database) -> None:
    command.downgrade(alembic_config(db), "0002")
    now = dt.datetime(2025, 3, 4, 12, 0)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO papers (id, title, upvotes, created_at, updated_at) VALUES (:i, :t, :v, :n, :n)"
            ),
            [
                {"i": "2503.00001", "t": "Old", "v": 17, "n": now},
                {"i": "2503.00002", "t": "New", "v": None, "n": now},
            ],
        )
        conn.execute(
            text("INSERT INTO listings (day, paper_id, source) VALUES (:d, :p, 'hf')"),
            [{"d": DAY1, "p": "2503.00001"}, {"d": DAY2, "p": "2503.00001"}, {"d": DAY1, "p": "2503.00002"}],
        )
    upgrade(db)
    with db.session() as session:
        rows = session.execute(select(Listing.day, Listing.paper_id, Listing.upvotes, Listing.position))
        assert sorted(rows) == [
            (DAY1, "2503.00001", 17, None),
            (DAY1, "2503.00002", None, None),
            (DAY2, "2503.00001", 17, None),
        ]
    assert top_ids(db, DAY1) == ["2503.00001", "2503.00002"]
