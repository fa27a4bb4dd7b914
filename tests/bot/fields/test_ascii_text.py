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


def test_ascii_path_agrees_with_the_full_pattern_on_cases_and_adjacent_terms() -> None:
    terms = ["c++", "rust", "graph*", "Transformer", "LLM", "state space model", "mamba", "강화학습"]
    matcher = KeywordMatcher([Keyword(t, i) for i, t in enumerate(terms)], len(terms), 0)
    texts = [
        "C++Rust and RUST-based GRAPHS",
        "c++rust",
        "Transformers, transformer and TRANSFORMER; LLMs llm",
        "State-Space   MODELS meet Mambas",
        "rusty xgraph mambaes",
        "Rust",
    ]
    for text in texts:
        # A trailing Korean word without any term sends the same text through the full pattern.
        assert matcher.found(text) == matcher.found(text + " 논문"), text
    assert len(matcher.found("C++Rust")) == 2
    assert matcher.found("rusty xgraph") == set()


def test_cased_terms_starting_with_any_character() -> None:
    terms = ["LLM", "-NeRF", ".NET", "mT5", "state space model"]
    matcher = KeywordMatcher([Keyword(t, i) for i, t in enumerate(terms)], len(terms), 0)
    # A match starts on a letter or digit, so terms that start otherwise are never found.
    texts = ("LLM", "llm", ".NET app", "mT5 and MT5", "a -NeRF")
    assert [len(matcher.found(t)) for t in texts] == [1, 0, 0, 1, 0]
    for text in ("LLMs on .NET with mT5", "-NeRF LLM", "x.NET"):
        assert matcher.found(text) == matcher.found(text + " 논문"), text
