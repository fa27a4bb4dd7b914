"""Storage merges sources into one record per arXiv id and ranks by votes."""

from __future__ import annotations

import datetime as dt

from storage import papers
from storage.db import Database
from storage.records import PaperIn

DAY = dt.date(2025, 2, 11)


def test_merge_keeps_korean_text_and_updates_votes(db: Database) -> None:
    imported = PaperIn(
        id="2502.06703",
        title="Old title",
        upvotes=121,
        easy_ko="쉬운 설명",
        fields=["llm"],
        fields_origin="digest",
    )
    fetched = PaperIn(
        id="2502.06703",
        title="Can 1B LLM Surpass 405B LLM?",
        upvotes=150,
        abstract="We study test-time scaling.",
        fields=["reasoning"],
    )
    with db.session() as s:
        papers.upsert_papers(s, [imported], DAY, "digest")
    with db.session() as s:
        papers.upsert_papers(s, [fetched], DAY, "hf")
    with db.session() as s:
        [paper] = papers.top_for_day(s, DAY, 5)
    assert paper.title == "Can 1B LLM Surpass 405B LLM?"
    assert paper.upvotes == 150
    assert paper.easy_ko == "쉬운 설명"
    assert paper.fields == ("llm",)  # the digest's own 관련분야 outrank the classifier


def test_top_orders_by_votes_with_unknown_last(db: Database) -> None:
    rows = [PaperIn(id=f"2502.0000{i}", title=f"P{i}", upvotes=v) for i, v in enumerate([3, None, 9, 5])]
    with db.session() as s:
        papers.upsert_papers(s, rows, DAY, "hf")
    with db.session() as s:
        top = papers.top_for_day(s, DAY, 3)
        assert papers.latest_day(s) == DAY
    assert [p.upvotes for p in top] == [9, 5, 3]


def test_field_window(db: Database) -> None:
    old = PaperIn(id="2401.00001", title="old", upvotes=99, fields=["nlp"])
    new = PaperIn(id="2502.00001", title="new", upvotes=1, fields=["nlp"])
    with db.session() as s:
        papers.upsert_papers(s, [old], dt.date(2024, 1, 2), "hf")
        papers.upsert_papers(s, [new], DAY, "hf")
    with db.session() as s:
        top = papers.top_for_field(s, "nlp", DAY - dt.timedelta(days=6), DAY, 5)
        counts = papers.field_counts(s, DAY - dt.timedelta(days=6), DAY)
    assert [p.id for p in top] == ["2502.00001"]
    assert counts == {"nlp": 1}


def test_refreshing_statistics_after_a_load_keeps_the_data(db: Database) -> None:
    with db.session() as s:
        papers.upsert_papers(s, [PaperIn(id="2502.00001", title="Statistics", upvotes=3)], DAY, "hf")
    assert db.analyze() is (not db.is_sqlite)  # VACUUM cannot run inside a transaction on PostgreSQL
    with db.session() as s:
        assert [p.id for p in papers.top_for_day(s, DAY, 5)] == ["2502.00001"]
