"""Slack Block Kit messages: escaped texts, within Slack's block and length limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import texts
from bot.models import Button, Card, Digest, Reply
from bot.render.detail import detail_button, detail_view
from bot.render.limits import (
    ELLIPSIS,
    card_view,
    clean_text,
    display_url,
    one_line,
    shorten,
    split_lines,
    utf16_len,
)
from bot.render.links import extra_links

HEADER_MAX = 150
SECTION_MAX = 3000
BLOCKS_MAX = 50
FALLBACK_MAX = 3000
BUTTONS_PER_BLOCK = 25
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
IMAGE_ALT_MAX = 200
# Escaped budgets inside one card section; with labels and two links they stay under SECTION_MAX.
_TITLE_BUDGET, _EASY_BUDGET, _FIELDS_BUDGET, _HEADING_BUDGET = 500, 1400, 250, 120

Block = dict[str, Any]


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage worth: escaped plain-text fallback plus Block Kit blocks."""

    text: str
    blocks: tuple[Block, ...]


def slack_escape(text: str) -> str:
    """Escape the three characters Slack treats as markup (&, <, >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cost(text: str) -> int:
    return utf16_len(slack_escape(text))


def _fit(text: str, budget: int) -> str:
    """`text` shortened before escaping so that the escaped result stays within `budget`."""
    return slack_escape(shorten(text, budget, _cost))


def _link(url: str, label: str) -> str:
    label = label.replace("|", "").replace(">", "")
    return f"<{slack_escape(url)}|{slack_escape(label)}>"


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


def _section(mrkdwn: str) -> Block:
    # verbatim: Slack must not turn plain words into mentions or channel links
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn, "verbatim": True}}


def _card_text(card: Card) -> str:
    """One card's mrkdwn: the labelled lines of SPEC §2, then the repository and project page."""
    view = card_view(card)
    easy = _fit(view.easy, _EASY_BUDGET)
    if view.english:
        easy = f"_{slack_escape(texts.ENGLISH_MARK)}_ {easy}"
    lines = [
        f"*{view.rank}. {texts.LABEL_TITLE}:* {_fit(view.title, _TITLE_BUDGET)}",
        f"*{texts.LABEL_EASY}:* {easy}",
        f"*{texts.LABEL_FIELDS}:* {_fit(view.fields, _FIELDS_BUDGET)}",
        f"*{texts.LABEL_VOTES}:* {slack_escape(view.votes)}",
    ]
    links = [_link(view.url, display_url(view.url))] if view.url else []
    if view.pdf_url:
        links.append(_link(view.pdf_url, texts.LABEL_PDF))
    if links:
        lines.append(f"*{texts.LABEL_LINK}:* " + " · ".join(links))
    return _with_extras(lines, card)


def _with_extras(lines: list[str], card: Card) -> str:
    """`lines` joined, then the repository (with stars) and project page lines while they fit."""
    extra = extra_links(card)
    extras = []
    if extra.repo_url:
        stars = f" {extra.stars}" if extra.stars else ""
        extras.append(f"*{texts.LABEL_CODE}:* {_link(extra.repo_url, extra.repo_label)}{stars}")
    if extra.project_url:
        extras.append(f"*{texts.LABEL_PROJECT}:* {_link(extra.project_url, extra.project_label)}")
    text = "\n".join(lines + extras)
    return text if utf16_len(text) <= SECTION_MAX else "\n".join(lines)  # hostile, very long URLs


def card_blocks(card: Card) -> list[Block]:
    """One card: a section with the 자세히 button beside it, or with the paper's thumbnail beside it
    and the button in an actions block below (a section has room for one accessory)."""
    button = _button(card.rank, detail_button(card))
    thumbnail = extra_links(card).thumbnail
    if thumbnail is None:
        return [_section(_card_text(card)) | {"accessory": button}]
    alt = shorten(one_line(card.title) or one_line(card.paper_id), IMAGE_ALT_MAX) or ELLIPSIS
    image = {"type": "image", "image_url": thumbnail, "alt_text": alt}
    return [_section(_card_text(card)) | {"accessory": image}, {"type": "actions", "elements": [button]}]


def _detail_section(card: Card) -> Block:
    """The 자세히 answer as one mrkdwn section: title, 요약, keywords, links."""
    view = detail_view(card)
    summary = _fit(view.summary, _EASY_BUDGET)
    if view.english:
        summary = f"_{slack_escape(texts.SUMMARY_ENGLISH_MARK)}_ {summary}"
    lines = [
        f"*{_fit(view.title, _TITLE_BUDGET)}*",
        f"*{texts.LABEL_SUMMARY}:* {summary}",
        f"*{texts.LABEL_KEYWORDS}:* {_fit(view.keywords, _FIELDS_BUDGET)}",
    ]
    links = [_link(view.url, display_url(view.url))] if view.url else []
    if view.pdf_url:
        links.append(_link(view.pdf_url, texts.LABEL_PDF))
    if links:
        lines.append(f"*{texts.LABEL_LINK}:* " + " · ".join(links))
    return _section(_with_extras(lines, card))


def _heading_block(text: str) -> list[Block]:
    return [{"type": "header", "text": _plain(_fit(text, HEADER_MAX))}] if text else []


def _chunks(cards: list[list[Block]], room: int) -> list[list[Block]]:
    """Cards' blocks packed greedily, a divider between cards, each chunk at most `room` blocks."""
    chunks: list[list[Block]] = [[]]
    for blocks in cards:
        joined = [{"type": "divider"}, *blocks] if chunks[-1] else blocks
        if chunks[-1] and len(chunks[-1]) + len(joined) > room:
            chunks.append([])
            joined = blocks
        chunks[-1].extend(joined)
    return chunks


def _digest_groups(digest: Digest) -> list[tuple[str, list[Block]]]:
    """(raw fallback, blocks) per message: a header block, then cards separated by dividers."""
    base = shorten(one_line(digest.header), _HEADING_BUDGET, _cost)
    chunks = _chunks([card_blocks(card) for card in digest.cards], BLOCKS_MAX - 1)
    groups = []
    for part, chunk in enumerate(chunks, 1):
        heading = base if part == 1 else texts.continued_header(base, part, len(chunks)).strip()
        groups.append((heading, _heading_block(heading) + chunk))
    return [group for group in groups if group[1]]


def _actions(buttons: tuple[Button, ...]) -> list[Block]:
    """Buttons as actions blocks of at most 25 elements; action ids are unique per reply."""
    elements = [_button(index, button) for index, button in enumerate(buttons)]
    step = BUTTONS_PER_BLOCK
    return [{"type": "actions", "elements": elements[i : i + step]} for i in range(0, len(elements), step)]


def _button(index: int, button: Button) -> Block:
    """A button whose value is the command it runs."""
    command = shorten(one_line(button.command), BUTTON_VALUE_MAX)
    label = one_line(button.label) or command or ELLIPSIS
    element = {
        "type": "button",
        "text": _plain(_fit(label, BUTTON_TEXT_MAX)),
        "action_id": f"run_command_{index}",
    }
    return element | ({"value": command} if command else {})


def _pack(groups: list[tuple[str, list[Block]]]) -> list[SlackMessage]:
    """Groups of blocks (kept together) packed into messages of at most 50 blocks."""
    messages: list[tuple[list[str], list[Block]]] = []
    for fallback, blocks in groups:
        if not messages or len(messages[-1][1]) + len(blocks) > BLOCKS_MAX:
            messages.append(([], []))
        messages[-1][0].append(fallback)
        messages[-1][1].extend(blocks)
    return [SlackMessage(_fit(next(filter(None, fb), ""), FALLBACK_MAX), tuple(bl)) for fb, bl in messages]


def render_digest_slack(digest: Digest) -> list[SlackMessage]:
    """The digest as one message, or several when it needs more than 50 blocks."""
    return _pack(_digest_groups(digest))


def render_reply_slack(reply: Reply) -> list[SlackMessage]:
    """The reply's text as sections, then its digest or detail, then its buttons as actions blocks."""
    text = clean_text(reply.text).strip()
    groups = [(chunk, [_section(slack_escape(chunk))]) for chunk in split_lines(text, SECTION_MAX, _cost)]
    if reply.digest:
        groups += _digest_groups(reply.digest)
    if reply.detail:
        groups.append((one_line(reply.detail.title), [_detail_section(reply.detail)]))
    groups += [("", [block]) for block in _actions(reply.buttons)]
    return _pack(groups)


def render_digest_thread(digest: Digest) -> list[SlackMessage]:
    """The digest for a thread: a header message first, then one message per card (its replies)."""
    base = shorten(one_line(digest.header), _HEADING_BUDGET, _cost)
    if not digest.cards:
        return []
    hint = _section(slack_escape(texts.SLACK_THREAD_HINT.format(n=len(digest.cards))))
    head = SlackMessage(_fit(base, FALLBACK_MAX), (*_heading_block(base), hint))
    replies = [
        SlackMessage(_fit(f"{card.rank}. {one_line(card.title)}", FALLBACK_MAX), tuple(card_blocks(card)))
        for card in digest.cards
    ]
    return [head, *replies]


def without_images(message: SlackMessage) -> SlackMessage:
    """The message with its image accessories taken out (for when Slack cannot fetch a picture)."""
    blocks = tuple(
        {k: v for k, v in block.items() if k != "accessory"}
        if (block.get("accessory") or {}).get("type") == "image"
        else block
        for block in message.blocks
    )
    return SlackMessage(message.text, blocks)


def has_images(message: SlackMessage) -> bool:
    """True when a block of the message shows a picture Slack must download."""
    return any((block.get("accessory") or {}).get("type") == "image" for block in message.blocks)
