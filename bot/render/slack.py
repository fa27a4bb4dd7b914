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

HEADER_MAX = 150
SECTION_MAX = 3000
BLOCKS_MAX = 50
FALLBACK_MAX = 3000
BUTTONS_PER_BLOCK = 25
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
CARDS_PER_MESSAGE = BLOCKS_MAX // 2  # header + cards with a divider between them
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


def _card_section(card: Card) -> Block:
    """One card as a mrkdwn section with the labelled lines of SPEC §2."""
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
    return _section("\n".join(lines)) | {"accessory": _button(card.rank, detail_button(card))}


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
    return _section("\n".join(lines))


def _digest_groups(digest: Digest) -> list[tuple[str, list[Block]]]:
    """(raw fallback, blocks) per message: a header block, then cards separated by dividers."""
    base = shorten(one_line(digest.header), _HEADING_BUDGET, _cost)
    sections = [_card_section(card) for card in digest.cards]
    chunks = [sections[i : i + CARDS_PER_MESSAGE] for i in range(0, len(sections), CARDS_PER_MESSAGE)]
    groups = []
    for part, chunk in enumerate(chunks or [[]], 1):
        heading = base if part == 1 else texts.continued_header(base, part, len(chunks)).strip()
        blocks = [{"type": "header", "text": _plain(_fit(heading, HEADER_MAX))}] if heading else []
        for index, section in enumerate(chunk):
            blocks += [{"type": "divider"}, section] if index else [section]
        groups.append((heading, blocks))
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
