"""The markdown digest importer: the four seed layouts, messy synthetic digests, the bundled sample."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

import bot
from bot.sources.markdown import DigestFormatError, ImportedPaper, ParsedDigest, parse_digest, read_digest
from bot.sources.markdown_sections import first_sentences, normalize_id
from tests.paths import FIXTURES

DIGESTS = FIXTURES / "digests"
SAMPLE = Path(bot.__file__).parent / "data" / "sample_digest.md"
TAXONOMY_NAMES = {
    "언어 모델", "자연어 처리", "컴퓨터 비전", "멀티모달", "생성 모델", "음성·오디오", "강화 학습", "추론",
    "에이전트", "효율화·경량화", "3D·그래픽스", "로보틱스", "안전·정렬", "평가·벤치마크", "검색·RAG",
    "과학·의료·금융", "기계 학습", "인공지능",
}  # fmt: skip


def seed(seeds_dir: Path, prefix: str) -> Path:
    """The seed digest whose name starts with `prefix`."""
    (path,) = seeds_dir.glob(f"{prefix}_*")
    return path


def by_id(digest: ParsedDigest) -> dict[str, ImportedPaper]:
    """The digest's papers keyed by arXiv id."""
    return {paper.id: paper for paper in digest.papers}


def card_texts(text: str, label: str) -> list[str]:
    """Each card's text under `label`, cut out of the raw document independently of the importer."""
    return [chunk.split("\n\n")[0].strip() for chunk in text.split(f"**{label}**:\n")[1:]]


# --- seed 000: cards linking Hugging Face, no date inside -------------------------------------


def test_seed_000_cards(seeds_dir: Path) -> None:
    digest = read_digest(seed(seeds_dir, "000"), dt.date(2025, 2, 12))
    assert (digest.fmt, digest.day, len(digest.papers), digest.skipped) == (
        "cards",
        dt.date(2025, 2, 12),
        6,
        (),
    )
    first, last = digest.papers[0], digest.papers[-1]
    assert first.id == "2502.06703"
    assert first.title == "Can 1B LLM Surpass 405B LLM? Rethinking Compute-Optimal Test-Time Scaling"
    assert first.votes == 121
    assert first.url == "https://huggingface.co/papers/2502.06703"
    assert first.pdf_url is None  # the document links Hugging Face, not arXiv
    assert first.field_labels == ("인공지능", "언어 모델", "기계 학습 효율성")
    raw = seed(seeds_dir, "000").read_text(encoding="utf-8")
    assert first.easy_ko and f"**쉬운설명**:\n{first.easy_ko}\n" in raw
    assert not first.easy_derived and first.authors == ()
    assert (last.id, last.votes) == ("2502.06394", 84)
    assert last.title == "SynthDetoxM: Modern LLMs are Few-Shot Parallel Detoxification Data Annotators"
    assert [p.votes for p in digest.papers] == [121, 117, 110, 104, 100, 84]


def test_seed_000_without_date_still_parses(seeds_dir: Path) -> None:
    digest = read_digest(seed(seeds_dir, "000"))
    assert digest.day is None and len(digest.papers) == 6


@pytest.mark.parametrize("prefix", ["000", "002"])
def test_cards_texts_equal_the_document(seeds_dir: Path, prefix: str) -> None:
    text = seed(seeds_dir, prefix).read_text(encoding="utf-8")
    digest = parse_digest(text)
    assert [p.easy_ko for p in digest.papers] == card_texts(text, "쉬운설명")
    assert [p.summary_ko for p in digest.papers] == card_texts(text, "요약")
    assert [", ".join(p.field_labels) for p in digest.papers] == card_texts(text, "관련분야")
    assert [str(p.votes) for p in digest.papers] == card_texts(text, "추천수")
    assert [p.title for p in digest.papers] == re.findall(r"^## 제목:\n(.+)$", text, re.M)
    linked = re.findall(r"(?:papers|pdf)/(\d{4}\.\d{5})\)", text)
    assert [p.id for p in digest.papers] == linked


# --- seed 002: cards linking arXiv PDFs ------------------------------------------------------------


def test_seed_002_cards_with_arxiv_links(seeds_dir: Path) -> None:
    digest = read_digest(seed(seeds_dir, "002"), dt.date(2025, 1, 30))
    assert (digest.fmt, len(digest.papers)) == ("cards", 6)
    first, last = digest.papers[0], digest.papers[-1]
    assert first.id == "2501.17161"
    assert (
        first.title == "SFT Memorizes, RL Generalizes: A Comparative Study of Foundation Model Post-training"
    )
    assert first.votes == 4
    assert first.pdf_url == "https://arxiv.org/pdf/2501.17161"
    assert first.url == "https://huggingface.co/papers/2501.17161"
    assert first.field_labels == (
        "기초 모델(foundation models)",
        "강화 학습(Reinforcement Learning)",
        "기계 학습(Machine Learning)",
    )
    assert (last.id, last.title) == ("2501.16496", "Open Problems in Mechanistic Interpretability")
    assert last.votes == 0  # zero is a count, not "unknown"
    raw = seed(seeds_dir, "002").read_text(encoding="utf-8")
    assert last.easy_ko and raw.rindex(f"**쉬운설명**:\n{last.easy_ko}\n") > raw.index("2501.16496")


# --- seed 001: "## <id>" entries with a fenced seven-section summary -------------------------------


def test_seed_001_summaries(seeds_dir: Path) -> None:
    path = seed(seeds_dir, "001")
    digest = read_digest(path, dt.date(2030, 1, 1))  # the document's own date wins
    assert (digest.fmt, digest.day, len(digest.papers), digest.skipped) == (
        "summary",
        dt.date(2025, 5, 21),
        16,
        (),
    )
    assert [p.id for p in digest.papers] == re.findall(r"^## (\d{4}\.\d{5})$", path.read_text(), re.M)
    papers = by_id(digest)
    assert digest.papers[0].title == "Emerging Properties in Unified Multimodal Pretraining"
    assert digest.papers[-1].id == "2505.10588"
    assert digest.papers[-1].title == "Gen Alpha 디지털 언어 이해: 콘텐츠 조절을 위한 LLM 안전 시스템 평가"
    assert papers["2505.14513"].title == "Latent Flow Transformer"  # "Title: 논문 요약"
    assert papers["2505.13866"].title == "Reasoning Path Compression: 효율적인 LLM 추론을 위한 생성 경로 압축"
    assert papers["2505.11594"].title.startswith("SageAttention3: 추론을 위한 FP4")  # subtitle kept
    assert (
        papers["2505.14464"].title == "모든 정답이 동일하지 않다: 증류 출처가 중요한 이유"
    )  # quotes dropped
    assert papers["2505.12182"].title == "Truth Neurons"
    assert all("논문 요약" not in p.title for p in digest.papers)
    assert all(p.votes is None and p.pdf_url is None and p.field_labels == () for p in digest.papers)


def test_seed_001_summary_and_derived_easy_text(seeds_dir: Path) -> None:
    first = read_digest(seed(seeds_dir, "001")).papers[0]
    assert first.url == "https://huggingface.co/papers/2505.14683"
    assert first.summary_ko is not None
    assert first.summary_ko.startswith("## 1. 핵심 동기와 문제 정의")
    assert "## 7. 후속 연구 아이디어 또는 확장 방향" in first.summary_ko
    assert "Emerging Properties" not in first.summary_ko  # the title line is not part of the summary
    assert first.easy_derived
    # the first two sentences of section 1, as written there
    section = first.summary_ko.split("## 2.")[0].removeprefix("## 1. 핵심 동기와 문제 정의").split()
    sentences = " ".join(section).split(". ")
    assert first.easy_ko == f"{sentences[0]}. {sentences[1]}"


def test_seed_001_derived_texts_are_short_plain_sentences(seeds_dir: Path) -> None:
    for paper in read_digest(seed(seeds_dir, "001")).papers:
        assert paper.easy_ko and paper.easy_derived
        assert len(paper.easy_ko) <= 300
        assert paper.easy_ko.endswith((".", "다", "…"))
        assert not re.search(r"\*|^#|^- ", paper.easy_ko)


# --- seed 004: "## Daily Papers (DATE)" with "### [Title](link)" entries ------------------------------


def test_seed_004_daily_list(seeds_dir: Path) -> None:
    path = seed(seeds_dir, "004")
    text = path.read_text(encoding="utf-8")
    digest = read_digest(path, dt.date(2030, 1, 1))
    assert (digest.fmt, digest.day, len(digest.papers), digest.skipped) == (
        "daily",
        dt.date(2024, 11, 19),
        16,
        (),
    )
    assert [p.votes for p in digest.papers] == [int(v) for v in re.findall(r"^Vote: (\d+)$", text, re.M)]
    assert [p.title for p in digest.papers] == re.findall(r"^### \[(.+)\]\(", text, re.M)
    first, last = digest.papers[0], digest.papers[-1]
    assert first.id == "2411.09213"
    assert first.title == (
        "Comprehensive and Practical Evaluation of Retrieval-Augmented Generation Systems "
        "for Medical Question Answering"
    )
    assert first.votes == 6
    assert first.url == "https://huggingface.co/papers/2411.09213"
    assert first.pdf_url == "https://arxiv.org/pdf/2411.09213"
    assert first.authors == ("Chien Van Nguyen", "Franck Dernoncourt", "Nghia Trung Ngo", "Thien Huu Nguyen")
    assert (last.id, last.votes) == ("2411.09944", 10)
    assert last.title == "SlimLM: An Efficient Small Language Model for On-Device Document Assistance"
    assert by_id(digest)["2411.11844"].votes == 34


def test_seed_004_sections(seeds_dir: Path) -> None:
    papers = by_id(read_digest(seed(seeds_dir, "004")))
    first = papers["2411.09213"]
    assert first.summary_ko is not None and first.summary_ko.count("\n\n") == 2
    assert first.summary_ko.startswith("이 연구는 의학적 질문답변 시스템에서")
    assert first.summary_ko.endswith("향후 연구 방향을 제시합니다.")
    assert first.easy_derived and first.easy_ko is not None
    assert first.easy_ko.startswith("이 연구는 의학적 질문답변 시스템에서")
    assert first.easy_ko.endswith("특정 상황 처리 능력을 평가합니다.")
    # one entry writes **What's New** with two asterisks instead of three
    adaptive = papers["2411.09661"]
    assert adaptive.easy_ko is not None and adaptive.easy_ko.startswith(
        "본 논문은 Latent Preference Optimization"
    )
    assert adaptive.summary_ko is not None and adaptive.summary_ko.count("\n\n") == 2
    assert papers["2411.07641"].title == "Top-nσ: Not All Logits Are You Need"


# --- synthetic digests: messy text, broken cards, other documents ---------------------------------------


def test_crlf_blank_lines_trailing_spaces_and_grouped_votes() -> None:
    path = DIGESTS / "cards_crlf.md"
    assert b"\r\n" in path.read_bytes()
    digest = read_digest(path, dt.date(2024, 9, 3))
    assert (digest.fmt, digest.day, digest.skipped) == ("cards", dt.date(2024, 9, 3), ())
    lantern, boats = digest.papers
    assert lantern.id == "2409.01234"  # "v2" dropped from the link
    assert lantern.title == "Tiny Lanterns: Sparse Attention for Very Long Stories"
    assert lantern.votes == 1234
    assert lantern.pdf_url == "https://arxiv.org/pdf/2409.01234"
    assert lantern.summary_ko == (
        "이 연구는 아주 긴 이야기를 읽는 언어 모델의 주의 계산을 가볍게 만드는 방법을 다룹니다.\n"
        "두 번째 줄로 이어지는 요약입니다."
    )
    assert (
        lantern.easy_ko
        == "긴 동화책을 한 번에 읽는 인공지능을 더 가볍게 만들었어요. 덕분에 작은 컴퓨터에서도 돌아간답니다."
    )
    assert lantern.field_labels == ("언어 모델", "효율화(Efficiency, Sparse Attention)", "자연어 처리")
    assert (boats.id, boats.title, boats.votes, boats.pdf_url) == (
        "2409.05678",
        "Paper Boats and Gradient Flows",
        7,
        None,
    )
    assert boats.field_labels == ("기계 학습",)
    assert boats.easy_ko == "종이배처럼 가볍게 흘러가는 학습 방법을 소개했어요."


def test_crlf_and_lf_give_the_same_papers() -> None:
    crlf = (DIGESTS / "cards_crlf.md").read_bytes().decode("utf-8")  # read_text would translate newlines
    assert "\r\n" in crlf
    assert parse_digest(crlf).papers == parse_digest(crlf.replace("\r\n", "\n")).papers
    assert parse_digest(crlf.replace("\r\n", "\r")).papers == parse_digest(crlf).papers


def test_malformed_cards_are_skipped_and_reported() -> None:
    digest = read_digest(DIGESTS / "cards_malformed.md")
    assert [p.id for p in digest.papers] == ["2410.00001", "2410.00004"]
    assert digest.papers[0].votes == 5  # the later repeat (6 votes) is not taken
    assert digest.papers[1].easy_ko is None and not digest.papers[1].easy_derived
    assert len(digest.skipped) == 3
    missing_link, no_title, repeat = digest.skipped
    assert "Missing Link Paper" in missing_link and "link" in missing_link
    assert "title" in no_title
    assert "2410.00001" in repeat


def test_bom_summary_document() -> None:
    path = DIGESTS / "summary_bom.md"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    digest = read_digest(path, dt.date(2024, 12, 31))
    assert (digest.fmt, digest.day) == ("summary", dt.date(2024, 12, 3))
    robots, maps = digest.papers
    assert (robots.id, robots.title, robots.pdf_url) == ("2412.00011", "Quiet Robots", None)
    assert robots.easy_ko == (
        "로봇 팔은 시끄러운 환경에서 지시를 자주 놓칩니다. "
        "이 연구는 소리 대신 손짓으로 지시를 전달하는 방법을 살펴봅니다."
    )
    assert (maps.id, maps.title) == ("2412.00022", "Folding Maps with Language Models")
    assert maps.pdf_url == "https://arxiv.org/pdf/2412.00022"
    assert (
        maps.easy_ko == "지도를 접는 순서를 언어 모델이 계획합니다. 종이 지도는 아직도 등산객에게 중요합니다."
    )
    assert digest.skipped == ("entry 3: 2412.00033: no title heading in the summary",)
    assert parse_digest(path.read_text(encoding="utf-8")).papers == digest.papers  # BOM left in the text


def test_bom_before_the_first_heading(tmp_path: Path) -> None:
    text = "## 제목:\nByte Order Marks\n\n**추천수**: 2\n\n**PDF 다운로드 링크**: https://arxiv.org/pdf/2412.00044\n"
    assert [p.id for p in parse_digest("\ufeff" + text).papers] == ["2412.00044"]
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    (paper,) = read_digest(path).papers
    assert (paper.title, paper.votes) == ("Byte Order Marks", 2)


def test_daily_variants() -> None:
    digest = read_digest(DIGESTS / "daily_variants.md", dt.date(2024, 12, 31))
    assert (digest.fmt, digest.day) == ("daily", dt.date(2024, 12, 5))
    sheep, tables = digest.papers
    assert (sheep.id, sheep.votes, sheep.authors) == ("2412.01001", 1234, ("Kim Minji", "Lee Junho"))
    assert (
        sheep.easy_ko
        == "확산 모델로 양 떼 사진 속 양을 세는 방법을 제안합니다. 기존 방법보다 두 배 정확합니다."
    )
    assert sheep.summary_ko == (
        "확산 모델로 양 떼 사진 속 양을 세는 방법을 제안합니다. 기존 방법보다 두 배 정확합니다. "
        "세 번째 문장입니다."
        "\n\n밀도 지도를 한 단계에서 예측합니다.\n이어지는 줄도 같은 섹션에 속합니다."
        "\n\n다섯 개 목장 데이터에서 오차가 절반으로 줄었습니다."
    )
    assert (tables.id, tables.votes, tables.authors) == ("2412.01002", 12, ("Park Sora",))
    assert tables.summary_ko is not None and "자연스러운 문장으로 바꿉니다." in tables.summary_ko
    assert len(digest.skipped) == 1 and "Broken Entry Without Link" in digest.skipped[0]


def test_unknown_document_is_a_format_error() -> None:
    with pytest.raises(DigestFormatError, match="^no papers found: not a known digest layout"):
        read_digest(DIGESTS / "unknown.md")


@pytest.mark.parametrize("text", ["", "\ufeff\r\n\r\n", "그냥 평범한 메모입니다.\n"])
def test_empty_or_plain_text_is_a_format_error(text: str) -> None:
    with pytest.raises(DigestFormatError, match="^no papers found"):
        parse_digest(text)


def test_cards_that_are_all_broken_are_a_format_error() -> None:
    text = "## 제목:\nNo Link Here\n\n**추천수**:\n3\n---\n"
    with pytest.raises(DigestFormatError, match="no papers found: .*No Link Here"):
        parse_digest(text)


def test_non_utf8_file_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "digest.md"
    path.write_bytes("## 제목:\n테스트\n".encode("cp949"))
    with pytest.raises(DigestFormatError, match="not UTF-8"):
        read_digest(path)


def test_invalid_date_in_the_heading_is_a_format_error() -> None:
    with pytest.raises(DigestFormatError, match="invalid date"):
        parse_digest("## Daily Papers (2024-13-45)\n\n### [A Paper](https://arxiv.org/abs/2412.01001)\n")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2502.06703", "2502.06703"),
        ("2502.06703v2", "2502.06703"),
        ("arXiv:2412.00022v11", "2412.00022"),
        ("hep-th/9901001v3", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("1. 핵심 동기", None),
        ("25021.0670", None),
    ],
)
def test_normalize_id(raw: str, expected: str | None) -> None:
    assert normalize_id(raw) == expected


def test_first_sentences_stop_at_a_sentence_end_within_the_limit() -> None:
    text = "- **첫 문장**입니다. 두 번째 문장은 94.0점을 말합니다. 세 번째 문장입니다."
    assert first_sentences(text) == "첫 문장입니다. 두 번째 문장은 94.0점을 말합니다."
    assert first_sentences(text, limit=20) == "첫 문장입니다."
    long = "아주 " * 200 + "긴 문장입니다."
    cut = first_sentences(long)
    assert cut is not None and len(cut) <= 301 and cut.endswith("…")


# --- the bundled sample digest --------------------------------------------------------------------------


def test_sample_digest_parses_into_eight_cards() -> None:
    digest = read_digest(SAMPLE, dt.date(2025, 2, 11))
    assert (digest.fmt, len(digest.papers), digest.skipped) == ("cards", 8, ())
    assert len({p.id for p in digest.papers}) == 8
    for paper in digest.papers:
        assert paper.easy_ko and not paper.easy_derived and paper.summary_ko
        assert 2 <= len(paper.field_labels) <= 3 and set(paper.field_labels) <= TAXONOMY_NAMES
        assert paper.votes is not None and paper.pdf_url == f"https://arxiv.org/pdf/{paper.id}"
    votes = [p.votes for p in digest.papers]
    assert votes == sorted(votes, reverse=True)


def test_sample_digest_matches_the_hugging_face_list(hf_corpus_dir: Path) -> None:
    entries = json.loads((hf_corpus_dir / "2025-02-11.json").read_text(encoding="utf-8"))
    listed = {e["paper"]["id"]: e["paper"] for e in entries}
    papers = read_digest(SAMPLE).papers
    for paper in papers:
        assert paper.id in listed
        assert paper.votes == listed[paper.id]["upvotes"]
        assert paper.title == " ".join(listed[paper.id]["title"].split())
    top_votes = sorted((p["upvotes"] for p in listed.values()), reverse=True)[:8]
    assert [p.votes for p in papers] == top_votes
