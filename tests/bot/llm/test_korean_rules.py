"""The Korean-text rules, calibrated on data: the seed digests' paragraphs and 60+ written answers
pass; English, Chinese, Japanese, empty texts, the prompt's own words and invented numbers fail."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from bot.llm.korean_rules import korean_share, text_problem
from bot.llm.numbers import source_values, unsupported_numbers
from tests.korean_samples import REJECT_CLASSES, accepted, rejected, seed_paragraphs, verdict

MIN_WRITTEN_ANSWERS = 60


def test_every_korean_paragraph_of_the_seed_digests_is_accepted(seeds_dir: Path) -> None:
    found = seed_paragraphs(seeds_dir)
    assert {p.layout for p in found} == {"cards", "summary", "daily"}
    assert {p.text: text_problem(p.text) for p in found if text_problem(p.text)} == {}


def test_seed_cards_written_from_the_abstract_state_only_its_numbers(
    seeds_dir: Path, hf_corpus_dir: Path
) -> None:
    """The `cards` digests were written from the abstract, as our model is: their numbers must pass
    the check against the recorded HF texts (1억 for 1B and 300만 for 3 Million included)."""
    recorded = {}
    for path in hf_corpus_dir.glob("*.json"):
        for entry in json.loads(path.read_bytes()):
            recorded[entry["paper"]["id"]] = entry["paper"]
    checked = {}
    for p in seed_paragraphs(seeds_dir):
        paper = recorded.get(p.paper_id)
        if p.layout == "cards" and paper is not None:
            sources = source_values([paper["title"], paper["summary"], paper.get("ai_summary")])
            checked[p.text] = unsupported_numbers(p.text, sources)
    assert len(checked) >= 20 and any("억" in text or "만" in text for text in checked)
    assert {text: bad for text, bad in checked.items() if bad} == {}


def test_every_written_answer_is_accepted() -> None:
    samples = accepted()
    assert len(samples) >= MIN_WRITTEN_ANSWERS
    verdicts = {f"{s.paper.id}: {s.answer['easy_ko'][:30]}": verdict(s) for s in samples}
    assert {key: why for key, why in verdicts.items() if why is not None} == {}


REASONS = {
    "english": "must be written in Korean",
    "chinese": "not Chinese or Japanese",
    "japanese": "not Chinese or Japanese",
    "empty_or_one_word": "is empty or too short",
    "instructions": "repeats the instructions",
    "invented_numbers": "numbers the paper does not state",
}


@pytest.mark.parametrize("kind", REJECT_CLASSES)
def test_each_reject_class_fails_for_its_own_reason(kind: str) -> None:
    samples = rejected(kind)
    assert len(samples) >= 5
    for sample in samples:
        why = verdict(sample)
        assert why is not None and REASONS[kind] in why, (sample.answer, why)


@pytest.mark.parametrize(
    "text",
    [
        "이 논문은 LLM의 test-time scaling을 다룹니다.",
        "RLHF, DPO, KTO, ORPO, SimPO 등 preference optimization 방법을 비교합니다.",
        "Qwen2.5-7B-Instruct를 GRPO로 fine-tuning하니 MATH-500 정확도가 GPT-4o를 넘었습니다.",
        "'Attention Is All You Need'의 구조를 그대로 따른 모델입니다.",
        "다정한 말투로 대화하는 챗봇을 만들었어요. 사용자 만족도가 높아졌답니다.",
        "이 논문은 JSON 스키마를 지키는 structured output 생성을 다룹니다.",
    ],
)
def test_korean_with_english_terms_names_and_quoted_titles_is_korean(text: str) -> None:
    assert text_problem(text) is None


def test_english_words_weigh_as_words_not_letters() -> None:
    assert korean_share("양자화(quantization (post-training)) 방법이에요.") == 1.0
    assert korean_share("InfiniteHiP extends the context window.") == 0.0
    assert korean_share("이 논문은 LLM의 test-time scaling을 다룹니다.") == pytest.approx(10 / 16)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("1.5배 빨라졌어요", "1.5x faster"),
        ("정확도 40 %", "reaches 40% accuracy"),
        ("정확도 40%", "reaches 40 % accuracy"),
        ("7B 모델", "a 7B model"),
        ("2배 높은 성공률", "2x higher success"),
        ("1,000개 질문", "1000 questions"),
        ("1000개 질문", "1,000 questions"),
        ("12만 개의 궤적", "120K trajectories"),
        ("300만 토큰", "Up to 3 Million Tokens"),
        ("10억 장", "one billion frames"),
        ("3개 벤치마크", "on three benchmarks"),
        ("77%", "77.0%"),
        ("1억 개의 매개변수(1B)", "Can 1B LLM Surpass 405B LLM?"),
        ("2가지 문제와 3단계 파이프라인", "two problems"),
        ("(1) 데이터와 (2) 모델", "no numbers"),
    ],
)
def test_a_number_matches_its_source_in_another_spelling(text: str, source: str) -> None:
    assert unsupported_numbers(text, source_values([source])) == []


@pytest.mark.parametrize(
    ("text", "source", "invented"),
    [
        ("97% 더 정확해요", "improves accuracy by 9.7 points", ["97%"]),
        ("16.5%p 올랐어요", "from 52.4% to 68.9%", ["16.5%p"]),
        ("0.3초 만에", "320 ms latency", ["0.3초"]),
        ("200만 토큰", "1M-token context", ["200만"]),
        ("GPT-4o보다 2배", "beats GPT-3.5", ["4", "2배"]),
        ("12가지 방법", "several methods", ["12"]),
    ],
)
def test_a_number_the_source_does_not_state_is_invented(text: str, source: str, invented: list[str]) -> None:
    assert unsupported_numbers(text, source_values([source])) == invented


def test_english_number_words_and_scales_are_read_from_the_source() -> None:
    values = source_values(["one billion frames, twice as fast, 3 Million Tokens, 7B and 2,400 items"])
    assert {Decimal(1), Decimal(10**9), Decimal(2), Decimal(3_000_000), Decimal(7 * 10**9)} <= values
    assert Decimal(2400) in values
