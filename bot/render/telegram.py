"""Telegram HTML (parse_mode=HTML): escaped cards, split between cards to fit 4096 characters."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot import texts
from bot.models import Button, Card, Digest, Reply
from bot.render.detail import detail_button, detail_view
from bot.render.limits import (
    HEADER_MAX,
    CardView,
    card_view,
    clean_text,
    display_url,
    one_line,
    shorten,
    split_lines,
    utf16_len,
)
from bot.render.links import extra_links

TELEGRAM_LIMIT = 4096
_TAG = re.compile(r"<(?:\"[^\"]*\"|'[^']*'|[^'\">])*>")
_GAP = "\n\n"


@dataclass(frozen=True)
class TelegramMessage:
    """One sendMessage worth: HTML text and the buttons of its inline keyboard."""

    text: str
    buttons: tuple[Button, ...] = ()


def telegram_length(html_text: str) -> int:
    """Length Telegram counts: tags removed, entities unescaped, in UTF-16 code units."""
    return utf16_len(html.unescape(_TAG.sub("", html_text)))


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _link(url: str, label: str) -> str:
    return f'<a href="{_esc(url)}">{_esc(label)}</a>'


def _card_html(card: Card) -> str:
    """One card: numbered title, then the labelled lines of SPEC §2."""
    view = card_view(card)
    easy = _esc(view.easy)
    if view.english:
        easy = f"<i>{_esc(texts.ENGLISH_MARK)}</i> {easy}"
    lines = [
        f"<b>{view.rank}. {texts.LABEL_TITLE}: {_esc(view.title)}</b>",
        f"<b>{texts.LABEL_EASY}:</b> {easy}",
        f"<b>{texts.LABEL_FIELDS}:</b> {_esc(view.fields)}",
        f"<b>{texts.LABEL_VOTES}:</b> {_esc(view.votes)}",
    ]
    links = _links(view)
    return "\n".join([*lines, *([links] if links else []), *_extra_lines(card)])


def _extra_lines(card: Card) -> list[str]:
    """The repository (with its stars) and the project page, after the fixed labels."""
    extra = extra_links(card)
    lines = []
    if extra.repo_url:
        stars = f" {_esc(extra.stars)}" if extra.stars else ""
        lines.append(f"<b>{texts.LABEL_CODE}:</b> {_link(extra.repo_url, extra.repo_label)}{stars}")
    if extra.project_url:
        lines.append(f"<b>{texts.LABEL_PROJECT}:</b> {_link(extra.project_url, extra.project_label)}")
    return lines


def _links(view: CardView) -> str:
    """The link line: the Hugging Face page, then the arXiv PDF when known."""
    links = [_link(view.url, display_url(view.url))] if view.url else []
    if view.pdf_url:
        links.append(_link(view.pdf_url, texts.LABEL_PDF))
    return f"<b>{texts.LABEL_LINK}:</b> " + " · ".join(links) if links else ""


def _heading(base: str, part: int, parts: int) -> str:
    """The bold header line of message `part` of `parts`."""
    line = base if part == 1 else texts.continued_header(base, part, parts).strip()
    return f"<b>{_esc(line)}</b>" if line else ""


def _pack(blocks: list[str], room: int) -> list[list[str]]:
    """Blocks grouped greedily into messages whose blocks, joined by blank lines, fit `room`."""
    groups: list[list[str]] = [[]]
    size = 0
    for block in blocks:
        extra = telegram_length(block) + (len(_GAP) if groups[-1] else 0)
        if groups[-1] and size + extra > room:
            groups.append([])
            extra, size = telegram_length(block), 0
        groups[-1].append(block)
        size += extra
    return groups


def render_digest_messages(digest: Digest) -> list[TelegramMessage]:
    """The digest as messages: header line, numbered cards (later parts say (i/n)), and a
    자세히 button for each card under the message that shows it."""
    base = shorten(one_line(digest.header), HEADER_MAX)
    most = max(2, len(digest.cards))
    widest = _heading(base, most, most)  # no later part's heading is longer
    room = TELEGRAM_LIMIT - telegram_length(widest) - len(_GAP)
    groups = _pack([_card_html(card) for card in digest.cards], room)
    buttons = iter([detail_button(card) for card in digest.cards])
    messages = []
    for i, group in enumerate(groups, 1):
        text = _GAP.join(filter(None, [_heading(base, i, len(groups)), *group]))
        keys = tuple(next(buttons) for _ in group)
        if text:
            messages.append(TelegramMessage(text, keys))
    return messages


def render_digest_telegram(digest: Digest) -> list[str]:
    """The digest as message parts (texts only): header line, then numbered cards."""
    return [message.text for message in render_digest_messages(digest)]


def render_detail_telegram(card: Card) -> str:
    """The 자세히 answer: bold labels, escaped title, 요약 and keywords, then the links."""
    view = detail_view(card)
    summary = _esc(view.summary)
    if view.english:
        summary = f"<i>{_esc(texts.SUMMARY_ENGLISH_MARK)}</i> {summary}"
    lines = [
        f"<b>{_esc(view.title)}</b>",
        f"<b>{texts.LABEL_SUMMARY}:</b> {summary}",
        f"<b>{texts.LABEL_KEYWORDS}:</b> {_esc(view.keywords)}",
    ]
    links = [_link(view.url, display_url(view.url))] if view.url else []
    if view.pdf_url:
        links.append(_link(view.pdf_url, texts.LABEL_PDF))
    if links:
        lines.append(f"<b>{texts.LABEL_LINK}:</b> " + " · ".join(links))
    return "\n".join([*lines, *_extra_lines(card)])


def _text_parts(text: str) -> list[str]:
    """A reply's own text, escaped, in parts that fit one message each."""
    return [_esc(chunk) for chunk in split_lines(clean_text(text).strip(), TELEGRAM_LIMIT)]


def render_reply_messages(reply: Reply) -> list[TelegramMessage]:
    """The reply's text, then its digest (cards with their 자세히 buttons) or detail; the reply's
    own buttons go under the last message."""
    messages = [TelegramMessage(part) for part in _text_parts(reply.text)]
    digest = render_digest_messages(reply.digest) if reply.digest else []
    if reply.detail:
        digest.append(TelegramMessage(render_detail_telegram(reply.detail)))
    if messages and digest:
        merged = messages[-1].text + _GAP + digest[0].text
        if telegram_length(merged) <= TELEGRAM_LIMIT:
            messages[-1] = TelegramMessage(merged, digest.pop(0).buttons)
    messages += digest
    if messages and reply.buttons:
        messages[-1] = TelegramMessage(messages[-1].text, messages[-1].buttons + reply.buttons)
    return messages


def render_reply_telegram(reply: Reply) -> list[str]:
    """The reply as message texts (buttons are left to the inline keyboards)."""
    return [message.text for message in render_reply_messages(reply)]
