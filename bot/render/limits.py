"""Clean-up and length-safe shortening of card texts, shared by every renderer."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from bot import texts
from bot.models import Card

ELLIPSIS = "…"
HEADER_MAX = 200  # UTF-16 units of raw text, before any escaping
TITLE_MAX = 300
EASY_MAX = 900
FIELDS_MAX = 150
URL_MAX = 200

# C0/C1 controls other than line breaks and tabs, and lone surrogates (not encodable as UTF-8).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Only plain https URLs: nothing that needs escaping in HTML, Slack or markdown link syntax.
_SAFE_URL = re.compile(r"https://[A-Za-z0-9.-]+(?::\d{1,5})?(?:/[A-Za-z0-9._~:/?#@!$*+,;=%-]*)?")
_TRAILING_JOINERS = "\u200d\ufe0e\ufe0f"
PAPER_URL = "https://huggingface.co/papers/"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram and Slack clients count."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean_text(text: str) -> str:
    """Text without control characters or lone surrogates; line breaks normalised to \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def one_line(text: str) -> str:
    """Cleaned text with every run of whitespace (line breaks included) collapsed to one space."""
    return " ".join(_CONTROLS.sub("", text).split())


def shorten(text: str, limit: int, cost: Callable[[str], int] = utf16_len) -> str:
    """`text` cut at a character boundary with "…" so that cost(result) <= limit."""
    if cost(text) <= limit:
        return text
    cut = text[: _prefix_end(text, limit - cost(ELLIPSIS), cost)]
    space = cut.rfind(" ", max(0, len(cut) - 20))
    if space > 0:  # prefer a word boundary close to the limit
        cut = cut[:space]
    return cut.rstrip().rstrip(_TRAILING_JOINERS) + ELLIPSIS


def _prefix_end(text: str, budget: int, cost: Callable[[str], int]) -> int:
    """Length of the longest prefix of `text` whose cost stays within `budget`."""
    used = 0
    for index, char in enumerate(text):
        used += cost(char)
        if used > budget:
            return index
    return len(text)


def safe_url(url: str | None) -> str | None:
    """`url` when it is a plain, short https URL; None otherwise."""
    if url and len(url) <= URL_MAX and _SAFE_URL.fullmatch(url):
        return url
    return None


def paper_url(card: Card) -> str | None:
    """The card's Hugging Face link, rebuilt from the paper id when the given one is unusable."""
    built = PAPER_URL + quote(one_line(card.paper_id), safe=".")
    return safe_url(card.url) or safe_url(built if card.paper_id.strip() else None)


@dataclass(frozen=True)
class CardView:
    """A card's texts cleaned, single-line and shortened; renderers only escape and lay out."""

    rank: int
    title: str
    easy: str
    english: bool  # `easy` is the English fallback and must carry texts.ENGLISH_MARK
    fields: str
    votes: str
    url: str | None
    pdf_url: str | None


def card_view(card: Card, field_separator: str = texts.FIELD_SEPARATOR) -> CardView:
    """The shortened, display-ready texts of one card."""
    title = shorten(one_line(card.title) or one_line(card.paper_id), TITLE_MAX)
    easy = shorten(one_line(card.easy_text), EASY_MAX)
    names = [name for name in map(one_line, card.field_names) if name]
    return CardView(
        rank=card.rank,
        title=title,
        easy=easy or texts.NO_DESCRIPTION,
        english=bool(easy) and card.easy_lang == "en",
        fields=shorten(field_separator.join(names), FIELDS_MAX) or texts.FIELDS_UNKNOWN,
        votes=texts.VOTES_UNKNOWN if card.votes is None else str(card.votes),
        url=paper_url(card),
        pdf_url=safe_url(card.pdf_url),
    )


def display_url(url: str) -> str:
    """A URL without its scheme, for link texts."""
    return url.removeprefix("https://")


def split_lines(text: str, limit: int, cost: Callable[[str], int] = utf16_len) -> list[str]:
    """`text` as chunks of whole lines, each costing <= limit; an over-long line is cut hard."""
    chunks: list[list[str]] = [[]]
    size = 0
    for line in _line_pieces(text, limit, cost):
        extra = cost(line) + (1 if chunks[-1] else 0)  # 1 for the joining "\n"
        if chunks[-1] and size + extra > limit:
            chunks.append([])
            extra = cost(line)
            size = 0
        chunks[-1].append(line)
        size += extra
    return [joined for joined in map("\n".join, chunks) if joined.strip()]


def _line_pieces(text: str, limit: int, cost: Callable[[str], int]) -> list[str]:
    """The lines of `text`, over-long ones cut into pieces costing <= limit."""
    pieces = []
    for line in text.split("\n"):
        while cost(line) > limit:
            end = max(1, _prefix_end(line, limit, cost))
            pieces.append(line[:end])
            line = line[end:]
        pieces.append(line)
    return pieces
