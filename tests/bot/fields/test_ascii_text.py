"""ASCII text goes through the pattern without the Korean branch and finds the same terms."""

from __future__ import annotations

from bot.fields.classify import Keyword, KeywordMatcher


def test_ascii_and_mixed_text_find_the_same_english_terms() -> None:
    matcher = KeywordMatcher([Keyword("diffusion", 0), Keyword("LLM", 1), Keyword("강화학습", 2)], 3, 0)
    assert sorted(matcher.classify("Diffusion LLMs", None, ())) == [0, 1]
    english = matcher.found("Diffusion LLMs")
    assert len(english) == 2
    assert matcher.found("Diffusion LLMs 강화 학습") == english | matcher.found("강화학습")
    assert matcher.found("plain ascii text") == set()


def test_korean_terms_only() -> None:
    matcher = KeywordMatcher([Keyword("강화학습", 0)], 1, 0)
    assert matcher.found("reinforcement learning") == set()
    assert len(matcher.found("강화학습 논문")) == 1
