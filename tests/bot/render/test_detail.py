"""The 자세히 button on every card and its answer (요약, keywords, links) in every renderer."""

from __future__ import annotations

import datetime as dt
import html
import re

from bot import texts
from bot.models import Card, Digest, Reply
from bot.render import render_digest_markdown, render_digest_slack, render_reply_slack, render_reply_text
from bot.render.telegram import render_digest_messages, render_reply_messages
from bot.selection import top_of_day
from handlers.slack.requests import ACTION_ID
from tests.html_check import check_telegram_html
from tests.transcripts.layer import Chat

HOSTILE = Card(
    rank=1,
    paper_id="2502.06329",
    title="<!channel> & <b>bold</b>",
    easy_text="쉬운 설명 <i>이에요</i> & 끝.",
    easy_lang="ko",
    fields=("nlp",),
    field_names=("자연어 처리",),
    votes=3,
    url="https://huggingface.co/papers/2502.06329",
    pdf_url="https://arxiv.org/pdf/2502.06329",
    summary_text="We build <FinQA> & <@U123> test it. Models fail.",
    summary_lang="en",
    keywords=("finance", "<long> & context"),
)
SECOND = Card(**(HOSTILE.__dict__ | {"rank": 2, "paper_id": "2502.06703", "summary_lang": "ko"}))
DIGEST = Digest("📰 2025-02-11 허깅페이스 인기 논문 TOP 2", (HOSTILE, SECOND), dt.date(2025, 2, 11))


def visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def test_telegram_digest_messages_carry_one_detail_button_per_card() -> None:
    [message] = render_digest_messages(DIGEST)
    assert [(b.label, b.command) for b in message.buttons] == [
        (f"{texts.DETAIL_BUTTON} 1", "paper 2502.06329"),
        (f"{texts.DETAIL_BUTTON} 2", "paper 2502.06703"),
    ]
    assert all(len(b.command.encode()) <= 64 for b in message.buttons)


def test_telegram_detail_is_escaped_and_shows_summary_keywords_and_links() -> None:
    [message] = render_reply_messages(Reply(detail=HOSTILE))
    check_telegram_html(message.text)
    assert "<!channel>" not in message.text and "&lt;FinQA&gt; &amp;" in message.text
    shown = visible(message.text)
    assert f"{texts.LABEL_SUMMARY}: {texts.SUMMARY_ENGLISH_MARK} We build <FinQA> & <@U123> test it." in shown
    assert f"{texts.LABEL_KEYWORDS}: finance, <long> & context" in shown
    assert 'href="https://huggingface.co/papers/2502.06329"' in message.text
    assert 'href="https://arxiv.org/pdf/2502.06329"' in message.text


def test_slack_cards_have_a_detail_button_and_the_detail_is_escaped() -> None:
    [digest] = render_digest_slack(DIGEST)
    buttons = [b["accessory"] for b in digest.blocks if b["type"] == "section"]
    assert [b["value"] for b in buttons] == ["paper 2502.06329", "paper 2502.06703"]
    assert all(
        ACTION_ID.fullmatch(b["action_id"]) and b["text"]["text"].startswith("자세히") for b in buttons
    )
    [answer] = render_reply_slack(Reply(detail=HOSTILE))
    text = answer.blocks[0]["text"]["text"]
    assert "<!channel>" not in text and "<@U123>" not in text and "<FinQA>" not in text
    assert "&lt;!channel&gt; &amp;" in text and "&lt;long&gt; &amp; context" in text
    assert f"*{texts.LABEL_SUMMARY}:* _{texts.SUMMARY_ENGLISH_MARK}_ We build &lt;FinQA&gt;" in text
    assert "<https://arxiv.org/pdf/2502.06329|PDF>" in text
    assert "<!channel>" not in answer.text


def test_console_shows_the_detail_command_of_each_card() -> None:
    out = render_reply_text(Reply(digest=DIGEST))
    assert f"[{texts.DETAIL_BUTTON} 1] → /paper 2502.06329" in out
    detail = render_reply_text(Reply(detail=SECOND))
    assert f"{texts.LABEL_SUMMARY}: We build <FinQA>" in detail  # Korean 요약: no English mark
    assert texts.SUMMARY_ENGLISH_MARK not in detail


def test_paper_command_answers_with_the_stored_korean_summary(services) -> None:
    digest = top_of_day(services, dt.date(2025, 2, 11), 1)
    assert digest is not None
    [card] = digest.cards
    reply = Chat(services).reply(f"/paper {card.paper_id}")
    assert reply.detail is not None and reply.detail.summary_lang == "ko"
    assert reply.detail.summary_text.startswith("정답인지 아닌지만 알려 주는 이진 결과 보상")
    assert reply.detail.summary_text != card.easy_text
    assert texts.PAPER_UNKNOWN.format(id="9999.99999") == Chat(services).say("/paper 9999.99999")
    assert Chat(services).say("/paper") == texts.PAPER_USAGE


def test_markdown_summary_and_easy_text_are_each_their_own(services) -> None:
    digest = top_of_day(services, dt.date(2025, 2, 11), 1)
    assert digest is not None
    out = render_digest_markdown(digest)
    summary = out.split("**요약**:\n", 1)[1].split("\n", 1)[0]
    easy = out.split("**쉬운설명**:\n", 1)[1].split("\n", 1)[0]
    assert summary.startswith("정답인지 아닌지만 알려 주는 이진 결과 보상")
    assert easy.startswith("수학 문제를 풀고 나서") and summary != easy
