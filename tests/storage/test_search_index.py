"""The search index stays equal to a rebuild from the papers on every write path, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import delete, text, update

from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.papers import set_korean_text, upsert_papers
from storage.records import PaperIn, SearchQuery, Term
from storage.search import search_ids
from storage.search_index import defer, flush_deferred, refresh
from storage.summaries import store_llm_text
from storage.tables import KoreanText, Paper

DAY = dt.date(2025, 3, 4)


def paper(n: int, title: str, abstract: str | None = None, **extra: object) -> PaperIn:
    return PaperIn(id=f"2503.{n:05d}", title=title, abstract=abstract, upvotes=n, **extra)  # type: ignore[arg-type]


PAPERS = [
    paper(1, "Diffusion Transformers", "We scale DiT models.", ai_keywords=["diffusion", "DiT"]),
    paper(2, "Reward Models for RL", "An RL study.", summary_ko="강화학습 보상 모델", korean_origin="digest"),
    paper(3, "Sparse Attention Kernels", "Fast kernels."),
]

# What the index should hold: one row per paper, from the papers and their Korean texts as they are.
_SQLITE_EXPECTED = """
SELECT p.id, p.title,
  coalesce((SELECT group_concat(j.value, ' ') FROM json_each(
      CASE WHEN json_valid(p.ai_keywords) THEN p.ai_keywords ELSE '[]' END) j WHERE j.type = 'text'), ''),
  coalesce((SELECT group_concat(coalesce(k.summary_ko, '') || ' ' || coalesce(k.easy_ko, ''), ' ')
      FROM korean_texts k WHERE k.paper_id = p.id), ''),
  coalesce(p.abstract, '')
FROM papers p ORDER BY p.id"""
_SQLITE_ACTUAL = """
SELECT s.paper_id, f.title, f.keywords, f.korean, f.abstract
FROM paper_fts f JOIN paper_search_ids s ON s.doc_id = f.rowid ORDER BY s.paper_id"""
_PG_EXPECTED = """
SELECT p.id, p.title, concat_ws(' ', p.title, k.kw, t.ko, p.abstract)
FROM papers p
CROSS JOIN LATERAL (SELECT coalesce(CASE WHEN json_typeof(p.ai_keywords) = 'array' THEN
    (SELECT string_agg(e, ' ') FROM json_array_elements_text(p.ai_keywords) e) END, '') AS kw) k
CROSS JOIN LATERAL (SELECT coalesce(string_agg(concat_ws(' ', x.summary_ko, x.easy_ko), ' '), '') AS ko
    FROM korean_texts x WHERE x.paper_id = p.id) t
ORDER BY p.id"""
_PG_ACTUAL = "SELECT paper_id, title, body FROM paper_search ORDER BY paper_id"
# PostgreSQL also holds each paper's field codes as `#code` lexemes of its tsvector (migration 0012).
_PG_FIELDS_EXPECTED = """
SELECT p.id, ARRAY(SELECT '#' || f.code FROM paper_fields f WHERE f.paper_id = p.id ORDER BY 1)
FROM papers p ORDER BY p.id"""
_PG_FIELDS_ACTUAL = """
SELECT ps.paper_id,
  ARRAY(SELECT l FROM unnest(tsvector_to_array(ps.doc)) l WHERE starts_with(l, '#') ORDER BY 1)
FROM paper_search ps ORDER BY ps.paper_id"""


def assert_in_step(db: Database, field_lexemes: bool = True) -> None:
    """The index rows equal those rebuilt from the papers now (and SQLite has nothing left to note);
    `field_lexemes=False` for PostgreSQL before migration 0012."""
    expected, actual = (_SQLITE_EXPECTED, _SQLITE_ACTUAL) if db.is_sqlite else (_PG_EXPECTED, _PG_ACTUAL)
    with db.engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(text(actual))] == [
            tuple(r) for r in conn.execute(text(expected))
        ]
        if not db.is_sqlite and field_lexemes:
            assert [tuple(r) for r in conn.execute(text(_PG_FIELDS_ACTUAL))] == [
                tuple(r) for r in conn.execute(text(_PG_FIELDS_EXPECTED))
            ]
        if db.is_sqlite:
            assert conn.execute(text("SELECT count(*) FROM paper_search_dirty")).scalar() == 0
            words = conn.execute(text("SELECT count(*) FROM paper_search_ids")).scalar()
            assert words == conn.execute(text("SELECT count(*) FROM papers")).scalar()


def find(db: Database, *words: str) -> list[str]:
    with db.session() as session:
        return sorted(search_ids(session, SearchQuery(tuple(Term(w) for w in words)), 10))


@pytest.fixture
def stocked(db: Database) -> Database:
    with db.session() as session:
        upsert_papers(session, PAPERS, DAY, "hf")
    return db


def test_every_write_path_keeps_the_index_in_step(stocked: Database) -> None:
    assert_in_step(stocked)
    with stocked.session() as session:  # a day merged again, one paper changed, one new
        changed = [
            PAPERS[0],
            paper(3, "Sparse Attention Kernels", "Faster kernels on GPUs."),
            paper(4, "New"),
        ]
        upsert_papers(session, changed, DAY + dt.timedelta(days=1), "hf")
    assert_in_step(stocked)
    assert find(stocked, "GPUs") == ["2503.00003"] and find(stocked, "New") == ["2503.00004"]
    with stocked.session() as session:
        store_llm_text(
            session, "2503.00001", "llm:v1", "확산 모델 요약", "쉬운 설명", ["generation"], None, 1, 1
        )
        set_korean_text(session, "2503.00002", "digest", "바뀐 요약", None)
        session.execute(update(Paper).where(Paper.id == "2503.00004").values(ai_keywords=["novelty"]))
    assert_in_step(stocked)
    assert find(stocked, "확산 모델") == ["2503.00001"] and find(stocked, "강화학습") == []
    with stocked.session() as session:
        session.execute(delete(KoreanText).where(KoreanText.paper_id == "2503.00001"))
        session.execute(delete(Paper).where(Paper.id == "2503.00003"))
    assert_in_step(stocked)
    assert find(stocked, "확산") == [] and find(stocked, "kernels") == []


def test_writes_outside_sessions_and_many_days_in_one_transaction(stocked: Database) -> None:
    with stocked.engine.begin() as conn:
        conn.execute(text("UPDATE papers SET title = 'Plain Connection' WHERE id = '2503.00001'"))
    assert_in_step(stocked)
    assert find(stocked, "plain connection") == ["2503.00001"]
    with stocked.session() as session:  # a paper inserted, updated and deleted in one transaction
        for day in range(3):
            upsert_papers(session, [paper(10 + day, f"Entry{day}"), paper(9, f"Round{day}")], DAY, "hf")
        session.execute(delete(Paper).where(Paper.id == "2503.00010"))
    assert_in_step(stocked)
    assert find(stocked, "round2") == ["2503.00009"] and find(stocked, "round1") == []
    assert find(stocked, "entry0") == [] and find(stocked, "entry1") == ["2503.00011"]


def test_a_rolled_back_transaction_leaves_the_index_alone(stocked: Database) -> None:
    with pytest.raises(RuntimeError), stocked.session() as session:
        upsert_papers(session, [paper(5, "Never Stored")], DAY, "hf")
        raise RuntimeError("abort")
    assert_in_step(stocked)
    assert find(stocked, "never stored") == []


def test_a_refresh_inside_a_transaction_indexes_its_writes_so_far(stocked: Database) -> None:
    with stocked.session() as session:
        upsert_papers(session, [paper(5, "Midway Paper")], DAY, "hf")
        refresh(session)
        assert search_ids(session, SearchQuery((Term("midway"),)), 10) == ["2503.00005"]
        upsert_papers(session, [paper(5, "Renamed Paper")], DAY, "hf")  # indexed at the commit
    assert_in_step(stocked)
    assert find(stocked, "midway") == [] and find(stocked, "renamed") == ["2503.00005"]
    with pytest.raises(RuntimeError), stocked.session() as session:
        upsert_papers(session, [paper(6, "Rolled Back")], DAY, "hf")
        refresh(session)
        raise RuntimeError("abort")
    assert_in_step(stocked)
    assert find(stocked, "rolled back") == []


def test_downgrade_restores_row_triggers_and_upgrade_keeps_the_index(stocked: Database) -> None:
    command.downgrade(alembic_config(stocked), "0009")
    assert_in_step_0009(stocked)
    with stocked.session() as session:  # indexed by the row triggers of 0005
        upsert_papers(session, [paper(6, "Written Before Upgrade")], DAY, "hf")
        set_korean_text(session, "2503.00006", "digest", "업그레이드 전", None)
    upgrade(stocked)
    assert_in_step(stocked)
    assert find(stocked, "written before") == ["2503.00006"] and find(stocked, "업그레이드") == ["2503.00006"]
    with stocked.session() as session:
        upsert_papers(session, [paper(7, "Written After Upgrade")], DAY, "hf")
    assert_in_step(stocked)
    assert find(stocked, "written after") == ["2503.00007"]


def assert_in_step_0009(db: Database) -> None:
    """At 0009 the row triggers keep the index; there is no table of noted ids."""
    with db.engine.connect() as conn:
        if db.is_sqlite:
            names = conn.execute(text("SELECT name FROM sqlite_master WHERE name = 'paper_search_dirty'"))
            assert names.first() is None
            assert [tuple(r) for r in conn.execute(text(_SQLITE_ACTUAL))] == [
                tuple(r) for r in conn.execute(text(_SQLITE_EXPECTED))
            ]
        else:
            assert [tuple(r) for r in conn.execute(text(_PG_ACTUAL))] == [
                tuple(r) for r in conn.execute(text(_PG_EXPECTED))
            ]


def test_downgrading_indexes_the_papers_left_noted_by_a_deferred_import(db: Database) -> None:
    with db.session() as session:
        defer(session)
        upsert_papers(session, PAPERS, DAY, "hf")
    assert find(db, "sparse attention") == ([] if not db.is_sqlite else ["2503.00003"])
    command.downgrade(alembic_config(db), "0010")
    assert_in_step(db, field_lexemes=False)
    assert find(db, "sparse attention") == ["2503.00003"]
    upgrade(db)
    assert_in_step(db)


def test_a_deferred_import_indexes_papers_and_their_fields_at_its_flush(db: Database) -> None:
    with db.session() as session:
        defer(session)
        upsert_papers(session, [paper(5, "Policy Gradients", "A study.", fields=["rl"]), *PAPERS], DAY, "hf")
    assert find(db, "policy") == ([] if not db.is_sqlite else ["2503.00005"])
    assert flush_deferred(db) == (0 if db.is_sqlite else 4)
    assert_in_step(db)
    assert find(db, "policy") == ["2503.00005"]
