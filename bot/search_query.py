"""Parse `/search` text into a storage query: words, "phrases", -exclusions, arXiv ids, field names."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot import args as A
from bot import texts
from bot.fields import Taxonomy
from storage.records import Keywords, SearchQuery, Term

MAX_RESULTS = 10
MAX_QUERY_CHARS = 300
# A Hugging Face or arXiv link, or a bare new-style arXiv id (with an optional version).
_PAPER_ID = re.compile(
    r"(?:https?://)?(?:(?:www\.)?huggingface\.co/papers/|(?:www\.)?arxiv\.org/(?:abs|pdf)/)?"
    r"(?<![\w.])(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?(?![\w.])",
    re.IGNORECASE,
)
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
MAX_KEYWORDS = 10  # terms and excluded words together
MAX_KEYWORD_CHARS = 40
KEYWORDS_OFF = frozenset({"끄기", "off"})
_CURLY_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "＂": '"'})  # phones' "smart" quotes


@dataclass(frozen=True)
class ParsedSearch:
    """A parsed search: the storage query, the text to show in the header, the field it named."""

    query: SearchQuery
    shown: str
    field: str | None


def _words(text: str) -> tuple[list[tuple[str, bool]], list[str]]:
    """(word or phrase, quoted) pairs and the excluded words; tokens without a letter are dropped."""
    wanted: list[tuple[str, bool]] = []
    excluded: list[str] = []
    for token in _TOKEN.findall(text):
        negative = token.startswith("-")
        body = token[1:] if negative else token
        quoted = body.startswith('"')
        body = body.strip('"').strip() if quoted else body
        if not any(c.isalnum() for c in body):
            continue
        (excluded.append(body) if negative else wanted.append((body, quoted)))
    return wanted, excluded


def _field_span(words: list[tuple[str, bool]], i: int, taxonomy: Taxonomy) -> tuple[int, str | None]:
    """The longest run of unquoted words from `i` (up to three) that names a field."""
    for span in range(min(3, len(words) - i), 0, -1):
        run = words[i : i + span]
        if any(quoted for _, quoted in run):
            continue
        name = " ".join(w for w, _ in run)
        field = taxonomy.resolve_exact(name)
        if field is None and span == 1 and not name.isascii():
            # Typo tolerance for Korean names (컴퓨터비젼); English words must name a field exactly.
            field = taxonomy.resolve(name).field
        if field is not None:
            return span, field.code
    return 1, None


def _terms(words: list[tuple[str, bool]], taxonomy: Taxonomy) -> list[Term]:
    terms: list[Term] = []
    i = 0
    while i < len(words):
        span, code = _field_span(words, i, taxonomy)
        text = " ".join(w for w, _ in words[i : i + span])
        terms.append(Term(text, (code,) if code else ()))
        i += span
    return terms


def parse_search(args: Sequence[str], taxonomy: Taxonomy, since: dt.date | None = None) -> ParsedSearch:
    """Search text → query; a short Korean ArgumentError when there is nothing to look for."""
    text = " ".join(args).strip()
    if len(text) > MAX_QUERY_CHARS:
        raise A.ArgumentError(texts.SEARCH_TOO_LONG.format(max_chars=MAX_QUERY_CHARS))
    ids = tuple(dict.fromkeys(_PAPER_ID.findall(text)))
    wanted, excluded = _words(_PAPER_ID.sub(" ", text))
    A.check_size([w for w, _ in wanted] + excluded)
    terms = _terms(wanted, taxonomy)
    if not terms and not ids:
        raise A.ArgumentError(texts.SEARCH_USAGE.format(max_n=MAX_RESULTS))
    query = SearchQuery(tuple(terms), tuple(excluded), ids, since)
    field = next((t.codes[0] for t in terms if t.codes), None)
    return ParsedSearch(query, " ".join(text.split())[:40], field)


def split_search_count(args: Sequence[str], default_n: int) -> tuple[list[str], int]:
    """`/search <검색어> [N]`: a trailing count (1–10) when more than one word was given."""
    words = list(args)
    if len(words) > 1 and A.is_number(words[-1]):
        return words[:-1], A.parse_n(words[-1], MAX_RESULTS)
    return words, min(default_n, MAX_RESULTS)


def _unique(words: Sequence[str]) -> list[str]:
    """`words` without repeats, compared case-insensitively, first spelling kept."""
    seen: dict[str, str] = {}
    for word in words:
        seen.setdefault(word.casefold(), word)
    return list(seen.values())


def parse_keywords(args: Sequence[str], taxonomy: Taxonomy) -> Keywords:
    """`/keywords` text → the chat's filter: words and "phrases" (any of them), -exclusions.

    The grammar is /search's; a word or run of words naming a field also takes that field's papers.
    A short Korean ArgumentError when nothing is left to follow or the list is too long."""
    text = " ".join(args).translate(_CURLY_QUOTES).strip()
    if len(text) > MAX_QUERY_CHARS:
        raise A.ArgumentError(texts.KEYWORDS_TOO_LONG.format(max_chars=MAX_QUERY_CHARS))
    wanted, excluded = _words(text)
    long = next((w for w, _ in wanted if len(w) > MAX_KEYWORD_CHARS), None)
    long = long or next((w for w in excluded if len(w) > MAX_KEYWORD_CHARS), None)
    if long is not None:
        raise A.ArgumentError(texts.KEYWORD_TOO_LONG.format(word=long[:20], max_chars=MAX_KEYWORD_CHARS))
    terms: dict[str, Term] = {}
    for term in _terms(wanted, taxonomy):
        terms.setdefault(term.text.casefold(), term)
    unwanted = _unique(excluded)
    count = len(terms) + len(unwanted)
    if count == 0:
        raise A.ArgumentError(texts.KEYWORDS_USAGE)
    if count > MAX_KEYWORDS:
        raise A.ArgumentError(texts.KEYWORDS_TOO_MANY.format(max_n=MAX_KEYWORDS, count=count))
    return Keywords(tuple(terms.values()), tuple(unwanted))


def _shown(word: str) -> str:
    return f'"{word}"' if any(c.isspace() for c in word) else word


def format_keywords(keywords: Keywords) -> str:
    """The filter as the user would type it again: `diffusion "video generation" -survey`."""
    terms = [t.text if t.codes else _shown(t.text) for t in keywords.terms]
    return " ".join([*terms, *(f"-{_shown(w)}" for w in keywords.excluded)])
