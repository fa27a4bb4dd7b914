"""Search storage on both databases: the index follows papers and Korean texts, user text stays literal."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, insert, select, update

from storage import ranked_search
from storage.db import Database
from storage.papers import set_korean_text, upsert_papers
from storage.records import PaperIn, SearchQuery, Term
from storage.search import search_ids
from storage.summaries import store_llm_text
from storage.tables import KoreanText, Paper

DAY = dt.date(2025, 2, 11)
PAPERS = [
    PaperIn(id="2502.00001", title="Diffusion Transformers at Scale", abstract="We scale DiT models.",
            ai_keywords=["diffusion", "image generation"], upvotes=10, fields=["generation"]),
    PaperIn(id="2502.00002", title="Reward Models for RL", abstract="An RL study of URL parsing.",
            upvotes=30, fields=["rl"], summary_ko="강화학습으로 보상 모델을 다듬어요.",
            korean_origin="digest"),
    PaperIn(id="2502.00003", title="Test-Time Scaling (revisited): NEAR OR * ^", abstract="Scaling laws.",
            ai_keywords=["test-time scaling"], upvotes=20, fields=["reasoning"]),
]  # fmt: skip


def find(db: Database, *words: str, excluded: tuple[str, ...] = (), **query: object) -> list[str]:
    terms = tuple(Term(w) for w in words)
    with db.session() as session:
        return search_ids(session, SearchQuery(terms, excluded, **query), 10)  # type: ignore[arg-type]


@pytest.fixture
def stocked(db: Database) -> Database:
    with db.session() as session:
        upsert_papers(session, PAPERS, DAY, "hf")
    return db


def test_words_phrases_and_exclusions(stocked: Database) -> None:
    assert find(stocked, "diffusion") == ["2502.00001"]
    assert sorted(find(stocked, "SCAL")) == ["2502.00001", "2502.00003"]  # case-insensitive substrings
    assert find(stocked, "scal", excluded=("diffusion",)) == ["2502.00003"]
    assert find(stocked, "test-time scaling") == ["2502.00003"]
    assert find(stocked, "scaling test-time") == []  # a phrase is matched as written


def test_korean_substrings_and_short_terms(stocked: Database) -> None:
    assert find(stocked, "보상 모델") == ["2502.00002"]
    assert find(stocked, "강화학습") == ["2502.00002"]
    assert find(stocked, "강화") == ["2502.00002"]  # two characters: a word prefix
    assert find(stocked, "RL") == ["2502.00002"]  # a whole word, so "URL" alone would not do
    assert find(stocked, "DiT") == ["2502.00001"]


def test_english_words_match_whole_words_first_then_as_a_prefix(stocked: Database) -> None:
    with stocked.session() as session:
        upsert_papers(
            session,
            [PaperIn(id="2502.00005", title="Rewarding former agents", abstract="Prompted rewards.")],
            DAY,
            "hf",
        )
    assert find(stocked, "reward") == ["2502.00002"]  # the whole word, not "Rewarding" or "rewards"
    assert find(stocked, "former") == ["2502.00005"]  # a word of its own, never inside "Transformers"
    assert sorted(find(stocked, "rewar")) == ["2502.00002", "2502.00005"]  # no whole word: a prefix
    assert find(stocked, "transform") == ["2502.00001"]  # only a prefix of "Transformers"
    assert find(stocked, "prompt") == ["2502.00005"]
    assert find(stocked, "prompt", excluded=("reward",)) == ["2502.00005"]  # excluded whole, too
    assert find(stocked, "formers") == []  # neither a word nor a word's beginning


def test_korean_terms_match_inside_longer_words(stocked: Database) -> None:
    assert find(stocked, "화학습") == ["2502.00002"]  # the middle of 강화학습으로
    assert find(stocked, "모델을") == ["2502.00002"]
    assert find(stocked, "화학습", "듬어요") == ["2502.00002"]  # two terms, both inside words
    assert find(stocked, "강화학습", excluded=("다듬어",)) == []


def test_field_codes_widen_a_term(stocked: Database) -> None:
    with stocked.session() as session:
        ids = search_ids(session, SearchQuery((Term("추론", ("reasoning",)),)), 10)
    assert ids == ["2502.00003"]


def test_a_field_term_narrows_other_words_and_follows_field_changes(stocked: Database) -> None:
    def either(*words: str, term: Term) -> list[str]:
        with stocked.session() as session:
            return sorted(search_ids(session, SearchQuery((*(Term(w) for w in words), term)), 10))

    optimizer = Term("optimizer", ("generation",))  # no paper has the word: its field's papers do
    assert either("models", term=optimizer) == ["2502.00001"]
    assert either("scaling", term=Term("추론", ("reasoning",))) == ["2502.00003"]
    assert either("models", term=Term("RL", ("rl",))) == ["2502.00002"]
    with stocked.session() as session:  # a paper's fields change: the search follows
        store_llm_text(session, "2502.00002", "llm:v1", "요약", "설명", ["generation"], None, 1, 1)
    assert either("models", term=optimizer) == ["2502.00001", "2502.00002"]
    assert either("models", term=Term("rl", ("rl",))) == ["2502.00002"]  # still its word


def test_a_large_match_set_gives_its_most_voted_papers_whether_sorted_or_walked(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = [
        PaperIn(id=f"2502.{i:05d}", title=f"Common topic {i}", abstract="A common study.",
                upvotes=None if i % 5 == 0 else i % 7, fields=["rl" if i % 2 else "nlp"])
        for i in range(1, 41)
    ]  # fmt: skip
    with db.session() as session:
        upsert_papers(session, many, DAY, "hf")
    query = SearchQuery((Term("common"), Term("optimizer", ("rl",))))
    monkeypatch.setattr(ranked_search, "RANK_ALL", 0)  # never ranked whole: the most-voted only
    found = {}
    for sort_all in (0, 1000):  # walked in vote order, or listed and sorted (PostgreSQL)
        monkeypatch.setattr(ranked_search, "SORT_ALL", sort_all)
        with db.session() as session:
            found[sort_all] = search_ids(session, query, 4)
    voted = sorted(
        (p for p in many if "rl" in p.fields), key=lambda p: (p.upvotes is None, -(p.upvotes or 0), p.id)
    )
    assert set(found[0]) <= {p.id for p in voted[:8]} and len(found[0]) == 4  # of the 2 n most voted
    assert found[1000] == found[0]


def test_field_codes_are_not_words(stocked: Database) -> None:
    assert find(stocked, "reasoning") == [] and find(stocked, "reas") == []  # 2502.00003's field only
    assert find(stocked, "generation") == ["2502.00001"]  # its keyword, not its field


@pytest.mark.parametrize(
    "word",
    ['"', "*", "(", ")", ":", "NEAR", "OR", "AND", "NOT", "^", "-", "%", "_", "\\",
     "'; DROP TABLE papers; --", '" OR "', "NEAR(a b)", "title:x", "a*", ")(", "ab\"cd"],
)  # fmt: skip
def test_syntax_characters_are_literal(stocked: Database, word: str) -> None:
    found = find(stocked, word)
    assert set(found) <= {"2502.00003"}  # only the paper whose title holds these characters
    with stocked.session() as session:
        assert session.scalar(select(func.count()).select_from(Paper)) == 3


def test_literal_operators_match_the_paper_that_has_them(stocked: Database) -> None:
    assert find(stocked, "NEAR OR *") == ["2502.00003"]
    assert find(stocked, "(revisited):") == ["2502.00003"]


def test_index_follows_updates_texts_and_deletes(stocked: Database) -> None:
    with stocked.session() as session:
        session.execute(update(Paper).where(Paper.id == "2502.00001").values(title="Flow Matching"))
        store_llm_text(
            session, "2502.00003", "llm:v1", "추론 비용을 줄여요", "생각 시간", ["reasoning"], None, 1, 1
        )
    assert find(stocked, "diffusion") == ["2502.00001"]  # still in abstract keywords
    assert find(stocked, "flow matching") == ["2502.00001"]
    assert find(stocked, "추론 비용") == ["2502.00003"]
    with stocked.session() as session:
        set_korean_text(session, "2502.00003", "llm:v1", "다른 요약", None)
    assert find(stocked, "추론 비용") == [] and find(stocked, "다른 요약") == ["2502.00003"]
    with stocked.session() as session:
        session.execute(delete(KoreanText).where(KoreanText.paper_id == "2502.00002"))
        session.execute(delete(Paper).where(Paper.id == "2502.00001"))
    assert find(stocked, "강화학습") == [] and find(stocked, "flow") == []


def test_ids_come_first_and_since_filters(stocked: Database) -> None:
    assert find(stocked, ids=("2502.00003", "2502.99999")) == ["2502.00003"]
    assert find(stocked, "scal", ids=("2502.00003",)) == ["2502.00003", "2502.00001"]
    with stocked.session() as session:
        upsert_papers(
            session, [PaperIn(id="2502.00004", title="Scaling later")], DAY + dt.timedelta(days=3), "hf"
        )
    assert find(stocked, "scaling", since=DAY + dt.timedelta(days=1)) == ["2502.00004"]


def test_existing_papers_are_back_filled_by_the_migration(tmp_path) -> None:
    from storage.migrate import upgrade

    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0004")  # the schema just before the search index
    with db.session() as session:  # only the columns 0004 has (later migrations add more)
        for p in PAPERS:
            columns = {"title": p.title, "abstract": p.abstract, "ai_keywords": p.ai_keywords}
            session.execute(insert(Paper).values(id=p.id, upvotes=p.upvotes, **columns))
            if p.summary_ko:
                text = {"origin": "digest", "summary_ko": p.summary_ko}
                session.execute(insert(KoreanText).values(paper_id=p.id, **text))
    upgrade(db)
    assert find(db, "강화학습") == ["2502.00002"] and find(db, "RL") == ["2502.00002"]
    db.dispose()
