"""The prompt and the answer contract, without a server: what passes validation and what does not."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.fields import default_taxonomy
from bot.llm import PROMPT_VERSION, KoreanCard
from bot.llm import prompt as P
from bot.llm.korean_rules import korean_share
from bot.llm.summarizer import InvalidAnswer, code_resolver, parse_answer, sentence_count
from tests.paths import ROOT

CODES = [f.code for f in default_taxonomy().fields]
SUMMARY = (
    "이 논문은 작은 언어 모델(LLM)의 추론 능력을 높이는 방법을 제안합니다. "
    "실험에서 큰 모델과 비슷한 성능을 보였습니다."
)
EASY = "작은 인공지능도 생각하는 법을 잘 배우면 큰 인공지능만큼 똑똑해질 수 있어요. 그 방법을 찾았답니다."
SOURCES = ("Small Models Reason Too", "We teach a small model to reason.")


def parse(content: str) -> KoreanCard:
    return parse_answer(content, CODES, SOURCES, code_resolver(default_taxonomy()))


def answer(**overrides: object) -> str:
    data = {"summary_ko": SUMMARY, "easy_ko": EASY, "fields": ["reasoning", "llm"]} | overrides
    return json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False)


def test_a_valid_answer_is_normalized() -> None:
    card = parse(answer(easy_ko=f"  {EASY}\n", fields=["Reasoning", "llm", "reasoning"]))
    assert (card.summary_ko, card.easy_ko, card.fields) == (SUMMARY, EASY, ("reasoning", "llm"))


def test_codes_are_checked_against_the_list_given() -> None:
    with pytest.raises(ValueError, match="unknown field codes"):
        KoreanCard.model_validate({"summary_ko": SUMMARY, "easy_ko": EASY, "fields": ["llm"]})


def test_a_fenced_json_answer_is_accepted() -> None:
    assert parse(f"```json\n{answer()}\n```").fields == ("reasoning", "llm")


@pytest.mark.parametrize(
    "wrapping",
    [
        "```json\n{ANSWER}\n```",
        "```\n{ANSWER}\n```",
        "다음은 요청하신 JSON입니다:\n{ANSWER}",
        "{ANSWER}\n\n도움이 되었길 바랍니다!",
        "Here is the card:\n```json\n{ANSWER}\n```\nLet me know if you need changes.",
        "<think>\n사용자는 {요약}을 원한다. 분야를 고르자.\n</think>\n\n{ANSWER}",
    ],
)
def test_the_json_object_is_found_inside_text_a_local_model_adds(wrapping: str) -> None:
    card = parse(wrapping.replace("{ANSWER}", answer()))
    assert (card.summary_ko, card.easy_ko, card.fields) == (SUMMARY, EASY, ("reasoning", "llm"))


def test_field_codes_in_another_case_with_spaces_or_as_names_are_normalised() -> None:
    card = parse(answer(fields=[" NLP ", "Vision", "자연어 처리", "RAG"]))
    assert card.fields == ("nlp", "vision", "retrieval")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "empty"),
        ("요약: 좋은 논문이에요.", "not JSON"),
        ('["summary_ko"]', "not a JSON object"),
        (answer(easy_ko=None), "easy_ko: missing"),
        (answer(fields=["quantum"]), "unknown field codes ['quantum']"),
        (answer(fields=[]), "needs 1-3 field codes"),
        (answer(fields=["llm", "nlp", "rl", "ai"]), "needs 1-3 field codes"),
        (answer(fields="llm"), "fields"),
        (answer(easy_ko="아주 쉬워요. " * 40), "at most 300"),
        (answer(summary_ko="가" * 601), "at most 600"),
        (answer(summary_ko="This paper proposes a method. It works well on benchmarks."), "Korean"),
        (answer(summary_ko="한 문장뿐인 요약입니다."), "2-4 are required"),
        (answer(easy_ko="하나. 둘이에요. 셋이에요. 넷이랍니다."), "1-3 are required"),
        (answer(easy_ko=12), "easy_ko"),
    ],
)
def test_invalid_answers_say_why(content: str, reason: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse(content)
    assert reason in str(caught.value)


def test_english_terms_in_parentheses_do_not_count_against_korean() -> None:
    assert korean_share("양자화(quantization (post-training)) 방법이에요.") == 1.0
    assert korean_share("InfiniteHiP extends the context window.") == 0.0
    assert sentence_count("첫 문장입니다. 둘째 문장이에요! 3.5배 빨라요") == 3


@given(
    st.one_of(
        st.text(max_size=200), st.dictionaries(st.text(max_size=10), st.text(max_size=20)).map(json.dumps)
    )
)
def test_any_answer_either_validates_or_raises_invalid_answer(content: str) -> None:
    with contextlib.suppress(InvalidAnswer):
        parse(content)


def test_system_prompt_lists_every_field_and_the_style() -> None:
    text = P.system_prompt(default_taxonomy())
    for f in default_taxonomy().fields:
        assert f"  {f.code}: {f.name}\n" in text
    assert "~랍니다" in text and "JSON" in text and "2~4문장" in text and "1~3문장" in text


def test_user_prompt_prefers_the_abstract_and_falls_back_to_korean_text() -> None:
    english = P.PaperInput("1", "T", abstract="We  do\nthings.", ai_summary="Short.", ai_keywords=("a", "b"))
    assert P.user_prompt(english) == (
        "<paper>\n제목: T\n키워드: a, b\n한 줄 요약 (영문): Short.\n초록 (영문): We do things.\n</paper>"
    )
    korean = P.PaperInput("2", "T", korean_text="한국어 요약이에요.")
    assert "한국어 요약: 한국어 요약이에요." in P.user_prompt(korean)
    assert not P.PaperInput("3", "T", abstract="  ", ai_summary="Only this.").has_source()


def test_schema_is_strict_and_enumerates_the_codes() -> None:
    schema = P.response_format("json_schema", CODES)["json_schema"]
    assert schema["strict"] is True
    assert schema["schema"]["required"] == ["summary_ko", "easy_ko", "fields"]
    assert schema["schema"]["properties"]["fields"]["items"]["enum"] == CODES
    assert P.response_format("json_object", CODES) == {"type": "json_object"}
    assert PROMPT_VERSION


DOC = ROOT / "docs" / "korean-texts.md"


def test_the_documentation_quotes_the_prompt_in_use() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert P.system_prompt(default_taxonomy()) in doc
    assert f"llm:{PROMPT_VERSION}" in doc


def test_the_documented_answer_is_valid_for_its_recorded_paper(hf_corpus_dir: Path) -> None:
    doc = DOC.read_text(encoding="utf-8")
    example = doc.split("whole answer was:\n\n  ```json\n", 1)[1].split("```", 1)[0]
    entries = json.loads((hf_corpus_dir / "2025-02-10.json").read_text(encoding="utf-8"))
    [paper] = [e["paper"] for e in entries if e["paper"]["id"] == "2502.04507"]
    card = parse_answer(example, CODES, (paper["title"], paper["summary"]))
    assert card.easy_ko in doc and card.fields == ("generation", "efficiency", "vision")
