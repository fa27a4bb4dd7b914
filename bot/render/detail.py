"""The 자세히 answer (one card's 요약, keywords and links) and the buttons that ask for it."""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts
from bot.models import Button, Card, Digest
from bot.render.limits import one_line, paper_url, safe_url, shorten

SUMMARY_MAX = 1500  # UTF-16 units of raw text, before escaping
KEYWORDS_MAX = 400
KEYWORD_SEPARATOR = ", "
DETAIL_COMMAND = "paper"


@dataclass(frozen=True)
class DetailView:
    """A card's detail texts cleaned, single-line and shortened; renderers only escape and lay out."""

    title: str
    summary: str
    english: bool  # `summary` is the abstract's English and must carry texts.SUMMARY_ENGLISH_MARK
    keywords: str
    url: str | None
    pdf_url: str | None


def summary_value(card: Card, limit: int = SUMMARY_MAX) -> tuple[str, bool]:
    """The card's 요약 as one shortened line, and whether it is the English fallback."""
    summary = shorten(one_line(card.summary_text), limit)
    if not summary:
        return texts.NO_DESCRIPTION, False
    return summary, card.summary_lang == "en"


def marked_summary(card: Card) -> str:
    """The 요약 as plain text, the English fallback preceded by its mark."""
    summary, english = summary_value(card)
    return f"{texts.SUMMARY_ENGLISH_MARK} {summary}" if english else summary


def detail_view(card: Card) -> DetailView:
    """The shortened, display-ready texts of one card's 자세히 answer."""
    summary, english = summary_value(card)
    keywords = KEYWORD_SEPARATOR.join(k for k in map(one_line, card.keywords) if k)
    return DetailView(
        title=shorten(one_line(card.title) or one_line(card.paper_id), 300),
        summary=summary,
        english=english,
        keywords=shorten(keywords, KEYWORDS_MAX) or texts.FIELDS_UNKNOWN,
        url=paper_url(card),
        pdf_url=safe_url(card.pdf_url),
    )


def detail_button(card: Card) -> Button:
    """The 자세히 button of one card: it runs `/paper <arXiv id>`."""
    return Button(f"{texts.DETAIL_BUTTON} {card.rank}", f"{DETAIL_COMMAND} {one_line(card.paper_id)}")


def detail_buttons(digest: Digest) -> tuple[Button, ...]:
    """One 자세히 button per card, in rank order."""
    return tuple(detail_button(card) for card in digest.cards)
