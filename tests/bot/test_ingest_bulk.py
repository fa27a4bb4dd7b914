"""A bulk import of many day lists stores what one day at a time stores, and stops cleanly on errors."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.bootstrap import open_database
from bot.cli.demo import SAMPLE_DAY, sample_text
from bot.fields import default_taxonomy
from bot.ingest import store_day_list, store_day_lists, store_digests
from bot.sources.hf import DayList, parse_day
from bot.sources.markdown import parse_digest
from storage import papers, search_index
from storage.db import Database
from storage.records import SearchQuery, Term
from storage.search import search_ids
from storage.tables import Listing, Paper, PaperField
from tests.conftest import _postgres_db, _sqlite_db
from tests.storage.test_search_index import assert_in_step

DAYS = 12


def recorded_days(corpus: Path) -> list[DayList]:
    paths = sorted(corpus.glob("*.json"))[:DAYS]
    return [parse_day(p.read_bytes(), dt.date.fromisoformat(p.stem)) for p in paths]


def contents(db: Database) -> tuple[list[tuple], list[tuple], list[tuple], list[str]]:
    with db.session() as session:
        rows = [
            tuple(r) for r in session.execute(select(Paper.id, Paper.title, Paper.upvotes).order_by(Paper.id))
        ]
        listings = [
            tuple(r)
            for r in session.execute(
                select(Listing.day, Listing.paper_id, Listing.position).order_by(
                    Listing.day, Listing.paper_id
                )
            )
        ]
        fields = [
            tuple(r)
            for r in session.execute(
                select(PaperField.paper_id, PaperField.code, PaperField.origin).order_by(
                    PaperField.paper_id, PaperField.position
                )
            )
        ]
        found = search_ids(session, SearchQuery((Term("model"),)), 50)
    return rows, listings, fields, found


def test_bulk_import_equals_one_day_at_a_time(db: Database, hf_corpus_dir: Path, tmp_path: Path) -> None:
    days, taxonomy = recorded_days(hf_corpus_dir), default_taxonomy()
    reports = store_day_lists(db, days, taxonomy, per_transaction=5)
    assert [r.day for r in reports] == [d.day for d in days]
    assert [r.stored for r in reports] == [len(d.papers) for d in days]
    (tmp_path / "one").mkdir()
    reference = _sqlite_db(tmp_path / "one") if db.is_sqlite else _postgres_db()
    one_by_one = next(reference)
    for day_list in days:
        store_day_list(one_by_one, day_list, taxonomy)
    assert contents(db) == contents(one_by_one)
    reference.close()


def import_until_a_bad_day(db: Database, days: list[DayList]) -> None:
    """A bulk import whose source fails after four days, two days per transaction."""

    def source() -> Iterator[DayList]:
        yield from days[:4]
        raise ValueError("bad day")

    with pytest.raises(ValueError, match="bad day"):
        store_day_lists(db, source(), default_taxonomy(), per_transaction=2)


def test_a_failing_source_keeps_the_committed_transactions(db: Database, hf_corpus_dir: Path) -> None:
    days = recorded_days(hf_corpus_dir)
    import_until_a_bad_day(db, days)
    with db.session() as session:
        stored_days = sorted(set(session.scalars(select(Listing.day))))
    assert stored_days == sorted(d.day for d in days[:4])


def test_a_failing_write_stops_the_import(
    db: Database, hf_corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days, real = recorded_days(hf_corpus_dir), papers.upsert_days

    def upsert(session, listed, source):  # type: ignore[no-untyped-def]
        if any(day == days[3].day for day, _rows in listed):
            raise RuntimeError("disk full")
        return real(session, listed, source)

    monkeypatch.setattr(papers, "upsert_days", upsert)
    with pytest.raises(RuntimeError, match="disk full"):
        store_day_lists(db, iter(days * 5), default_taxonomy(), per_transaction=3)
    with db.session() as session:
        stored_days = sorted(set(session.scalars(select(Listing.day))))
    assert stored_days == sorted(d.day for d in days[:3])


def gin_indexes(db: Database) -> dict[str, tuple[int, str]]:
    """PostgreSQL's GIN indexes on the search table: name → (oid, definition)."""
    query = """SELECT c.relname, c.oid, pg_get_indexdef(c.oid) FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
        WHERE i.indrelid = 'paper_search'::regclass AND a.amname = 'gin'"""
    with db.engine.connect() as conn:
        return {name: (oid, definition) for name, oid, definition in conn.execute(text(query))}


def findable(db: Database, rows: list[tuple]) -> list[str]:
    """The ids of `rows` (id, title, …) that a search for the paper's title finds."""
    with db.session() as session:
        return [pid for pid, title, *_ in rows if pid in search_ids(session, SearchQuery((Term(title),)), 20)]


def test_a_bulk_import_leaves_every_paper_in_the_search_index(db: Database, hf_corpus_dir: Path) -> None:
    days, taxonomy = recorded_days(hf_corpus_dir), default_taxonomy()
    created = {} if db.is_sqlite else gin_indexes(db)
    store_day_lists(db, days[:-1], taxonomy, per_transaction=3)  # into an empty database
    assert_in_step(db)
    rebuilt = {} if db.is_sqlite else gin_indexes(db)
    store_day_lists(db, days[-1:], taxonomy)  # a few more papers
    assert_in_step(db)
    rows = contents(db)[0]
    assert len(rows) > 100 and findable(db, rows) == [pid for pid, *_ in rows]
    if not db.is_sqlite:  # built anew for the many papers, in place for the few, always the same
        assert len(created) == 2 and rebuilt.keys() == created.keys() == gin_indexes(db).keys()
        assert all(rebuilt[n][0] != created[n][0] and rebuilt[n][1] == created[n][1] for n in created)
        assert gin_indexes(db) == rebuilt


def test_papers_of_an_interrupted_import_are_indexed_at_the_next_start(
    db: Database, hf_corpus_dir: Path
) -> None:
    days = recorded_days(hf_corpus_dir)[:3]
    rows = [(p.id, p.title) for d in days for p in d.papers]
    with db.session() as session:  # what a writer had committed when its import stopped
        search_index.defer(session)
        for day_list in days:
            papers.upsert_papers(session, day_list.papers, day_list.day, "hf")
    if not db.is_sqlite:
        assert findable(db, rows) == []  # not yet indexed: its import never reached the flush
    reopened = open_database(db.url)
    try:
        assert_in_step(reopened)
        assert findable(reopened, rows) == [pid for pid, _ in rows]
    finally:
        reopened.dispose()


def test_a_failed_import_indexes_what_it_committed(db: Database, hf_corpus_dir: Path) -> None:
    import_until_a_bad_day(db, recorded_days(hf_corpus_dir))
    assert_in_step(db)
    rows = contents(db)[0]
    assert rows and findable(db, rows) == [pid for pid, *_ in rows]


def test_imported_digests_are_indexed_for_search(db: Database) -> None:
    first, second = dt.date(2025, 2, 10), SAMPLE_DAY
    digests = [(parse_digest(sample_text(), day), day) for day in (first, second)]
    reports = store_digests(db, digests, default_taxonomy())
    assert [r.day for r in reports] == [first, second] and reports[0].stored > 3
    assert_in_step(db)
    rows = contents(db)[0]
    assert findable(db, rows) == [pid for pid, *_ in rows]
    with db.session() as session:
        listed = sorted(set(session.scalars(select(Listing.day))))
    assert listed == [first, second]


def test_the_writer_starts_before_a_transaction_is_full(
    db: Database, hf_corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days, real = recorded_days(hf_corpus_dir), papers.upsert_days
    written: list[list[dt.date]] = []
    first_written = threading.Event()

    def upsert(session, listed, source):  # type: ignore[no-untyped-def]
        written.append([day for day, _rows in listed])
        first_written.set()
        return real(session, listed, source)

    def source() -> Iterator[DayList]:
        yield days[0]
        assert first_written.wait(timeout=60), "the writer waited for more days"
        yield from days[1:6]

    monkeypatch.setattr(papers, "upsert_days", upsert)
    reports = store_day_lists(db, source(), default_taxonomy(), per_transaction=4)
    assert written[0] == [days[0].day]
    assert sum(written, []) == [d.day for d in days[:6]]
    assert [r.day for r in reports] == [d.day for d in days[:6]]
    with db.session() as session:
        stored_days = sorted(set(session.scalars(select(Listing.day))))
    assert stored_days == sorted(d.day for d in days[:6])
