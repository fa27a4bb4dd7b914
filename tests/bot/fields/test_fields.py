"""The field taxonomy: fixed codes, the forgiving resolver, digest label mapping and the classifier."""

from __future__ import annotations

import collections
import concurrent.futures
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.fields import DEFAULT_PATH, Field, Resolution, Taxonomy, default_taxonomy, load_taxonomy

SPEC_FIELDS = [
    ("llm", "언어 모델"),
    ("nlp", "자연어 처리"),
    ("vision", "컴퓨터 비전"),
    ("multimodal", "멀티모달"),
    ("generation", "생성 모델"),
    ("audio", "음성·오디오"),
    ("rl", "강화 학습"),
    ("reasoning", "추론"),
    ("agents", "에이전트"),
    ("efficiency", "효율화·경량화"),
    ("3d", "3D·그래픽스"),
    ("robotics", "로보틱스"),
    ("safety", "안전·정렬"),
    ("evaluation", "평가·벤치마크"),
    ("retrieval", "검색·RAG"),
    ("science", "과학·의료·금융"),
    ("ml", "기계 학습"),
    ("ai", "인공지능"),
]


@pytest.fixture(scope="module")
def tx() -> Taxonomy:
    return default_taxonomy()


def codes_of(fields: tuple[Field, ...]) -> list[str]:
    return [f.code for f in fields]


# --- the shipped taxonomy ---------------------------------------------------------------------


def test_codes_and_names_are_the_fixed_ones_in_order(tx: Taxonomy) -> None:
    assert [(f.code, f.name) for f in tx.fields] == SPEC_FIELDS


def test_every_field_has_aliases_and_all_but_the_catch_all_have_keywords(tx: Taxonomy) -> None:
    for field in tx.fields:
        assert field.aliases, field.code
        if field.code != "ai":
            assert len(field.keywords) >= 10, field.code


def test_default_taxonomy_is_loaded_once() -> None:
    assert default_taxonomy() is default_taxonomy()


def test_get_and_name(tx: Taxonomy) -> None:
    assert tx.get("nlp").name == "자연어 처리"
    assert tx.get(" NLP ").code == "nlp"
    assert tx.get("nope") is None
    assert tx.name("rl") == "강화 학습"
    assert tx.name("unknown-code") == "unknown-code"


# --- resolver ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code,name", SPEC_FIELDS)
def test_code_and_name_round_trip(tx: Taxonomy, code: str, name: str) -> None:
    for text in (code, code.upper(), name, name.replace(" ", ""), f"  {name}  "):
        assert tx.resolve(text).field == tx.get(code), text
    assert tx.resolve_exact(name) == tx.get(code)


@pytest.mark.parametrize(
    "text,code",
    [
        # the examples of the contract
        ("자연어처리", "nlp"),
        ("NLP", "nlp"),
        ("nlp", "nlp"),
        ("컴퓨터비젼", "vision"),
        ("강화학습", "rl"),
        ("Computer Vision", "vision"),
        ("RAG", "retrieval"),
        ("3d", "3d"),
        ("3D", "3d"),
        ("멀티 모달", "multimodal"),
        ("에이전트", "agents"),
        ("로봇", "robotics"),
        ("LLM", "llm"),
        ("대형 언어 모델", "llm"),
        ("대규모언어모델", "llm"),
        ("기초 모델", "llm"),
        ("foundation models", "llm"),
        ("토큰화", "llm"),
        ("질문-응답", "nlp"),
        ("번역", "nlp"),
        ("다중언어", "nlp"),
        ("CV", "vision"),
        ("segmentation", "vision"),
        ("VLM", "multimodal"),
        ("vision-language", "multimodal"),
        ("다중 모달", "multimodal"),
        ("diffusion", "generation"),
        ("확산 모델", "generation"),
        ("이미지 생성", "generation"),
        ("text-to-image", "generation"),
        ("speech", "audio"),
        ("ASR", "audio"),
        ("tts", "audio"),
        ("music", "audio"),
        ("RLHF", "rl"),
        ("reward model", "rl"),
        ("reasoning", "reasoning"),
        ("chain of thought", "reasoning"),
        ("수학", "reasoning"),
        ("test-time scaling", "reasoning"),
        ("tool use", "agents"),
        ("GUI agent", "agents"),
        ("양자화", "efficiency"),
        ("quantization", "efficiency"),
        ("모델 압축", "efficiency"),
        ("FP8", "efficiency"),
        ("경량화", "efficiency"),
        ("NeRF", "3d"),
        ("gaussian splatting", "3d"),
        ("embodied", "robotics"),
        ("alignment", "safety"),
        ("해석 가능성", "safety"),
        ("benchmark", "evaluation"),
        ("벤치마킹", "evaluation"),
        ("데이터셋", "evaluation"),
        ("검색 증강 생성", "retrieval"),
        ("reranking", "retrieval"),
        ("의료", "science"),
        ("finance", "science"),
        ("머신러닝", "ml"),
        ("딥러닝", "ml"),
        ("AI", "ai"),
        # typos and loose spellings
        ("컴퓨터 비젼", "vision"),
        ("computer vison", "vision"),
        ("reinforcment learning", "rl"),
        ("강화 학급", "rl"),
        ("멀티모덜", "multimodal"),
        ("에이젼트", "agents"),
        ("gausian splatting", "3d"),
        ("retrival augmented generation", "retrieval"),
        ("segmentaton", "vision"),
        ("benchmrk", "evaluation"),
        ("ＮＬＰ", "nlp"),
        ("자연어-처리!", "nlp"),
        ("효율화·경량화", "efficiency"),
        ("음성/오디오", "audio"),
        ("강화 학습(RL)", "rl"),
        # a name inside a little more text
        ("자연어 처리 논문", "nlp"),
        ("강화학습 논문", "rl"),
    ],
)
def test_resolves_names_aliases_and_typos(tx: Taxonomy, text: str, code: str) -> None:
    assert tx.resolve(text).field == tx.get(code)


@pytest.mark.parametrize(
    "text", ["날씨", "pizza", "asdf", "hello", "안녕하세요", "점심 메뉴", "수박", "pizza ai"]
)
def test_unrelated_words_get_suggestions_not_a_field(tx: Taxonomy, text: str) -> None:
    result = tx.resolve(text)
    assert result.field is None
    assert 1 <= len(result.suggestions) <= 3
    assert len(set(result.suggestions)) == len(result.suggestions)


def test_near_misses_suggest_the_field_they_resemble(tx: Taxonomy) -> None:
    # two-syllable words with one wrong letter are too risky to accept, but lead the suggestions
    assert tx.resolve("비젼").field is None
    assert codes_of(tx.resolve("비젼").suggestions)[0] == "vision"
    assert codes_of(tx.resolve("agnet").suggestions)[0] == "agents"
    assert "nlp" in codes_of(tx.resolve("NLP papers").suggestions)


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "!!!", "·", "😀", "x" * 101, "자연어 처리 " * 30])
def test_empty_or_too_long_text_is_no_field_and_no_suggestions(tx: Taxonomy, text: str) -> None:
    assert tx.resolve(text) == Resolution(None, ())


def test_resolve_exact_does_not_guess(tx: Taxonomy) -> None:
    assert tx.resolve_exact("자연어 처리").code == "nlp"
    assert tx.resolve_exact("computer-vision").code == "vision"
    assert tx.resolve_exact("컴퓨터비젼") is None
    assert tx.resolve_exact("x" * 10_000) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_resolve_never_raises(text: str) -> None:
    tx = default_taxonomy()
    result = tx.resolve(text)
    assert isinstance(result, Resolution)
    assert result.field is None or result.field in tx.fields
    assert len(result.suggestions) <= 3
    assert result.field is None or not result.suggestions


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=5), st.text(max_size=500), st.text(max_size=2000))
def test_map_labels_and_classify_never_raise(labels: list[str], title: str, abstract: str) -> None:
    tx = default_taxonomy()
    codes = tx.map_labels(labels)
    assert len(codes) <= 3 and len(set(codes)) == len(codes)
    assert all(tx.get(c) for c in codes)
    found = tx.classify(title, abstract, labels)
    assert 1 <= len(found) <= 3 and all(tx.get(c) for c in found)


HUGE = [
    "가" * 100_000,
    "a" * 100_000,
    "\x00\x01\x02" * 30_000,
    "ﷺ" * 100,  # one character that NFKC expands to eighteen
    "\ud800\udfff" * 50,
    "자연어 " + "\u200b" * 99_000,
    "(" * 50_000 + ")" * 50_000,
    "".join(chr(c) for c in range(0x20, 0x3000)),
]


@pytest.mark.parametrize("text", HUGE, ids=range(len(HUGE)))
def test_huge_and_strange_input_is_handled(tx: Taxonomy, text: str) -> None:
    def every_entry_point() -> None:
        assert isinstance(tx.resolve(text), Resolution)
        assert tx.resolve_exact(text) is None
        assert len(tx.map_labels([text])) <= 3
        assert 1 <= len(tx.classify(text, text, [text])) <= 3

    # a hang limit only (a runaway match would never finish); its speed is benchmarks/corpus.py's
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(every_entry_point).result(timeout=60)


def test_wrong_types_are_refused_quietly(tx: Taxonomy) -> None:
    assert tx.resolve(None) == Resolution(None, ())  # type: ignore[arg-type]
    assert tx.get(3) is None  # type: ignore[arg-type]
    assert tx.map_labels([None, 5, "강화 학습"]) == ["rl"]  # type: ignore[list-item]
    assert tx.classify(None, None, None) == ["ai"]  # type: ignore[arg-type]


# --- digest labels ----------------------------------------------------------------------------

LABEL_CODES = {
    # seeds/000_*
    "인공지능": "ai",
    "언어 모델": "llm",
    "기계 학습 효율성": "efficiency",
    "자연어 처리": "nlp",
    "금융 애플리케이션": "science",
    "질문-응답 시스템": "nlp",
    "효율적 데이터 처리": "efficiency",
    "인공지능 모델 최적화": "efficiency",
    "물리학 데이터 분석": "science",
    "기계 학습": "ml",
    "계산 최적화": "efficiency",
    "데이터 정제": "evaluation",
    "인공지능 응용": "ai",
    # seeds/002_*
    "기초 모델(foundation models)": "llm",
    "강화 학습(Reinforcement Learning)": "rl",
    "기계 학습(Machine Learning)": "ml",
    "양자화(Quantization)": "efficiency",
    "대형 언어 모델(Large Language Models)": "llm",
    "모델 압축(Model Compression)": "efficiency",
    "저랭크 어댑터(Low-Rank Adapters)": "efficiency",
    "신경 아키텍처 탐색(Neural Architecture Search)": "ml",
    "자연어 처리(Natural Language Processing)": "nlp",
    "다중언어 모델(Multi-Language Models)": "nlp",
    "벤치마킹(Benchmarking)": "evaluation",
    "언어 모델(Language Models)": "llm",
    "토큰화(Tokenization)": "llm",
    "기계 해석 가능성(Mechanistic Interpretability)": "safety",
    "인공지능(AI)": "ai",
    "머신러닝(Machine Learning)": "ml",
    # other spellings digests and LLMs produce
    "컴퓨터비젼": "vision",
    "비전-언어-행동 모델": "robotics",
    "Large Language Models (LLMs)": "llm",
    "AI 에이전트": "agents",
    "3D 장면 생성": "3d",
    "검색 증강 생성(RAG)": "retrieval",
    "의료 AI": "science",
    "멀티모달 대형 언어 모델(MLLM)": "multimodal",
    "텍스트-이미지 생성": "generation",
    "수학적 추론 능력": "reasoning",
    "음성 인식 시스템": "audio",
    "로봇 조작 정책": "robotics",
    "안전성 평가": "safety",
    "Diffusion Models": "generation",
}

SEED_LINES = {
    "000": [
        ("인공지능, 언어 모델, 기계 학습 효율성", ["ai", "llm", "efficiency"]),
        ("자연어 처리, 금융 애플리케이션, 질문-응답 시스템", ["nlp", "science"]),
        ("자연어 처리, 효율적 데이터 처리, 인공지능 모델 최적화", ["nlp", "efficiency"]),
        ("인공지능, 자연어 처리, 물리학 데이터 분석", ["ai", "nlp", "science"]),
        ("인공지능, 기계 학습, 계산 최적화", ["ai", "ml", "efficiency"]),
        ("자연어 처리, 데이터 정제, 인공지능 응용", ["nlp", "evaluation", "ai"]),
    ],
    "002": [
        (
            "기초 모델(foundation models), 강화 학습(Reinforcement Learning), 기계 학습(Machine Learning)",
            ["llm", "rl", "ml"],
        ),
        (
            "양자화(Quantization), 대형 언어 모델(Large Language Models), 기계 학습(Machine Learning)",
            ["efficiency", "llm", "ml"],
        ),
        (
            "모델 압축(Model Compression), 저랭크 어댑터(Low-Rank Adapters), "
            "신경 아키텍처 탐색(Neural Architecture Search)",
            ["efficiency", "ml"],
        ),
        (
            "자연어 처리(Natural Language Processing), 다중언어 모델(Multi-Language Models), "
            "벤치마킹(Benchmarking)",
            ["nlp", "evaluation"],
        ),
        ("언어 모델(Language Models), 토큰화(Tokenization), 기계 학습(Machine Learning)", ["llm", "ml"]),
        (
            "기계 해석 가능성(Mechanistic Interpretability), 인공지능(AI), 머신러닝(Machine Learning)",
            ["safety", "ai", "ml"],
        ),
    ],
}


def seed_label_lines(path: Path) -> list[str]:
    """The line after each **관련분야** heading of a seed digest."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [lines[i + 1].strip() for i, line in enumerate(lines[:-1]) if line.startswith("**관련분야**")]


@pytest.mark.parametrize("label,code", LABEL_CODES.items())
def test_each_label_maps_to_its_code(tx: Taxonomy, label: str, code: str) -> None:
    assert tx.map_labels([label]) == [code]


@pytest.mark.parametrize("prefix", SEED_LINES)
def test_seed_digest_labels_map_as_expected(tx: Taxonomy, seeds_dir: Path, prefix: str) -> None:
    (path,) = seeds_dir.glob(f"{prefix}_*")
    lines = seed_label_lines(path)
    assert lines == [line for line, _codes in SEED_LINES[prefix]]
    for line, codes in SEED_LINES[prefix]:
        assert tx.map_labels([line]) == codes, line
        for label in (part.strip() for part in re.split(r",\s*(?![^()]*\))", line)):
            assert tx.map_labels([label]) == [LABEL_CODES[label]], label


@pytest.mark.parametrize("line,codes", [pair for pairs in SEED_LINES.values() for pair in pairs])
def test_seed_lines_map_without_the_seed_files(tx: Taxonomy, line: str, codes: list[str]) -> None:
    assert tx.map_labels([line]) == codes
    assert tx.map_labels(line.split(", ")) == codes


def test_map_labels_keeps_order_dedupes_and_stops_at_three(tx: Taxonomy) -> None:
    assert tx.map_labels(["강화 학습", "RL", "자연어 처리", "양자화", "로봇"]) == ["rl", "nlp", "efficiency"]
    assert tx.map_labels(["언어 모델 · 추론"]) == ["llm", "reasoning"]
    assert tx.map_labels(["음성·오디오"]) == ["audio"]
    assert tx.map_labels("양자화, 로봇") == ["efficiency", "robotics"]  # one string is one line
    assert tx.map_labels(["기초 모델(foundation models, LLMs); 강화 학습"]) == ["llm", "rl"]


def test_map_labels_ignores_what_it_cannot_place(tx: Taxonomy) -> None:
    assert tx.map_labels([]) == []
    assert tx.map_labels(["날씨", "", "  ", "요리법"]) == []
    assert tx.map_labels(["날씨, 강화 학습"]) == ["rl"]


def test_contained_english_aliases_need_word_boundaries(tx: Taxonomy) -> None:
    # "ai" is inside "training" and "rl" inside "url", but neither is a word there
    assert tx.map_labels(["training data pipeline"]) == []
    assert tx.map_labels(["url shortener"]) == []
    assert tx.map_labels(["explainable AI systems"]) == ["safety"]


# --- classifier -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title,abstract,keywords,expected",
    [
        ("Video Diffusion Models for Long Clips", "We train a text-to-video model.", (), ["generation"]),
        ("Robust Speech Recognition for Noisy Calls", "An ASR system for call centres.", (), ["audio"]),
        ("Dexterous Robot Manipulation from Human Videos", None, ["imitation learning"], ["robotics"]),
        ("Gaussian Splatting for Large Scenes", "We render 3D scenes in real time.", (), ["3d"]),
        ("Jailbreak Attacks on Chat Assistants", "Harmful prompts bypass safety training.", (), ["safety"]),
        ("A Cookbook", "Recipes for soup and bread.", (), ["ai"]),
        ("", None, (), ["ai"]),
    ],
)
def test_classify_synthetic_papers(
    tx: Taxonomy, title: str, abstract: str | None, keywords: tuple, expected: list[str]
) -> None:
    assert tx.classify(title, abstract, keywords)[: len(expected)] == expected


def test_classify_combines_fields_best_first(tx: Taxonomy) -> None:
    codes = tx.classify(
        "Reinforcement Learning Improves Mathematical Reasoning",
        "We apply GRPO with verifiable rewards to math problems and chain-of-thought.",
        ["reinforcement learning", "mathematical reasoning"],
    )
    assert set(codes[:2]) == {"rl", "reasoning"}


def test_classify_title_weighs_more_than_abstract(tx: Taxonomy) -> None:
    abstract = "We evaluate on a speech benchmark."
    assert tx.classify("Quantization for Small Devices", abstract)[0] == "efficiency"
    assert tx.classify("Speech Models in the Wild", abstract)[0] == "audio"


def test_classify_respects_word_boundaries_and_case(tx: Taxonomy) -> None:
    assert tx.classify("A URL Shortener") == ["ai"]
    assert tx.classify("Reagent Selection for Organic Synthesis")[0] != "agents"
    assert tx.classify("An RL Approach")[0] == "rl"
    assert tx.classify("An rl approach") == ["ai"]  # all-caps acronyms match only in capitals
    assert tx.classify("3D Scene Understanding")[0] == "3d"
    assert tx.classify("Agentic Workflows")[0] == "agents"
    assert tx.classify("Multi-Agent Debate")[0] == "agents"
    assert tx.classify("Multimodal Large Language Models") == ["multimodal"]  # longest term wins


def test_classify_reads_korean_summaries(tx: Taxonomy) -> None:
    text = "이 논문은 강화학습으로 대형 언어 모델의 수학적 추론 능력을 높이는 방법을 제안합니다."
    assert set(tx.classify("", text)) == {"rl", "llm", "reasoning"}
    assert tx.classify("SageAttention3", "FP4 양자화로 추론 속도를 높였습니다.")[0] == "efficiency"


def corpus_papers(folder: Path) -> list[dict]:
    papers = []
    for path in sorted(folder.glob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8")):
            if isinstance(entry, dict) and isinstance(entry.get("paper"), dict):
                papers.append(entry["paper"])
    return papers


@pytest.fixture(scope="module")
def corpus(hf_corpus_dir: Path) -> dict[str, dict]:
    return {p["id"]: p for p in corpus_papers(hf_corpus_dir)}


@pytest.mark.parametrize(
    "arxiv_id,first,included",
    [
        ("2405.17414", "generation", []),  # Collaborative Video Diffusion
        ("2405.16537", "generation", []),  # I2VEdit: image-to-video diffusion editing
        ("2406.02430", "audio", []),  # Seed-TTS
        ("2405.15216", "audio", []),  # Denoising LM for speech recognition
        ("2409.01083", "robotics", []),  # Affordance-based Robot Manipulation with Flow Matching
        ("2507.06181", None, ["reasoning", "rl"]),  # CriticLean: RL for mathematical formalization
        ("2509.13761", "reasoning", ["rl"]),  # THOR: RL for mathematical reasoning
        ("2405.15125", "3d", []),  # HDR-GS: Gaussian splatting
        ("2406.15319", None, ["retrieval", "llm"]),  # LongRAG
        ("2406.07188", "safety", []),  # jailbreak attacks
        ("2408.00203", "agents", []),  # OmniParser for GUI agents
        ("2406.12564", "nlp", []),  # low-resource machine translation
        ("2406.11069", "multimodal", []),  # WildVision: vision-language models
        ("2407.08296", "efficiency", []),  # Q-GaLore: INT4 quantization
        ("2406.06573", "science", ["llm"]),  # MedFuzz: medical question answering
        ("2405.19856", "evaluation", []),  # DevEval: a code generation benchmark
    ],
)
def test_classify_real_papers(
    tx: Taxonomy, corpus: dict[str, dict], arxiv_id: str, first: str | None, included: list[str]
) -> None:
    paper = corpus[arxiv_id]
    codes = tx.classify(paper["title"], paper.get("summary"), paper.get("ai_keywords") or ())
    if first is not None:
        assert codes[0] == first, (paper["title"], codes)
    assert set(included) <= set(codes), (paper["title"], codes)


def test_classify_whole_corpus(tx: Taxonomy, hf_corpus_dir: Path) -> None:
    papers = corpus_papers(hf_corpus_dir)
    results = [
        tx.classify(p.get("title") or "", p.get("summary"), p.get("ai_keywords") or ()) for p in papers
    ]
    only_ai = sum(r == ["ai"] for r in results) / len(results)
    first = collections.Counter(r[0] for r in results)
    print(f"\n{len(papers)} papers, ai-only {only_ai:.1%}")
    print("first field:", dict(first.most_common()))
    print("any field:  ", dict(collections.Counter(c for r in results for c in r).most_common()))
    assert only_ai < 0.25
    assert all(1 <= len(r) <= 3 for r in results)
    assert len(first) >= 15  # the corpus spreads over (nearly) every field


# --- editing the file -------------------------------------------------------------------------


def edited_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "fields.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_edited_copy_adds_an_alias_and_a_keyword(tmp_path: Path) -> None:
    path = edited_copy(
        tmp_path,
        'aliases = [\n  "로봇",',
        'aliases = [\n  "펭귄 로봇학", "로봇",',
    )
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'keywords = [\n  ["robot*", 2],', 'keywords = [\n  ["penguin", 3], ["robot*", 2],', 1
        ),
        encoding="utf-8",
    )
    tx = load_taxonomy(path)
    assert tx.resolve("펭귄로봇학").field.code == "robotics"
    assert tx.map_labels(["펭귄 로봇학(penguin robotics)"]) == ["robotics"]
    assert tx.classify("Penguins Waddle")[0] == "robotics"
    assert default_taxonomy().resolve("펭귄로봇학").field is None


def test_a_minimal_file_is_enough(tmp_path: Path) -> None:
    path = tmp_path / "small.toml"
    path.write_text(
        '[[field]]\ncode = "bio"\nname = "생물"\naliases = ["biology"]\n'
        'keywords = ["protein", ["cell*", 0.5]]\n'
        '[[field]]\ncode = "ai"\nname = "인공지능"\n',
        encoding="utf-8",
    )
    tx = load_taxonomy(path)
    assert codes_of(tx.fields) == ["bio", "ai"]
    assert tx.resolve("Biology").field.code == "bio"
    assert tx.classify("Protein Folding") == ["bio"]
    assert tx.classify("Something Else") == ["ai"]


@pytest.mark.parametrize(
    "text,message",
    [
        ("[[field]\ncode = 'x'", "not valid TOML"),
        ("title = 'no fields'", "no [[field]] tables"),
        ('[[field]]\ncode = "ai"\nname = "인공지능"\n[[field]]\ncode = "ai"\nname = "또"\n', "appears twice"),
        ('[[field]]\ncode = "llm"\nname = "언어 모델"\n', "catch-all field 'ai'"),
        ('[[field]]\ncode = "Bad Code"\nname = "x"\n', "code must be"),
        ('[[field]]\ncode = "ai"\nname = ""\n', "name must be"),
        ('[[field]]\ncode = "ai"\nname = "인공지능"\nalias = ["x"]\n', "unknown key(s) alias"),
        ('[[field]]\ncode = "ai"\nname = "인공지능"\naliases = "AI"\n', "aliases must be a list"),
        ('[[field]]\ncode = "ai"\nname = "인공지능"\naliases = ["--"]\n', "no letters or digits"),
        ('[[field]]\ncode = "ai"\nname = "인공지능"\nkeywords = [["agi", -1]]\n', "weight"),
        ('[[field]]\ncode = "ai"\nname = "인공지능"\nkeywords = ["-*"]\n', "has no letters or digits"),
        (
            '[[field]]\ncode = "ml"\nname = "기계 학습"\naliases = ["AI"]\n'
            '[[field]]\ncode = "ai"\nname = "인공지능"\n',
            "'ai' is a name of both 'ml' and 'ai'",
        ),
    ],
)
def test_a_broken_file_is_one_clear_value_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_taxonomy(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_a_missing_file_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read field taxonomy"):
        load_taxonomy(tmp_path / "nope.toml")
