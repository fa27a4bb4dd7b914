"""The renderers hold their limits for any text: Telegram validity and size, Slack limits and escaping."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import Button, Card, Digest, Reply
from bot.render import (
    TELEGRAM_LIMIT,
    render_digest_markdown,
    render_digest_slack,
    render_digest_telegram,
    render_reply_slack,
    render_reply_telegram,
    telegram_length,
)
from bot.render.links import image_url
from bot.render.slack import BLOCKS_MAX, BUTTON_TEXT_MAX, BUTTON_VALUE_MAX, HEADER_MAX, SECTION_MAX
from tests.html_check import check_telegram_html

TRICKY = [
    "<",
    ">",
    "&",
    '"',
    "'",
    "|",
    "*",
    "_",
    "`",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\x1b",
    "\u200d",
    "\ud800",
    "😀",
    "👩‍👩‍👧",
    "🇰🇷",
    "&amp;",
    "<b>",
    "</i>",
    "<!channel>",
    "<@U123>",
    "<https://x.y|z>",
    "---",
    "## ",
]
chars = st.one_of(st.characters(exclude_categories=()), st.sampled_from(TRICKY))
short_text = st.lists(chars, max_size=60).map("".join)
# Long texts are built by repetition so examples up to 50,000 characters stay cheap to generate.
long_text = st.tuples(short_text.filter(bool), st.integers(1, 50_000)).map(lambda t: (t[0] * t[1])[:50_000])
any_text = st.one_of(short_text, long_text)
urls = st.one_of(
    st.from_regex(r"https://huggingface\.co/papers/\d{4}\.\d{5}", fullmatch=True),
    short_text,
)
link_urls = st.one_of(
    st.none(),
    urls,
    st.from_regex(r"https?://[a-z]{1,12}\.[a-z]{2,5}/[A-Za-z0-9&'()<>|%/ ]{0,320}", fullmatch=True),
)
thumbnails = st.one_of(
    st.none(),
    short_text,
    st.from_regex(r"https://cdn-thumbnails\.huggingface\.co/[a-z0-9/&.]{1,80}\.png", fullmatch=True),
)
slow = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    """1–20 cards of arbitrary texts, ranked 1..n."""
    count = draw(st.integers(1, 20))
    cards = tuple(
        Card(
            rank=rank,
            paper_id=draw(st.one_of(st.from_regex(r"\d{4}\.\d{5}", fullmatch=True), short_text)),
            title=draw(any_text),
            easy_text=draw(any_text),
            easy_lang=draw(st.sampled_from(["ko", "en"])),
            fields=(),
            field_names=tuple(draw(st.lists(any_text, max_size=3))),
            votes=draw(st.one_of(st.none(), st.integers(-(10**6), 10**9))),
            url=draw(urls),
            pdf_url=draw(st.one_of(st.none(), urls)),
            github_repo=draw(link_urls),
            github_stars=draw(st.one_of(st.none(), st.integers(0, 2**31 - 1))),
            project_page=draw(link_urls),
            thumbnail=draw(thumbnails),
        )
        for rank in range(1, count + 1)
    )
    return Digest(
        header=draw(st.one_of(st.just("📰 2025-02-11 허깅페이스 인기 논문 TOP 5"), any_text)), cards=cards
    )


def _ranks(parts: list[str]) -> list[int]:
    # external text is escaped, so "<b>N. 제목:" can only be a card's own title line
    return [int(m) for part in parts for m in re.findall(r"<b>(\d+)\. 제목:", part)]


@slow
@given(digests())
def test_telegram_parts_are_valid_and_keep_every_card_once(digest: Digest) -> None:
    parts = render_digest_telegram(digest)
    for part in parts:
        assert check_telegram_html(part) == []
        assert telegram_length(part) <= TELEGRAM_LIMIT
    assert _ranks(parts) == [card.rank for card in digest.cards]


@slow
@given(any_text, st.one_of(st.none(), digests()))
def test_telegram_reply_parts_are_valid(text: str, digest: Digest | None) -> None:
    parts = render_reply_telegram(Reply(text=text, digest=digest))
    assert all(check_telegram_html(part) == [] for part in parts)
    assert _ranks(parts) == ([card.rank for card in digest.cards] if digest else [])


OWN_LINK = re.compile(r"<https?://[^<>|\s]+\|[^<>|]*>")
ENTITY = re.compile(r"&(?:amp|lt|gt);")


def _assert_escaped(text: str, links_allowed: bool) -> None:
    """No markup from external text: only our own <url|label> wrappers and &amp;/&lt;/&gt;."""
    bare = OWN_LINK.sub("", text) if links_allowed else text
    assert "<" not in bare and ">" not in bare, text[:200]
    assert len(ENTITY.findall(bare)) == bare.count("&"), text[:200]


def _slack_texts(message_blocks: tuple[dict, ...]) -> list[tuple[str, str]]:
    """(kind, text) of every text object in the blocks."""
    found = []
    for block in message_blocks:
        if "text" in block:
            found.append((block["type"], block["text"]["text"]))
        for element in block.get("elements", []):
            found.append(("button", element["text"]["text"]))
    return found


def _check_slack(messages: list) -> None:
    for message in messages:
        assert len(message.blocks) <= BLOCKS_MAX
        _assert_escaped(message.text, links_allowed=False)
        for kind, text in _slack_texts(message.blocks):
            assert text, kind
            limit = {"header": HEADER_MAX, "section": SECTION_MAX, "button": BUTTON_TEXT_MAX}[kind]
            assert len(text) <= limit and len(text.encode("utf-16-le")) // 2 <= limit, kind
            _assert_escaped(text, links_allowed=kind == "section")
        for block in message.blocks:
            for element in block.get("elements", []):
                assert len(element.get("value", "")) <= BUTTON_VALUE_MAX


@slow
@given(digests())
def test_slack_messages_stay_within_limits_and_escaped(digest: Digest) -> None:
    messages = render_digest_slack(digest)
    _check_slack(messages)
    titles = [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section"]
    assert [int(t.split(".", 1)[0].lstrip("*")) for t in titles] == [card.rank for card in digest.cards]


buttons = st.lists(st.builds(Button, label=any_text, command=any_text), max_size=60).map(tuple)


@slow
@given(any_text, st.one_of(st.none(), digests()), buttons)
def test_slack_replies_stay_within_limits_and_escaped(text: str, digest: Digest | None, btns: tuple) -> None:
    messages = render_reply_slack(Reply(text=text, digest=digest, buttons=btns))
    _check_slack(messages)
    pictures = sum(image_url(c.thumbnail) is not None for c in digest.cards) if digest else 0
    ids = [e["action_id"] for m in messages for b in m.blocks for e in b.get("elements", [])]
    assert len(ids) == len(btns) + pictures  # a card beside its picture has its button below
    for message in messages:
        for block in message.blocks:
            block_ids = [e["action_id"] for e in block.get("elements", [])]
            assert len(block_ids) <= 25 and len(set(block_ids)) == len(block_ids)  # unique per block


@slow
@given(digests())
def test_markdown_has_one_block_per_card(digest: Digest) -> None:
    lines = render_digest_markdown(digest).splitlines()
    assert lines.count("## 제목:") == len(digest.cards)
    assert lines.count("---") == len(digest.cards)
    assert sum(line.startswith("![Image](") for line in lines) == len(digest.cards)
