"""The renderers by example: a two-card digest in every format."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot import texts
from bot.models import Button, Card, Digest, Reply
from bot.render import (
    TELEGRAM_LIMIT,
    render_digest_markdown,
    render_digest_slack,
    render_digest_telegram,
    render_digest_text,
    render_reply_slack,
    render_reply_telegram,
    render_reply_text,
    slack_escape,
    telegram_length,
)
from bot.sources.markdown import parse_digest
from tests.html_check import check_telegram_html

HEADER = "📰 2025-02-11 허깅페이스 인기 논문 TOP 2"
FIRST = Card(
    rank=1,
    paper_id="2502.06703",
    title='A <b>bold</b> & "quoted" title',
    easy_text="작은 모델도 계산을 잘 쓰면 큰 모델을 이길 수 있어요.",
    easy_lang="ko",
    fields=("llm", "reasoning"),
    field_names=("언어 모델", "추론"),
    votes=121,
    url="https://huggingface.co/papers/2502.06703",
    pdf_url="https://arxiv.org/pdf/2502.06703",
)
SECOND = Card(
    rank=2,
    paper_id="2502.06329",
    title="<!channel> & <@U123>",
    easy_text="A long-context QA benchmark for finance.",
    easy_lang="en",
    fields=("nlp",),
    field_names=("자연어 처리",),
    votes=None,
    url="https://huggingface.co/papers/2502.06329",
    summary_text="We build <FinQA> & test it. Models fail.",
    summary_lang="en",
    keywords=("finance", "<long> & context"),
)
DIGEST = Digest(header=HEADER, cards=(FIRST, SECOND), day=dt.date(2025, 2, 11))


def _positions(text: str, needles: list[str]) -> list[int]:
    return [text.index(needle) for needle in needles]


def card(rank: int, **changes: object) -> Card:
    """A plain card with the given rank, for layout tests."""
    values: dict[str, object] = dict(
        rank=rank,
        paper_id=f"2502.{rank:05d}",
        title=f"Paper {rank}",
        easy_text="쉬운 설명이에요.",
        easy_lang="ko",
        fields=("ai",),
        field_names=("인공지능",),
        votes=rank,
        url=f"https://huggingface.co/papers/2502.{rank:05d}",
    )
    return Card(**(values | changes))  # type: ignore[arg-type]


# --- plain text ---


def test_text_digest_header_numbering_and_labels_in_order() -> None:
    out = render_digest_text(DIGEST)
    assert out.splitlines()[0] == HEADER
    first, second = out.split("\n\n")[1:]
    assert first.startswith('1. 제목: A <b>bold</b> & "quoted" title')
    labels = ["제목:", "쉬운설명:", "관련분야:", "추천수:", "link:", "PDF:"]
    assert _positions(first, labels) == sorted(_positions(first, labels))
    assert "관련분야: 언어 모델 · 추론" in first
    assert "추천수: 121" in first
    assert "link: https://huggingface.co/papers/2502.06703" in first
    assert "PDF: https://arxiv.org/pdf/2502.06703" in first
    assert second.startswith("2. 제목: <!channel> & <@U123>")
    assert f"쉬운설명: {texts.ENGLISH_MARK} A long-context QA benchmark" in second
    assert "추천수: –" in second
    assert "PDF:" not in second


def test_text_reply_text_then_digest_then_buttons() -> None:
    reply = Reply(text="오늘의 논문이에요.", digest=DIGEST, buttons=(Button("자연어 처리", "field nlp"),))
    out = render_reply_text(reply)
    assert out.startswith("오늘의 논문이에요.\n\n" + HEADER)
    assert out.endswith("[자연어 처리] → /field nlp")


def test_text_strips_terminal_control_characters() -> None:
    out = render_digest_text(Digest(HEADER, (card(1, title="evil\x1b[2Jtitle\x00"),)))
    assert "\x1b" not in out and "\x00" not in out
    assert "evil[2Jtitle" in out


# --- Telegram ---


def test_telegram_digest_escapes_and_marks() -> None:
    [part] = render_digest_telegram(DIGEST)
    assert check_telegram_html(part) == []
    assert part.startswith(f"<b>{HEADER}</b>\n\n<b>1. 제목: ")
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; title" in part
    assert "<b>2. 제목: &lt;!channel&gt; &amp; &lt;@U123&gt;</b>" in part
    assert f"<b>쉬운설명:</b> <i>{texts.ENGLISH_MARK}</i> A long-context QA" in part
    assert "<b>관련분야:</b> 언어 모델 · 추론" in part
    assert "<b>추천수:</b> –" in part
    assert '<a href="https://arxiv.org/pdf/2502.06703">PDF</a>' in part
    first = part.split("\n\n")[1]
    labels = ["제목:", "쉬운설명:", "관련분야:", "추천수:", "link:", "PDF<"]
    assert _positions(first, labels) == sorted(_positions(first, labels))


def test_telegram_length_counts_utf16_after_entities() -> None:
    assert telegram_length("<b>a &amp; b</b>") == 5
    assert telegram_length('<a href="https://x.org/?a=1&amp;b=2">😀</a>') == 2
    assert telegram_length("&lt;&#128512;&quot;") == 4


def test_telegram_long_digest_splits_between_cards() -> None:
    long_easy = "가나다라마바사 " * 110  # ~880 characters, kept whole
    digest = Digest(HEADER, tuple(card(rank, easy_text=long_easy) for rank in range(1, 11)))
    parts = render_digest_telegram(digest)
    assert len(parts) > 1
    assert parts[0].startswith(f"<b>{HEADER}</b>")
    for number, part in enumerate(parts[1:], 2):
        assert part.startswith(f"<b>{texts.continued_header(HEADER, number, len(parts))}</b>")
    assert all(check_telegram_html(part) == [] for part in parts)
    ranks = [int(m) for part in parts for m in re.findall(r"<b>(\d+)\. 제목:", part)]
    assert ranks == list(range(1, 11))


def test_telegram_giant_card_is_shortened() -> None:
    giant = card(1, title="<&>" * 20_000, easy_text="😀" * 50_000, field_names=("x" * 5000,))
    [part] = render_digest_telegram(Digest(HEADER, (giant,)))
    assert check_telegram_html(part) == []
    assert telegram_length(part) < TELEGRAM_LIMIT
    assert "…" in part and "&lt;&amp;&gt;" in part


def test_telegram_reply_text_joins_first_digest_part_and_drops_buttons() -> None:
    reply = Reply(text="a < b & c", digest=DIGEST, buttons=(Button("자연어 처리", "field nlp"),))
    [part] = render_reply_telegram(reply)
    assert part.startswith("a &lt; b &amp; c\n\n<b>")
    assert "field nlp" not in part


def test_telegram_long_reply_text_is_split() -> None:
    parts = render_reply_telegram(Reply(text="\n".join(["줄 & 줄"] * 2000)))
    assert len(parts) > 1
    assert all(check_telegram_html(part) == [] for part in parts)


def test_telegram_empty_reply_has_no_parts() -> None:
    assert render_reply_telegram(Reply(text=" \n ")) == []


def test_telegram_unsafe_url_is_rebuilt_from_paper_id() -> None:
    [part] = render_digest_telegram(Digest(HEADER, (card(1, url='javascript:alert("x")'),)))
    assert 'href="https://huggingface.co/papers/2502.00001"' in part
    assert "javascript" not in part


# --- Slack ---


def test_slack_escape() -> None:
    assert slack_escape("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"


def test_slack_digest_blocks() -> None:
    [message] = render_digest_slack(DIGEST)
    header, first, divider, second = message.blocks
    assert header == {"type": "header", "text": {"type": "plain_text", "text": HEADER, "emoji": True}}
    assert divider == {"type": "divider"}
    text1, text2 = first["text"]["text"], second["text"]["text"]
    assert text1.startswith('*1. 제목:* A &lt;b&gt;bold&lt;/b&gt; &amp; "quoted" title\n')
    assert "*관련분야:* 언어 모델 · 추론" in text1
    assert "<https://arxiv.org/pdf/2502.06703|PDF>" in text1
    assert text2.startswith("*2. 제목:* &lt;!channel&gt; &amp; &lt;@U123&gt;\n")
    assert f"*쉬운설명:* _{texts.ENGLISH_MARK}_ A long-context" in text2
    assert "*추천수:* –" in text2
    assert "<!channel>" not in str(message) and "<@U123>" not in str(message)
    assert message.text == HEADER


def test_slack_reply_buttons_become_actions() -> None:
    buttons = tuple(Button(f"분야 {i} <b>", f"field f{i}") for i in range(30))
    [message] = render_reply_slack(Reply(text="분야를 고르세요 <@U1>", buttons=buttons))
    section, actions1, actions2 = message.blocks
    assert section["text"]["text"] == "분야를 고르세요 &lt;@U1&gt;"
    assert message.text == "분야를 고르세요 &lt;@U1&gt;"
    assert [len(a["elements"]) for a in (actions1, actions2)] == [25, 5]
    elements = actions1["elements"] + actions2["elements"]
    assert len({e["action_id"] for e in elements}) == 30
    assert elements[3]["value"] == "field f3"
    assert elements[3]["text"]["text"] == "분야 3 &lt;b&gt;"


def test_slack_many_cards_split_into_messages() -> None:
    digest = Digest(HEADER, tuple(card(rank) for rank in range(1, 31)))
    messages = render_digest_slack(digest)
    assert [len(m.blocks) for m in messages] == [50, 10]
    assert messages[1].blocks[0]["text"]["text"] == texts.continued_header(HEADER, 2, 2)


# --- markdown ---


def test_markdown_matches_the_seed_layout() -> None:
    out = render_digest_markdown(DIGEST, {"2502.06703": "한국어 요약입니다."})
    first, second = out.split("---\n\n")
    assert first.splitlines() == [
        "![Image](https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2502.06703.png)",
        "## 제목:",
        'A <b>bold</b> & "quoted" title',
        "",
        "**요약**:",
        "한국어 요약입니다.",
        "",
        "**쉬운설명**:",
        "작은 모델도 계산을 잘 쓰면 큰 모델을 이길 수 있어요.",
        "",
        "**관련분야**:",
        "언어 모델, 추론",
        "",
        "**추천수**:",
        "121",
        "",
        "**PDF 다운로드 링크**: [PDF 다운로드](https://arxiv.org/pdf/2502.06703)",
    ]
    assert f"**요약**:\n{texts.SUMMARY_ENGLISH_MARK} We build <FinQA> & test it. Models fail.\n" in second
    assert f"**쉬운설명**:\n{texts.ENGLISH_MARK} A long-context QA" in second
    assert "**추천수**:\n–\n" in second
    assert second.endswith("[PDF 다운로드](https://huggingface.co/papers/2502.06329)\n---\n")


def test_markdown_values_cannot_break_the_layout() -> None:
    out = render_digest_markdown(Digest(HEADER, (card(1, title="---\n## 제목:\n**추천수**:"),)))
    assert out.count("\n---\n") == 1
    assert out.count("## 제목:") == 2 and "\n\\--- ## 제목: **추천수**:\n" in out


def test_markdown_layout_follows_the_bundled_seed(seeds_dir: Path) -> None:
    seed = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    ours = render_digest_markdown(DIGEST)
    skeleton = re.compile(r"^(?:!\[Image\]|## |\*\*[^*]+\*\*:|---$)")

    def shape(text: str) -> list[str]:
        return [m.group(0) for m in map(skeleton.match, text.splitlines()) if m]

    per_card = len(shape(ours)) // 2
    assert shape(ours)[:per_card] == shape(seed)[:per_card]


@pytest.mark.parametrize("char", ["&", "<", "😀", "a"])
def test_worst_case_cards_fit_every_limit(char: str) -> None:
    url = "https://huggingface.co/papers/" + "a" * 170  # the longest URL still accepted
    worst = card(
        20,
        title=char * 5000,
        easy_text=char * 50_000,
        easy_lang="en",
        field_names=(char * 3000,) * 3,
        votes=-(10**9),
        url=url,
        pdf_url=url,
    )
    digest = Digest(char * 5000, (worst,) * 20)
    parts = render_digest_telegram(digest)
    assert len(parts) == 10 and all(check_telegram_html(part) == [] for part in parts)
    for message in render_digest_slack(digest):
        for block in message.blocks:
            limit = {"header": 150, "section": 3000, "divider": 0}[block["type"]]
            assert len(block.get("text", {}).get("text", "")) <= limit


def test_markdown_reads_back_with_the_importer() -> None:
    parsed = parse_digest(render_digest_markdown(DIGEST, {"2502.06703": "한국어 요약입니다."}), DIGEST.day)
    first, second = parsed.papers
    assert (first.id, first.title, first.votes) == ("2502.06703", FIRST.title, 121)
    assert (first.summary_ko, first.easy_ko) == ("한국어 요약입니다.", FIRST.easy_text)
    assert first.field_labels == FIRST.field_names
    assert first.pdf_url == FIRST.pdf_url
    assert (second.id, second.title, second.votes) == ("2502.06329", SECOND.title, None)
