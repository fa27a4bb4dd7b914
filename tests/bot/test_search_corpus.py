"""Search on the recorded Hugging Face corpus: for each query a person would type, the paper they
mean is among the first five results, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from bot.fields import default_taxonomy
from bot.search_query import parse_search
from bot.selection import search_papers
from bot.services import Services
from bot.settings import Settings
from storage.summaries import store_llm_text
from tests.conftest import FetchedCorpus

pytestmark = pytest.mark.slow

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


@pytest.fixture(scope="module")
def corpus_services(fetched_corpus: FetchedCorpus) -> Services:
    """The fetched corpus, with the Korean texts above as `paperbot summarize` would add them."""
    settings = Settings(_env_file=None, database_url="sqlite://")
    services = Services(db=fetched_corpus.db, settings=settings, taxonomy=default_taxonomy())
    with services.db.session() as session:
        for paper_id, (summary, easy) in KOREAN.items():
            store_llm_text(session, paper_id, "llm:test", summary, easy, [], None, None, None)
    return services


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_the_meant_paper_is_in_the_first_five(corpus_services: Services, query: str, expected: str) -> None:
    parsed = parse_search(query.split(), corpus_services.taxonomy)
    digest = search_papers(corpus_services, parsed.query, 5, parsed.shown)
    assert digest is not None, query
    assert expected in [c.paper_id for c in digest.cards], [c.title for c in digest.cards]
