"""`/search` as a console chat: cards for good queries, a short Korean answer for anything else."""

from __future__ import annotations

import pytest

from bot import texts
from bot.commands import help_text
from bot.services import Services
from handlers.console import answer

OREAL = "2502.06781"  # the sample digest's first paper (강화 학습 · 추론 · 언어 모델)
TTS = "2502.06703"  # "Can 1B LLM Surpass 405B LLM? Rethinking Compute-Optimal Test-Time Scaling"
BAD_INPUT = [
    "/search",
    "/search    ",
    "/search " + "가" * 5000,
    "/search " + "word " * 1000,
    '/search " * ( ) : NEAR OR',
    "/search '; DROP TABLE papers; --",
    '/search "',
    "/search -",
    "/search -reasoning",
    "/search 0 0",
    "/search 강화학습 11",
]


def test_search_finds_korean_english_phrases_ids_and_fields(services: Services) -> None:
    korean = answer(services, "/search 이진 결과 보상")
    assert korean is not None and korean.startswith("🔍 '이진 결과 보상' 검색 결과 1편 (2025-02-11)")
    assert f"papers/{OREAL}" in korean
    english = answer(services, '/search "test-time scaling" 1')
    assert english is not None and f"papers/{TTS}" in english and "2. 제목" not in english
    by_link = answer(services, f"/search https://huggingface.co/papers/{TTS}")
    assert by_link is not None and f"papers/{TTS}" in by_link and "1편" in by_link
    field = answer(services, "/search 강화학습")
    assert field is not None and f"papers/{OREAL}" in field.split("2. 제목")[0]
    excluded = answer(services, "/search 수학 -보상")
    assert excluded is not None and OREAL not in excluded


@pytest.mark.parametrize("line", BAD_INPUT)
def test_bad_input_gets_a_short_korean_answer(services: Services, line: str) -> None:
    reply = answer(services, line)
    assert reply is not None and 0 < len(reply) <= 200
    assert any("가" <= ch <= "힣" for ch in reply)
    assert texts.INTERNAL_ERROR not in reply and "Traceback" not in reply
    assert reply != texts.UNKNOWN_COMMAND.format(command="search")
    top = answer(services, "/top")
    assert top is not None and "5. 제목" in top  # the papers are all still there


def test_known_bad_inputs_get_their_own_answer(services: Services) -> None:
    assert answer(services, "/search") == texts.SEARCH_USAGE.format(max_n=10)
    assert answer(services, "/search " + "가" * 5000) == texts.ARGS_TOO_LONG
    none = texts.SEARCH_NONE.format(query="'; DROP TABLE papers; --")
    assert answer(services, "/search '; DROP TABLE papers; --") == none


def test_help_lists_search_with_examples() -> None:
    assert "/search <검색어> [개수]" in help_text() and "/search 강화학습" in help_text()
