"""The whole recorded Hugging Face corpus (558 days), fetched once per database through the real
client from the fake server and stored by the ingest path, then checked three ways: what the client
made of every day, Hugging Face's ranking with each day's votes, and search for what people type.

One module, so that `--dist loadfile` keeps these tests on one worker, which fetches the corpus once
per database for the whole run.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, func, select

from bot.fields import default_taxonomy
from bot.ingest import store_day_list, store_day_lists
from bot.search_query import parse_search
from bot.selection import search_papers
from bot.services import Services
from bot.settings import Settings
from bot.sources.hf import DayList, HFClient, fetch_days
from storage import papers
from storage.db import Database
from storage.summaries import store_llm_text
from storage.tables import KoreanText, Listing
from tests.conftest import PG_URL, _postgres_db, _sqlite_db
from tests.fakes.hf_server import FakeHFServer

pytestmark = pytest.mark.slow
TOP = 5


@dataclass(frozen=True)
class FetchedCorpus:
    """The recorded corpus after one fetch of every day: what was served, fetched and stored."""

    db: Database
    raw: dict[dt.date, list[dict[str, Any]]]  # each recorded response, by listing day
    lists: list[DayList]  # what the client made of them
    requests: int  # API requests the fake server answered


class CorpusStore:
    """Builds the fetched corpus at most once per database and run, whatever order tests come in."""

    def __init__(self, corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.corpus_dir, self.tmp_path_factory = corpus_dir, tmp_path_factory
        self.built: dict[str, FetchedCorpus] = {}
        self.bulk_built: dict[str, Database] = {}
        self.databases: list[Iterator[Database]] = []

    def get(self, backend: str) -> FetchedCorpus:
        """The corpus on `backend` ("sqlite" or "postgresql"), fetched on first use."""
        if backend not in self.built:
            self.built[backend] = self._fetch(backend)
        return self.built[backend]

    def bulk(self, backend: str) -> Database:
        """The fetched day lists stored again by one bulk import into a fresh database of `backend`."""
        if backend not in self.bulk_built:
            lists = self.get(backend).lists
            dbs = _sqlite_db(self.tmp_path_factory.mktemp("bulk")) if backend == "sqlite" else _postgres_db()
            self.databases.append(dbs)
            self.bulk_built[backend] = next(dbs)
            store_day_lists(self.bulk_built[backend], lists, default_taxonomy())
        return self.bulk_built[backend]

    def _fetch(self, backend: str) -> FetchedCorpus:
        dbs = _sqlite_db(self.tmp_path_factory.mktemp("corpus")) if backend == "sqlite" else _postgres_db()
        self.databases.append(dbs)
        db = next(dbs)
        files = self.corpus_dir.glob("*.json")
        raw = {dt.date.fromisoformat(f.stem): json.loads(f.read_bytes()) for f in files}
        taxonomy = default_taxonomy()
        with FakeHFServer(directory=self.corpus_dir) as fake, HFClient(fake.url, backoff=0) as hf:
            lists = fetch_days(
                hf, sorted(raw), on_day=lambda day_list: store_day_list(db, day_list, taxonomy)
            )
            requests = len(fake.api_requests())
        return FetchedCorpus(db, raw, lists, requests)

    def close(self) -> None:
        """Drop the databases."""
        for dbs in self.databases:
            dbs.close()


@pytest.fixture(scope="session")
def corpus_store(hf_corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusStore]:
    """The fetched corpora of this run (one per database), dropped at its end."""
    store = CorpusStore(hf_corpus_dir, tmp_path_factory)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def fetched_corpus(request: pytest.FixtureRequest, corpus_store: CorpusStore) -> FetchedCorpus:
    """Every recorded day fetched through the real client from the fake Hugging Face server and
    stored by the ingest path, once per database for the whole run (tests only read it)."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("PAPERBOT_TEST_DATABASE_URL not set")
    return corpus_store.get(request.param)


def squash(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def hf_order(entries: list[dict[str, Any]]) -> list[str]:
    """The order Hugging Face shows: by upvotes, equal votes in list order (a stable sort)."""
    return [e["paper"]["id"] for e in sorted(entries, key=lambda e: -e["paper"]["upvotes"])]


# --- what the client made of every day ----------------------------------------------------------


def test_every_recorded_day_is_fetched_stored_and_ranked(fetched_corpus: FetchedCorpus) -> None:
    raw, lists, db = fetched_corpus.raw, fetched_corpus.lists, fetched_corpus.db
    assert [d.day for d in lists] == sorted(raw)
    assert fetched_corpus.requests == len(raw)  # no recorded day fills a page of 100
    day_votes: dict[tuple[dt.date, str], int | None] = {}
    for day_list in lists:
        entries = raw[day_list.day]
        assert day_list.skipped == ()
        assert [p.id for p in day_list.papers] == [e["paper"]["id"] for e in entries]
        for paper, entry in zip(day_list.papers, entries, strict=True):
            assert paper.title == squash(entry["paper"]["title"])
            assert paper.upvotes == entry["paper"]["upvotes"]
            assert paper.ai_summary == squash(entry["paper"].get("ai_summary"))
            assert paper.published_at is not None and paper.published_at.tzinfo is None
            day_votes[day_list.day, paper.id] = paper.upvotes
    assert sum(len(d.papers) for d in lists) == sum(len(e) for e in raw.values())

    with db.session() as session:
        for day, entries in raw.items():
            top = papers.top_for_day(session, day, len(entries) + 10)
            assert sorted(p.id for p in top) == sorted(e["paper"]["id"] for e in entries), day
            votes = [p.upvotes for p in top]
            assert votes == sorted(votes, reverse=True), day
            assert all(p.upvotes == day_votes[day, p.id] for p in top)  # that day's count
        listings = session.scalar(select(func.count()).select_from(Listing))
    assert listings == sum(len(e) for e in raw.values())  # import speed: benchmarks/corpus.py


# --- Hugging Face's order, with each day's votes -------------------------------------------------


def test_every_recorded_day_ranks_as_hugging_face_shows_it_with_that_days_votes(
    fetched_corpus: FetchedCorpus,
) -> None:
    db, raw = fetched_corpus.db, fetched_corpus.raw
    differing, listed_twice = {}, 0
    with db.session() as session:
        for day, entries in raw.items():
            shown = papers.top_for_day(session, day, len(entries))
            if [p.id for p in shown[:TOP]] != hf_order(entries)[:TOP]:
                differing[day] = [p.id for p in shown[:TOP]]
            votes = {e["paper"]["id"]: e["paper"]["upvotes"] for e in entries}
            assert {p.id: p.upvotes for p in shown} == votes, day  # that day's count on every day
            listed_twice += sum(1 for p in shown if session.scalar(_days_listed(p.id)) > 1)
    assert differing == {}
    assert listed_twice >= 2  # the corpus lists some papers on two days, with different counts


def _days_listed(paper_id: str) -> Select[tuple[int]]:
    return select(func.count()).select_from(Listing).where(Listing.paper_id == paper_id)


# --- search -------------------------------------------------------------------------------------


# Korean texts as `paperbot summarize` would store them (the recorded lists carry none).
KOREAN = {
    "2602.10388": (
        "LLM의 특징 공간에서 다양한 학습 데이터를 합성하는 방법이에요.",
        "데이터를 골고루 만들어요.",
    ),
    "2607.28624": ("물리적 언어를 중심으로 만든 세계 모델이에요.", "세상이 움직이는 규칙을 배워요."),
    "2511.18538": ("코드 기초 모델에서 에이전트까지 다루는 실용 안내서예요.", "코드를 짜는 AI의 모든 것."),
}

QUERIES = [
    ("FIPO", "2603.19835"),
    ("Future-KL policy", "2603.19835"),
    ("강화학습 policy staleness", "2602.10693"),  # a Korean field name with English words
    ("MiniMax-M1", "2506.13585"),
    ('"Character Unlearning"', "2410.18057"),  # a phrase
    ("Video-MME-v2", "2604.05015"),
    ("Keye-VL", "2606.10651"),
    ("EnvHarness agent", "2608.19880"),
    ("2602.04705", "2602.04705"),  # an arXiv id
    ("https://huggingface.co/papers/2607.24653", "2607.24653"),  # a Hugging Face link
    ("3D Gaussian Splatting satellite", "2606.09967"),
    ("lightning attention -M1", "2501.08313"),  # an exclusion
    ("scientific taste", "2603.14473"),
    ("data selection optimizer", "2602.05400"),
    ("hybrid memory world", "2603.25716"),
    ("특징 공간", "2602.10388"),  # Korean text
    ("물리적 언어 세계 모델", "2607.28624"),
    ("코드 에이전트 안내서", "2511.18538"),
    ("에이전트 ClawKeeper", "2603.24414"),  # a Korean field name with an English name
    ("diffusion LLaDA2.0-Uni", "2604.20796"),
]


@pytest.fixture
def corpus_services(fetched_corpus: FetchedCorpus) -> Services:
    """The fetched corpus, with the Korean texts above as `paperbot summarize` would add them."""
    return with_korean_texts(fetched_corpus.db)


@pytest.fixture(params=["sqlite", "postgresql"])
def bulk_services(request: pytest.FixtureRequest, corpus_store: CorpusStore) -> Services:
    """The corpus stored by one bulk import (which indexes it for search at its end), with the
    Korean texts above."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("PAPERBOT_TEST_DATABASE_URL not set")
    return with_korean_texts(corpus_store.bulk(request.param))


def with_korean_texts(db: Database) -> Services:
    """Services on `db`, after adding the Korean texts above once."""
    settings = Settings(_env_file=None, database_url="sqlite://")
    services = Services(db=db, settings=settings, taxonomy=default_taxonomy())
    with services.db.session() as session:
        if not session.scalar(select(KoreanText.id).where(KoreanText.origin == "llm:test").limit(1)):
            for paper_id, (summary, easy) in KOREAN.items():
                store_llm_text(session, paper_id, "llm:test", summary, easy, [], None, None, None)
    return services


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_the_meant_paper_is_in_the_first_five(corpus_services: Services, query: str, expected: str) -> None:
    assert_found_first(corpus_services, query, expected)


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_the_meant_paper_is_in_the_first_five_after_a_bulk_import(
    bulk_services: Services, query: str, expected: str
) -> None:
    assert_found_first(bulk_services, query, expected)


def assert_found_first(services: Services, query: str, expected: str) -> None:
    parsed = parse_search(query.split(), services.taxonomy)
    digest = search_papers(services, parsed.query, 5, parsed.shown)
    assert digest is not None, query
    assert expected in [c.paper_id for c in digest.cards], [c.title for c in digest.cards]
