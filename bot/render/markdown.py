"""The markdown digest document, in the card layout of the bundled `000_*` digests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from bot import texts
from bot.models import Card, Digest
from bot.render.detail import marked_summary
from bot.render.limits import card_view, one_line

THUMBNAIL_URL = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{}.png"
FIELD_SEPARATOR = ", "  # as in the digests this document is read back with
SEPARATOR = "---"
# A value line must never look like the document's own structure (heading, label, rule, image).
_STRUCTURAL = re.compile(r"^(?:[#*!>\[]|-{3})")


def _value(text: str) -> str:
    """A one-line value that cannot be mistaken for a heading, label, image or separator."""
    return "\\" + text if _STRUCTURAL.match(text) else text


def _labelled(label: str, value: str) -> str:
    return f"**{label}**:\n{_value(value)}"


def _card_markdown(card: Card, summary: str | None) -> str:
    """One card: thumbnail, title, 요약, 쉬운설명, 관련분야, 추천수, link, rule."""
    view = card_view(card, FIELD_SEPARATOR)
    easy = f"{texts.ENGLISH_MARK} {view.easy}" if view.english else view.easy
    url = view.pdf_url or view.url
    link = f"[{texts.MD_PDF_LINK_TEXT}]({url})" if url else texts.VOTES_UNKNOWN
    thumbnail = THUMBNAIL_URL.format(quote(one_line(card.paper_id), safe="."))
    blocks = [
        f"![Image]({thumbnail})\n## {texts.LABEL_TITLE}:\n{_value(view.title)}",
        _labelled(texts.LABEL_SUMMARY, one_line(summary or "") or marked_summary(card)),
        _labelled(texts.LABEL_EASY, easy),
        _labelled(texts.LABEL_FIELDS, view.fields),
        _labelled(texts.LABEL_VOTES, view.votes),
        f"**{texts.MD_PDF_LINK_LABEL}**: {link}\n{SEPARATOR}",
    ]
    return "\n\n".join(blocks)


def render_digest_markdown(digest: Digest, summaries: Mapping[str, str] | None = None) -> str:
    """Every card in rank order; 요약 comes from `summaries[paper_id]`, else the card's own 요약."""
    summaries = summaries or {}
    cards = [_card_markdown(card, summaries.get(card.paper_id)) for card in digest.cards]
    return "\n\n".join(cards) + "\n" if cards else ""
