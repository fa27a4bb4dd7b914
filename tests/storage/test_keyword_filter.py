"""A chat's digest filter on both databases: a field OR a keyword, minus the excluded words."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from storage import subscribers
from storage.db import Database
from storage.papers import upsert_papers
from storage.records import Keywords, PaperIn, Term
from storage.search import top_for_day_matching
from storage.tables import Paper

DAY = dt.date(2025, 3, 3)
OTHER_DAY = dt.date(2025, 3, 4)
PAPERS = [
    PaperIn(id="2503.00001", title="Diffusion Transformers at Scale", abstract="We scale DiT models.",
            ai_keywords=["image generation"], upvotes=10, fields=["generation"]),
    PaperIn(id="2503.00002", title="World Simulators", abstract="Long video generation with memory.",
            upvotes=40, fields=["cv"]),
    PaperIn(id="2503.00003", title="Survey of Generative Models", abstract="We review the field.",
            ai_keywords=["diffusion"], upvotes=50, fields=["generation"]),
    PaperIn(id="2503.00004", title="Reward Shaping", abstract="Dense rewards for agents.", upvotes=30,
            fields=["rl"], summary_ko="강화학습 보상을 촘촘하게 만들어요.", korean_origin="digest"),
    PaperIn(id="2503.00005", title="Tokenizers Revisited (NEAR OR *)", abstract="Byte-level models.",
            upvotes=60, fields=["nlp"]),
]  # fmt: skip
ELSEWHERE = PaperIn(id="2503.00009", title="Diffusion elsewhere", upvotes=99, fields=["generation"])


@pytest.fixture
def stocked(db: Database) -> Database:
    with db.session() as session:
        upsert_papers(session, PAPERS, DAY, "hf")
        upsert_papers(session, [ELSEWHERE], OTHER_DAY, "hf")
    return db


def top(db: Database, codes: tuple[str, ...] = (), *words: str, excluded: tuple[str, ...] = ()) -> list[str]:
    keywords = Keywords(tuple(Term(w) for w in words), excluded)
    with db.session() as session:
        return [p.id[-1] for p in top_for_day_matching(session, DAY, 10, codes, keywords)]


def test_any_keyword_over_title_abstract_hf_keywords_and_korean(stocked: Database) -> None:
    assert top(stocked, (), "diffusion") == ["3", "1"]  # HF keyword, title; not the other day's paper
    assert top(stocked, (), "video generation") == ["2"]  # a phrase in the abstract
    assert top(stocked, (), "diffusion", "video generation") == ["3", "2", "1"]  # any of them, by votes
    assert top(stocked, (), "강화학습") == ["4"]  # the Korean text
    assert top(stocked, (), "보상") == ["4"]  # two Korean characters: a word prefix


def test_excluded_words_win_over_fields_and_keywords(stocked: Database) -> None:
    assert top(stocked, (), "diffusion", "video generation", excluded=("survey",)) == ["2", "1"]
    assert top(stocked, (), "diffusion", excluded=("image generation",)) == ["3"]  # an HF keyword
    assert top(stocked, ("generation",), excluded=("SURVEY",)) == ["1"]  # case-insensitive


def test_fields_or_keywords(stocked: Database) -> None:
    assert top(stocked, ("nlp",)) == ["5"]
    assert top(stocked, ("nlp",), "diffusion") == ["5", "3", "1"]
    assert top(stocked, ("nlp", "rl"), "video generation", excluded=("survey",)) == ["5", "2", "4"]
    assert top(stocked, ("cooking",), "no such words") == []


def test_only_excluded_words_keep_everything_else(stocked: Database) -> None:
    assert top(stocked, (), excluded=("survey", "DiT")) == ["5", "2", "4"]


def test_a_keyword_naming_a_field_takes_its_papers(stocked: Database) -> None:
    with stocked.session() as session:
        keywords = Keywords((Term("강화 학습", ("rl",)), Term("비전", ("cv",))))
        found = top_for_day_matching(session, DAY, 10, None, keywords)
    assert [p.id[-1] for p in found] == ["2", "4"]


@pytest.mark.parametrize(
    "word", ['"', "*", "(", ")", ":", "NEAR", "OR", "AND", "%", "_", "\\", "'; DROP TABLE papers; --",
             '" OR "', "NEAR(a b)", "title:x", "a*", ")(", "ab\"cd", "(NEAR OR *)"],
)  # fmt: skip
def test_syntax_characters_are_literal(stocked: Database, word: str) -> None:
    assert set(top(stocked, (), word)) <= {"5"}  # only the paper whose title holds them
    # Excluded, the same text takes that paper away exactly when it holds it (three characters or
    # more as a substring; shorter ones as a whole word of their letters, if they have any).
    title, letters = PAPERS[4].title.lower(), "".join(c for c in word.lower() if c.isalnum())
    short = bool(letters) and re.search(rf"\b{re.escape(letters)}\b", title) is not None
    holds = word.lower() in title if len(word) >= 3 else short
    assert top(stocked, ("nlp",), excluded=(word,)) == ([] if holds else ["5"])
    with stocked.session() as session:
        assert session.scalar(select(func.count()).select_from(Paper)) == 6


def test_the_count_and_ranking_follow_the_day(stocked: Database) -> None:
    keywords = Keywords((Term("diffusion"), Term("generation")))
    with stocked.session() as session:
        found = top_for_day_matching(session, DAY, 2, None, keywords)
    assert [(p.id[-1], p.upvotes) for p in found] == [("3", 50), ("2", 40)]


def test_keywords_are_stored_per_chat_and_cleared(db: Database) -> None:
    keywords = Keywords((Term("diffusion"), Term("강화 학습", ("rl",))), ("survey",))
    with db.session() as session:
        view = subscribers.set_keywords(session, "slack", "C1", "channel", keywords)
        assert not view.active and view.keywords == keywords  # waits for a subscription
        subscribers.subscribe(session, "slack", "C1", "channel", ["cv"])
    with db.session() as session:
        stored = subscribers.get(session, "slack", "C1")
        assert stored is not None and stored.active and stored.keywords == keywords
        assert stored.fields == ("cv",)
        subscribers.set_keywords(session, "slack", "C1", "channel", Keywords())
    with db.session() as session:
        cleared = subscribers.get(session, "slack", "C1")
        assert cleared is not None and cleared.keywords is None and cleared.fields == ("cv",)
