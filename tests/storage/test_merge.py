"""Merging papers in bulk keeps the rules of merging them one by one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage import papers
from storage.db import Database
from storage.records import PaperIn
from storage.tables import KoreanText, Listing, Paper, PaperField

DAY = dt.date(2025, 2, 11)


def upsert(db: Database, rows: list[PaperIn], day: dt.date | None = DAY, source: str = "hf") -> None:
    with db.session() as s:
        assert papers.upsert_papers(s, rows, day, source) == len(rows)


def paper(db: Database, paper_id: str) -> Paper:
    with db.session() as s:
        row = s.get(Paper, paper_id)
        assert row is not None
        return row


def fields(db: Database, paper_id: str) -> list[tuple[str, str]]:
    with db.session() as s:
        query = select(PaperField.code, PaperField.origin).where(PaperField.paper_id == paper_id)
        return [tuple(r) for r in s.execute(query.order_by(PaperField.position))]  # type: ignore[misc]


def test_known_values_win_over_unknown_and_empty(db: Database) -> None:
    first = PaperIn(
        id="2502.00001",
        title="First title",
        abstract="An abstract.",
        ai_keywords=["kw"],
        authors=["A"],
        upvotes=5,
        github_repo="https://github.com/x/y",
    )
    upsert(db, [first])
    upsert(db, [PaperIn(id="2502.00001", title="Second title", abstract="", upvotes=7, github_repo="")])
    row = paper(db, "2502.00001")
    assert (row.title, row.abstract, row.upvotes) == ("Second title", "An abstract.", 7)
    assert (row.ai_keywords, row.authors, row.github_repo) == (["kw"], ["A"], "https://github.com/x/y")
    upsert(db, [PaperIn(id="2502.00001", title="Second title", authors=[], ai_keywords=None)])
    row = paper(db, "2502.00001")
    assert (row.authors, row.ai_keywords) == ([], ["kw"])  # an empty list is known: nobody


def test_unknown_json_values_are_sql_null(db: Database) -> None:
    upsert(db, [PaperIn(id="2502.00002", title="No lists")])
    with db.session() as s:
        nulls = s.scalar(select(Paper.id).where(Paper.ai_keywords.is_(None), Paper.authors.is_(None)))
    assert nulls == "2502.00002"


def test_a_repeated_id_in_one_call_merges_in_order(db: Database) -> None:
    rows = [
        PaperIn(id="2502.00003", title="T1", upvotes=1, abstract="abs", fields=["nlp"], fields_origin="llm"),
        PaperIn(id="2502.00003", title="T2", upvotes=None, fields=["vision"], fields_origin="classifier"),
        PaperIn(id="2502.00003", title="T3", upvotes=3, easy_ko="쉬운", fields=["rl"], fields_origin="llm"),
    ]
    upsert(db, rows)
    row = paper(db, "2502.00003")
    assert (row.title, row.upvotes, row.abstract) == ("T3", 3, "abs")
    assert fields(db, "2502.00003") == [("rl", "llm")]


def test_fields_by_priority_and_korean_texts_by_origin(db: Database) -> None:
    pid = "2502.00004"
    upsert(db, [PaperIn(id=pid, title="T", fields=["nlp", "llm", "nlp", "ai", "ml"], fields_origin="digest")])
    assert fields(db, pid) == [("nlp", "digest"), ("llm", "digest"), ("ai", "digest")]
    upsert(db, [PaperIn(id=pid, title="T", fields=["vision"], fields_origin="llm")])
    assert fields(db, pid) == [("nlp", "digest"), ("llm", "digest"), ("ai", "digest")]
    upsert(db, [PaperIn(id=pid, title="T", fields=["rl"], fields_origin="digest")])
    assert fields(db, pid) == [("rl", "digest")]

    upsert(db, [PaperIn(id=pid, title="T", summary_ko="요약 1", easy_ko="쉬운 1", korean_origin="digest")])
    upsert(db, [PaperIn(id=pid, title="T", summary_ko=None, easy_ko="쉬운 2", korean_origin="digest")])
    upsert(db, [PaperIn(id=pid, title="T", summary_ko="파생", korean_origin="derived")])
    upsert(db, [PaperIn(id=pid, title="T")])  # no Korean text: the stored ones stay
    with db.session() as s:
        texts = s.execute(
            select(KoreanText.origin, KoreanText.summary_ko, KoreanText.easy_ko).order_by(KoreanText.origin)
        ).all()
    assert [tuple(t) for t in texts] == [("derived", "파생", None), ("digest", None, "쉬운 2")]


def test_a_listing_keeps_its_first_source_and_no_day_lists_nothing(db: Database) -> None:
    upsert(db, [PaperIn(id="2502.00005", title="T")], DAY, "digest")
    upsert(db, [PaperIn(id="2502.00005", title="T")], DAY, "hf")
    upsert(db, [PaperIn(id="2502.00006", title="U")], None, "hf")
    with db.session() as s:
        listings = s.execute(select(Listing.paper_id, Listing.source)).all()
    assert [tuple(r) for r in listings] == [("2502.00005", "digest")]


def test_an_empty_call_stores_nothing(db: Database) -> None:
    upsert(db, [])
    with db.session() as s:
        assert papers.count_papers(s) == 0
