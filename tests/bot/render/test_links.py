"""A card's repository, stars, project page and thumbnail on every renderer: shown when usable,
checked and escaped when hostile, never at the cost of the fixed fields or the platforms' limits."""

from __future__ import annotations

import dataclasses
import re

import pytest

from bot import texts
from bot.models import Card, Digest, Reply
from bot.render import (
    render_digest_slack,
    render_digest_telegram,
    render_digest_text,
    render_reply_slack,
    render_reply_telegram,
    render_reply_text,
    telegram_length,
)
from bot.render.links import extra_links, format_stars, image_url, link_url
from bot.render.slack import BLOCKS_MAX, SECTION_MAX, has_images, render_digest_thread, without_images
from tests.html_check import check_telegram_html

THUMB = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2502.06703.png"
BARE = Card(
    rank=1,
    paper_id="2502.06703",
    title="Can 1B LLM Surpass 405B LLM?",
    easy_text="작은 모델도 계산을 잘 쓰면 큰 모델을 이길 수 있어요.",
    easy_lang="ko",
    fields=("llm",),
    field_names=("언어 모델",),
    votes=121,
    url="https://huggingface.co/papers/2502.06703",
    pdf_url="https://arxiv.org/pdf/2502.06703",
)
RICH = dataclasses.replace(
    BARE,
    github_repo="https://github.com/RyanLiu112/compute-optimal-tts",
    github_stars=1234,
    project_page="https://ryanliu112.github.io/compute-optimal-tts",
    thumbnail=THUMB,
)
FIXED = [texts.LABEL_TITLE, texts.LABEL_EASY, texts.LABEL_FIELDS, texts.LABEL_VOTES, texts.LABEL_LINK]
HOSTILE_URLS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://github.com/a/b",
    'https://github.com/a/b"><script>alert(1)</script>',
    "https://example.org/<!channel>",
    "https://example.org/a|b",
    "https://exa mple.org/",
    "https://example.org/" + "a" * 400,
    "//github.com/a/b",
]


def digest(*cards: Card) -> Digest:
    return Digest(header="📰 2025-02-11 허깅페이스 인기 논문 TOP 1", cards=cards)


@pytest.mark.parametrize(
    ("stars", "shown"),
    [
        (0, "0"),
        (999, "999"),
        (1000, "1k"),
        (1234, "1.2k"),
        (12_345, "12.3k"),
        (999_960, "1M"),
        (2_500_000, "2.5M"),
    ],
)
def test_stars_are_shown_as_github_does(stars: int, shown: str) -> None:
    assert format_stars(stars) == shown


def test_the_text_card_lists_repository_and_project_page_after_the_fixed_fields() -> None:
    text = render_digest_text(digest(RICH))
    positions = [text.index(f"{label}:") for label in [*FIXED, texts.LABEL_CODE, texts.LABEL_PROJECT]]
    assert positions == sorted(positions)
    assert f"{texts.LABEL_CODE}: https://github.com/RyanLiu112/compute-optimal-tts (⭐ 1.2k)" in text
    assert f"{texts.LABEL_PROJECT}: https://ryanliu112.github.io/compute-optimal-tts" in text
    bare = render_digest_text(digest(BARE))
    assert f"{texts.LABEL_CODE}:" not in bare and f"{texts.LABEL_PROJECT}:" not in bare and "⭐" not in bare


def test_telegram_links_the_repository_by_its_name() -> None:
    (part,) = render_digest_telegram(digest(RICH))
    assert check_telegram_html(part) == []
    assert (
        f'<b>{texts.LABEL_CODE}:</b> <a href="https://github.com/RyanLiu112/compute-optimal-tts">'
        "RyanLiu112/compute-optimal-tts</a> ⭐ 1.2k"
    ) in part
    assert '<a href="https://ryanliu112.github.io/compute-optimal-tts">' in part
    assert part.index(f"<b>{texts.LABEL_LINK}:</b>") < part.index(f"<b>{texts.LABEL_CODE}:</b>")
    (bare,) = render_digest_telegram(digest(BARE))
    assert texts.LABEL_CODE not in bare and "github" not in bare


def test_slack_shows_the_thumbnail_beside_the_card_and_the_button_below() -> None:
    (message,) = render_digest_slack(digest(RICH))
    header, section, actions = message.blocks
    assert section["accessory"] == {"type": "image", "image_url": THUMB, "alt_text": RICH.title}
    assert actions["type"] == "actions" and actions["elements"][0]["value"] == "paper 2502.06703"
    text = section["text"]["text"]
    assert (
        "<https://github.com/RyanLiu112/compute-optimal-tts|RyanLiu112/compute-optimal-tts> ⭐ 1.2k" in text
    )
    assert (
        "<https://ryanliu112.github.io/compute-optimal-tts|ryanliu112.github.io/compute-optimal-tts>" in text
    )
    (bare,) = render_digest_slack(digest(BARE))
    assert [b["type"] for b in bare.blocks] == ["header", "section"]
    assert bare.blocks[1]["accessory"]["type"] == "button"
    assert has_images(message) and not has_images(without_images(message))
    assert without_images(message).blocks[1]["text"] == section["text"]


def test_a_project_page_that_is_the_repository_is_shown_once() -> None:
    card = dataclasses.replace(RICH, project_page=RICH.github_repo + "/")
    assert extra_links(card).project_url is None
    assert texts.LABEL_PROJECT not in render_digest_text(digest(card))


def test_stars_without_a_repository_are_not_shown() -> None:
    card = dataclasses.replace(BARE, github_stars=50)
    assert "⭐" not in render_digest_text(digest(card)) + "".join(render_digest_telegram(digest(card)))


def test_wrapped_urls_from_hugging_face_are_mended() -> None:
    for wrapped in (
        "https://github.com/\nFightingFighting/NeuroAda.git",
        "https://github.com/ FightingFighting/NeuroAda.git",
    ):
        assert link_url(wrapped) == "https://github.com/FightingFighting/NeuroAda.git"
    assert (
        extra_links(dataclasses.replace(BARE, github_repo=" https://github.com/a/b.git")).repo_label == "a/b"
    )
    assert link_url("http://example.org/page?a=1&b=2") == "http://example.org/page?a=1&b=2"


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_are_left_out_everywhere(url: str) -> None:
    card = dataclasses.replace(BARE, github_repo=url, project_page=url, thumbnail=url, github_stars=5)
    assert link_url(url) is None and image_url(url) is None
    text = render_digest_text(digest(card))
    (html,) = render_digest_telegram(digest(card))
    (slack,) = render_digest_slack(digest(card))
    for rendered in (text, html, str(slack.blocks)):
        assert texts.LABEL_CODE not in rendered and texts.LABEL_PROJECT not in rendered
        assert "script" not in rendered and "javascript" not in rendered
    assert not has_images(slack)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/picture.png",  # not a Hugging Face host: Slack might not fetch it
        "https://cdn-uploads.huggingface.co/production/uploads/x/clip.mp4",  # not a picture
        "http://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2502.06703.png",  # not https
        "https://huggingface.co.evil.example/p.png",
    ],
)
def test_only_hugging_face_pictures_become_slack_images(url: str) -> None:
    assert image_url(url) is None
    (message,) = render_digest_slack(digest(dataclasses.replace(BARE, thumbnail=url)))
    assert not has_images(message)


def test_markup_in_titles_and_links_is_escaped() -> None:
    card = dataclasses.replace(
        RICH,
        title="<!channel> <b>bold</b> & <@U1>",
        github_repo="https://github.com/a&b/c'd",
        project_page="https://example.org/?q=<x>",  # refused: angle brackets
    )
    (html,) = render_digest_telegram(digest(card))
    assert check_telegram_html(html) == []
    assert '<a href="https://github.com/a&amp;b/c&#x27;d">' in html and "&lt;!channel&gt;" in html
    (message,) = render_digest_slack(digest(card))
    text = message.blocks[1]["text"]["text"]
    assert "<https://github.com/a&amp;b/c'd|" in text and "&lt;!channel&gt;" in text
    assert "<!channel>" not in text and texts.LABEL_PROJECT not in text
    assert message.blocks[1]["accessory"]["alt_text"] == card.title  # plain text: no markup parsed there


def longest(rank: int) -> Card:
    """A card with every text and link at its worst: as long as allowed, full of characters to escape."""
    url = "https://github.com/" + "&" * 280
    return dataclasses.replace(
        RICH,
        rank=rank,
        title="<&>" * 2000,
        easy_text="&" * 5000,
        field_names=tuple("<>" * 500 for _ in range(3)),
        github_repo=url,
        project_page="https://example.org/" + "&" * 280,
        github_stars=2**31 - 1,
        thumbnail=THUMB,
    )


def test_the_longest_cards_stay_within_every_limit() -> None:
    cards = tuple(longest(rank) for rank in range(1, 21))
    messages = render_digest_slack(digest(*cards))
    for message in messages:
        assert len(message.blocks) <= BLOCKS_MAX
        for block in message.blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"].encode("utf-16-le")) // 2 <= SECTION_MAX
                assert block["text"]["text"].startswith(f"*{int(block['text']['text'][1:3].rstrip('.'))}.")
    sections = [b for m in messages for b in m.blocks if b["type"] == "section"]
    assert [int(re.match(r"\*(\d+)\.", b["text"]["text"])[1]) for b in sections] == list(range(1, 21))
    assert all(b["accessory"]["type"] == "image" for b in sections)
    parts = render_digest_telegram(digest(*cards))
    assert all(check_telegram_html(p) == [] and telegram_length(p) <= 4096 for p in parts)
    assert sum(p.count(f"<b>{texts.LABEL_VOTES}:</b>") for p in parts) == 20


def test_a_thread_is_a_header_then_one_reply_per_card() -> None:
    head, *replies = render_digest_thread(digest(RICH, dataclasses.replace(BARE, rank=2)))
    assert [b["type"] for b in head.blocks] == ["header", "section"]
    assert "2편" in head.blocks[1]["text"]["text"] and texts.LABEL_TITLE not in str(head.blocks)
    assert [r.text for r in replies] == [f"1. {RICH.title}", f"2. {BARE.title}"]
    assert [b["type"] for b in replies[0].blocks] == ["section", "actions"]
    assert [b["type"] for b in replies[1].blocks] == ["section"]
    assert render_digest_thread(digest()) == []


def test_the_detail_answer_has_the_links_too() -> None:
    text = render_reply_text(Reply(detail=RICH))
    assert f"{texts.LABEL_CODE}: https://github.com/RyanLiu112/compute-optimal-tts (⭐ 1.2k)" in text
    (html,) = render_reply_telegram(Reply(detail=RICH))
    assert check_telegram_html(html) == [] and "RyanLiu112/compute-optimal-tts</a> ⭐ 1.2k" in html
    (message,) = render_reply_slack(Reply(detail=RICH))
    assert "|ryanliu112.github.io/compute-optimal-tts>" in message.blocks[0]["text"]["text"]
    assert texts.LABEL_CODE not in render_reply_text(Reply(detail=BARE))


def test_the_longest_detail_answer_stays_within_every_limit() -> None:
    card = dataclasses.replace(longest(1), summary_text="<&>" * 3000, keywords=("<&>" * 200,) * 10)
    for message in render_reply_slack(Reply(detail=card)):
        for block in message.blocks:
            assert len(block["text"]["text"].encode("utf-16-le")) // 2 <= SECTION_MAX
    for part in render_reply_telegram(Reply(detail=card)):
        assert check_telegram_html(part) == [] and telegram_length(part) <= 4096
